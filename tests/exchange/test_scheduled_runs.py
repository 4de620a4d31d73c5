"""Scheduled subscriptions: matching captures wait as pending rows; each due run queues them (or an empty report)
in the outbox, once, and delivery sends them signed. Also initialRecordTime."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.exchange.flows import capture, make_party, named_query, owner
from tests.exchange.receiver import TOKEN, Receiver, documents, epcs
from tests.support.epcis import document, object_event
from zhuisu.capture import service as capture_service
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.subscriptions import delivery, scheduler
from zhuisu.exchange.subscriptions import service as subscriptions_service
from zhuisu.exchange.subscriptions.errors import SubscriptionControlsInvalid
from zhuisu.kit.time import utc_now
from zhuisu.models import OutboxMessage, PendingNotification, Subscription

SHIPPING = [("EQ_bizStep", "shipping")]
HOURLY = {"second": "0", "minute": "0"}


def _scheduled(maker: sessionmaker[Session], party: str, url: str, **controls: object) -> str:
    named_query(maker, party, SHIPPING)
    with unit_of_work(maker) as s:
        return subscriptions_service.subscribe(
            s,
            owner=owner(s, party),
            query_name="shipped",
            dest=url,
            signature_token=TOKEN,
            **controls,  # type: ignore[arg-type]
        ).id


def _counts(maker: sessionmaker[Session]) -> tuple[int, int]:
    with unit_of_work(maker) as s:
        pending = s.scalar(select(func.count()).select_from(PendingNotification))
        outbox = s.scalar(select(func.count()).select_from(OutboxMessage))
        return int(pending or 0), int(outbox or 0)


def _run(maker: sessionmaker[Session], now: object) -> int:
    with unit_of_work(maker) as s:
        return scheduler.run_due(s, now=now)  # type: ignore[arg-type]


def _subscription(maker: sessionmaker[Session], sub_id: str) -> Subscription:
    with unit_of_work(maker) as s:
        row = s.get(Subscription, sub_id)
        assert row is not None
        return row


def test_captures_wait_for_the_run_then_are_delivered_once(maker: sessionmaker[Session], receiver: Receiver) -> None:
    # given: an hourly subscription, and two captures (3 of 4 events matching) before it is due
    party = make_party(maker)
    subscribed = utc_now()
    sub_id = _scheduled(maker, party, receiver.url, schedule=HOURLY)
    due = _subscription(maker, sub_id).next_run_at
    assert due == subscribed.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    capture(maker, party, [object_event(1), object_event(2, bizStep="receiving")])
    capture(maker, party, [object_event(3), object_event(4)])
    # when: a round before the due time, then at it, then again at it
    early = _run(maker, due - timedelta(seconds=1))
    counts_before = _counts(maker)
    runs = (_run(maker, due), _run(maker, due))
    receiver.start()
    sent = delivery.deliver_due(maker, delivery.http_sender(timeout=2, allowed=["127.0.0.1"]), now=due)
    # then: nothing early; one run queued one message with the three matching events, in order
    assert (early, counts_before, runs, _counts(maker)) == (0, (2, 0), (1, 0), (0, 1))
    assert sent == delivery.Round(1, 0)
    [doc] = documents(receiver)
    assert epcs(doc) == [object_event(n)["epcList"][0] for n in (1, 3, 4)]
    assert doc["epcisBody"]["queryResults"]["subscriptionID"] == sub_id
    assert doc["epcisBody"]["queryResults"]["queryName"] == "shipped"
    after = _subscription(maker, sub_id)
    assert (after.next_run_at, after.last_notified_at) == (due + timedelta(hours=1), due)


@pytest.mark.parametrize(("report_if_empty", "expected"), [(True, [[]]), (False, [])])
def test_a_run_with_nothing_new_reports_only_if_asked(
    maker: sessionmaker[Session], report_if_empty: bool, expected: list[list[int]]
) -> None:
    party = make_party(maker)
    sub_id = _scheduled(maker, party, "http://127.0.0.1:9/hook", schedule=HOURLY, report_if_empty=report_if_empty)
    due = _subscription(maker, sub_id).next_run_at
    assert _run(maker, due) == 1
    with unit_of_work(maker) as s:
        assert [m.event_pks for m in s.scalars(select(OutboxMessage))] == expected


def test_rolled_back_capture_leaves_nothing_pending(maker: sessionmaker[Session]) -> None:
    party = make_party(maker)
    _scheduled(maker, party, "http://127.0.0.1:9/hook", schedule=HOURLY)
    with unit_of_work(maker) as s:
        bad = document(object_event(1), object_event(2, action="X"))
        assert not capture_service.capture_document(s, bad, actor=owner(s, party)).job.success
    assert _counts(maker) == (0, 0)


def test_initial_record_time_reports_earlier_events(maker: sessionmaker[Session]) -> None:
    # given: three events stored before anyone subscribes (two matching)
    party = make_party(maker)
    before = utc_now() - timedelta(seconds=1)
    capture(maker, party, [object_event(1), object_event(2, bizStep="receiving"), object_event(3)])
    named_query(maker, party, SHIPPING)
    with unit_of_work(maker) as s:
        # when: a stream subscription from `before`, one scheduled from `before`, one stream without it
        kwargs = {"owner": owner(s, party), "query_name": "shipped", "dest": "http://127.0.0.1:9/hook"}
        back = subscriptions_service.subscribe(s, stream=True, initial_record_time=before, **kwargs)  # type: ignore[arg-type]
        later = subscriptions_service.subscribe(s, schedule=HOURLY, initial_record_time=before, **kwargs)  # type: ignore[arg-type]
        plain = subscriptions_service.subscribe(s, stream=True, **kwargs)  # type: ignore[arg-type]
        ids = (back.id, later.id, plain.id)
    # then: the first has them in its outbox, the second pending for its first run, the third nothing
    with unit_of_work(maker) as s:
        outbox = [(m.subscription_id, len(m.event_pks)) for m in s.scalars(select(OutboxMessage))]
        pending = [(p.subscription_id, len(p.event_pks)) for p in s.scalars(select(PendingNotification))]
    assert (outbox, pending) == ([(ids[0], 2)], [(ids[1], 2)])


def test_initial_record_time_in_the_future_reports_nothing_earlier(maker: sessionmaker[Session]) -> None:
    party = make_party(maker)
    capture(maker, party, [object_event(1)])
    named_query(maker, party, SHIPPING)
    with unit_of_work(maker) as s:
        subscriptions_service.subscribe(
            s, owner=owner(s, party), query_name="shipped", dest="http://127.0.0.1:9/hook", stream=True,
            initial_record_time=utc_now() + timedelta(days=1),
        )  # fmt: skip
    assert _counts(maker) == (0, 0)


@pytest.mark.parametrize(
    ("_case", "controls", "parameter"),
    [
        ("neither stream nor schedule", {}, "schedule"),
        ("both", {"stream": True, "schedule": HOURLY}, "stream"),
        ("bad hour", {"schedule": {"hour": "25"}}, "schedule.hour"),
        ("never", {"schedule": {"dayOfMonth": "31", "month": "4"}}, "schedule"),
    ],
)
def test_invalid_controls_store_nothing(
    maker: sessionmaker[Session], _case: str, controls: dict[str, object], parameter: str
) -> None:
    party = make_party(maker)
    named_query(maker, party, SHIPPING)
    with pytest.raises(SubscriptionControlsInvalid) as raised, unit_of_work(maker) as s:
        subscriptions_service.subscribe(
            s,
            owner=owner(s, party),
            query_name="shipped",
            dest="http://127.0.0.1:9/hook",
            **controls,  # type: ignore[arg-type]
        )
    assert raised.value.extra["parameter"] == parameter
    with unit_of_work(maker) as s:
        assert s.scalar(select(func.count()).select_from(Subscription)) == 0


def test_invalid_stored_schedule_deactivates_at_its_run(maker: sessionmaker[Session]) -> None:
    party = make_party(maker)
    sub_id = _scheduled(maker, party, "http://127.0.0.1:9/hook", schedule=HOURLY)
    with unit_of_work(maker) as s:
        row = s.get(Subscription, sub_id)
        assert row is not None
        row.schedule, due = {"hour": "99"}, row.next_run_at
    assert (_run(maker, due), _run(maker, due)) == (1, 0)
    after = _subscription(maker, sub_id)
    assert (after.active, after.next_run_at, _counts(maker)) == (False, None, (0, 0))
