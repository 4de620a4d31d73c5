"""Errors of subscriptions: the GS1 ``SubscriptionControlsException``."""

from zhuisu.errors import InvalidInput


class SubscriptionControlsInvalid(InvalidInput):
    """A subscription's controls (stream, schedule, initialRecordTime, dest …) are invalid; names the field."""

    code = "invalid_subscription_controls"
    problem_type = "epcisException:SubscriptionControlsException"


class UnsafeCallback(SubscriptionControlsInvalid):
    """A callback address this node will not send to (``zhuisu.exchange.outbound``)."""

    code = "unsafe_destination"
