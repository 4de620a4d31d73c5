"""Which readers act on what the writers announce: the one place the application connects domain signals.

Called by every entry point before it serves or runs anything (``create_app``, the ``zhuisu`` command, the test
suite); connecting again is harmless. A capture before ``connect`` raises ``SignalNotConnected`` rather than
leaving the portal's stories fresh and subscribers unnotified. The readers are imported when a signal is first sent
(``Signal.connect_later``): ``connect`` itself imports only the signals, so a command that records nothing starts
without the portal, oversight and exchange.
"""

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from zhuisu.events.stored import StoredEvent
    from zhuisu.ledger.signals import DerivedCheck
    from zhuisu.sectors.recording import Recording

    #: A receiver of each signal's arguments (as the signals declare them), so that mypy checks every reader.
    Codes = Callable[[Session, Sequence[str]], None]
    Checks = Callable[[Session, DerivedCheck], None]


def connect() -> None:
    from zhuisu.capture import signals as capture_signals
    from zhuisu.ledger import signals as ledger_signals
    from zhuisu.oversight.inspections import signals as inspections_signals
    from zhuisu.parties import signals as parties_signals
    from zhuisu.recall import signals as recall_signals
    from zhuisu.sectors import recording as sector_recording

    capture_signals.events_recorded.connect_later(_events_recorded)
    ledger_signals.records_mismatched.connect_later(_records_mismatched)
    ledger_signals.events_verified.connect_later(_events_verified)
    ledger_signals.replay_finished.connect_later(_replay_finished)
    ledger_signals.split_view.connect_later(_split_view)
    ledger_signals.log_cosigned.connect_later(_log_cosigned)
    parties_signals.product_registered.connect_later(_product_registered)
    inspections_signals.findings_recorded.connect_later(_findings_recorded)
    recall_signals.notices_changed.connect_later(_notices_changed)
    recall_signals.holders_notified.connect_later(_holders_notified)
    sector_recording.document_to_record.connect_later(_sector_documents)


def _events_recorded() -> "Sequence[Callable[[Session, Sequence[StoredEvent]], None]]":
    from zhuisu.exchange.federation import service as federation_service
    from zhuisu.exchange.subscriptions import service as subscriptions_service
    from zhuisu.oversight import alerts as oversight_alerts
    from zhuisu.oversight import credit
    from zhuisu.portal import stories as portal_stories
    from zhuisu.sectors.equipment import service as equipment_service

    return [
        # The special equipment register: the rows of the equipment the new lifecycle events name, derived again
        # (before the risk rules, which read it).
        equipment_service.record_events,
        # Subscriptions queue their notifications in the capture transaction (the outbox).
        subscriptions_service.record_stream_events,
        # Events a child node sent keep their provenance; every new event is queued for the parent node (outbox).
        federation_service.record_origins,
        federation_service.queue_upward,
        # The stories the new events touch are stale; needs the ledger's locked head (the write path's first step).
        portal_stories.mark_stale,
        # Events recorded by a party on the blacklist now are flagged for the desk.
        credit.flag_blacklisted,
        # Risk rules that need no clock, over the codes the new events name (alerts at once).
        oversight_alerts.record_new_events,
    ]


def _split_view() -> "Sequence[Callable[[Session, str, str, str, str], None]]":
    from zhuisu.oversight import alerts as oversight_alerts

    # A child log showed this node (its witness) two histories: an alert for the desk.
    return [oversight_alerts.record_split_view]


def _log_cosigned() -> "Sequence[Callable[[Session, str, int, int], None]]":
    from zhuisu.portal import stories as portal_stories

    # A witness cosigned this log further: the stories it now covers say so ("witnessed by …").
    return [portal_stories.mark_witnessed]


def _product_registered() -> "Sequence[Callable[[Session, str], None]]":
    from zhuisu.portal import stories as portal_stories

    # A product registered: the product pages of its items and lots show its name and producer.
    return [portal_stories.mark_product_registered]


def _records_mismatched() -> "Sequence[Codes]":
    from zhuisu.portal import stories as portal_stories

    # A row changed behind the log's back: every story is built again, and re-checks its events (so it fails).
    return [portal_stories.mark_mismatched]


def _events_verified() -> "Sequence[Checks]":
    from zhuisu.trace import integrity as trace_integrity

    # A replay of the log checks what readers derived from the verified events: the trace graph per batch, the
    # holding count and the cached stories at the end.
    return [trace_integrity.check_events]


def _replay_finished() -> "Sequence[Checks]":
    from zhuisu.portal import integrity as portal_integrity
    from zhuisu.trace import integrity as trace_integrity

    return [trace_integrity.finish, portal_integrity.check_stories]


def _findings_recorded() -> "Sequence[Callable[[Session, Sequence[str], Sequence[str]], None]]":
    from zhuisu.portal import stories as portal_stories

    # An inspection report or a certificate recorded: the product pages of its code, lot and items are stale.
    return [portal_stories.mark_findings_stale]


def _notices_changed() -> "Sequence[Codes]":
    from zhuisu.portal import stories as portal_stories

    # A recall notice was published or closed: the product pages of the things it reached are built again.
    return [portal_stories.mark_notices]


def _holders_notified() -> "Sequence[Callable[[Session, Sequence[tuple[str, dict[str, Any]]]], None]]":
    from zhuisu.exchange.notices import service as notices_service

    # A recall named its holders (or was closed): their notice hooks are sent the notice (the outbox).
    return [notices_service.queue_recall_notices]


def _sector_documents() -> "Sequence[Callable[[Session, Recording], None]]":
    from zhuisu.capture import service as capture_service

    def capture(session: "Session", recording: "Recording") -> None:
        # A sector room's events (a stall's purchase, a canteen's receipt, a 合格证, an import lot's entry, a
        # logger's readings, a rare-earth separation …: ``sectors.recording``) are captured as the recorder's, in
        # the request's transaction, like any other; the room reads back what was stored and why anything was not.
        result = capture_service.capture_document(
            session, recording.document, actor=recording.actor, source=recording.source
        )
        errors = [*result.document_errors, *(e for o in result.outcomes for e in o.errors)]
        recording.finish(result.job.id, statuses=[o.status for o in result.outcomes], errors=errors)

    return [capture]
