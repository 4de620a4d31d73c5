"""Which readers act on what the writers announce: the one place the application connects domain signals.

Called by every entry point before it serves or runs anything (``create_app``, the ``zhuisu`` command, the test
suite); connecting again is harmless. A capture before ``connect`` raises ``SignalNotConnected`` rather than
leaving the portal's stories fresh and subscribers unnotified.
"""

from zhuisu.capture import signals as capture_signals
from zhuisu.exchange.notices import service as notices_service
from zhuisu.exchange.subscriptions import service as subscriptions_service
from zhuisu.ledger import signals as ledger_signals
from zhuisu.oversight import alerts as oversight_alerts
from zhuisu.oversight import credit
from zhuisu.oversight.inspections import signals as inspections_signals
from zhuisu.portal import integrity as portal_integrity
from zhuisu.portal import stories as portal_stories
from zhuisu.recall import signals as recall_signals
from zhuisu.trace import integrity as trace_integrity


def connect() -> None:
    capture_signals.events_recorded.connect(
        [
            # Subscriptions queue their notifications in the capture transaction (the outbox).
            subscriptions_service.record_stream_events,
            # The stories the new events touch are stale; needs the ledger's locked head (the write path's first step).
            portal_stories.mark_stale,
            # Events recorded by a party on the blacklist now are flagged for the desk.
            credit.flag_blacklisted,
            # Risk rules that need no clock, over the codes the new events name (alerts at once).
            oversight_alerts.record_new_events,
        ]
    )
    # A row changed behind the log's back: every story is built again, and re-checks its events (so it fails).
    ledger_signals.records_mismatched.connect([portal_stories.mark_mismatched])
    # A replay of the log checks what readers derived from the verified events: the trace graph per batch, the
    # holding count and the cached stories at the end.
    ledger_signals.events_verified.connect([trace_integrity.check_events])
    ledger_signals.replay_finished.connect([trace_integrity.finish, portal_integrity.check_stories])
    # An inspection report or a certificate recorded: the product pages of its code, lot and items are stale.
    inspections_signals.findings_recorded.connect([portal_stories.mark_findings_stale])
    # A recall notice was published or closed: the product pages of the things it reached are built again.
    recall_signals.notices_changed.connect([portal_stories.mark_notices])
    # A recall named its holders (or was closed): their notice hooks are sent the notice (the outbox).
    recall_signals.holders_notified.connect([notices_service.queue_recall_notices])
