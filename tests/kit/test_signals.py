"""Domain signals: receivers in order, in the sender's transaction; nothing sent to nobody by accident."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Credentials
from zhuisu.app import wiring
from zhuisu.capture import service as capture_service
from zhuisu.capture import signals as capture_signals
from zhuisu.events.stored import StoredEvent
from zhuisu.exchange.federation import service as federation_service
from zhuisu.exchange.subscriptions import service as subscriptions_service
from zhuisu.kit.signals import Signal, SignalNotConnected
from zhuisu.models import Event, Party
from zhuisu.oversight import alerts as oversight_alerts
from zhuisu.oversight import credit
from zhuisu.portal import stories
from zhuisu.sectors.equipment import service as equipment_service


class TestSignal:
    def test_receivers_run_in_order(self) -> None:
        heard: list[tuple[str, int]] = []
        signal: Signal[[int]] = Signal("numbers")
        signal.connect([lambda n: heard.append(("a", n)), lambda n: heard.append(("b", n))])
        signal.send(7)
        assert heard == [("a", 7), ("b", 7)]

    def test_sent_before_connect_raises(self) -> None:
        signal: Signal[[int]] = Signal("numbers")
        with pytest.raises(SignalNotConnected, match="'numbers' was sent before its receivers were connected"):
            signal.send(1)

    def test_connecting_nobody_is_a_choice(self) -> None:
        signal: Signal[[int]] = Signal("numbers")
        signal.connect([])
        signal.send(1)
        assert signal.receivers == ()


class TestWiring:
    def test_capture_announces_to_the_portal_subscriptions_federation_and_risk_rules(self) -> None:
        wiring.connect()
        assert capture_signals.events_recorded.receivers == (
            equipment_service.record_events,
            subscriptions_service.record_stream_events,
            federation_service.record_origins,
            federation_service.queue_upward,
            stories.mark_stale,
            credit.flag_blacklisted,
            oversight_alerts.record_new_events,
        )

    def test_a_receiver_that_fails_rolls_the_capture_back(self, session: Session, creds: Credentials) -> None:
        # given a receiver that fails after the write path ran
        heard: list[list[StoredEvent]] = []

        def failing(_: Session, stored: object) -> None:
            heard.append(list(stored))  # type: ignore[call-overload]
            raise RuntimeError("reader failed")

        before = session.scalar(select(func.count()).select_from(Event))
        capture_signals.events_recorded.connect([failing])
        try:
            # when an event is captured
            with pytest.raises(RuntimeError, match="reader failed"), session.begin_nested():
                capture_service.capture_single_event(session, _event(), actor=session.get_one(Party, creds.party_id))
        finally:
            wiring.connect()
        # then the receiver saw the stored event, and nothing of the capture is kept
        assert [(s.event_id, s.recorder_id) for s in heard[0]] == [("urn:uuid:signal-test-1", creds.party_id)]
        assert session.scalar(select(func.count()).select_from(Event)) == before


def _event() -> dict[str, object]:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "ObjectEvent",
        "eventID": "urn:uuid:signal-test-1",
        "eventTime": "2026-12-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "epcList": ["urn:epc:id:sgtin:6901234.012345.1001"],
        "bizStep": "inspecting",
    }
