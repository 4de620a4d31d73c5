"""Stream subscriptions: outbox rows in the capture transaction, signed delivery after commit, nothing lost."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.exchange.flows import capture, make_party, stream_subscription
from tests.exchange.receiver import Receiver, documents, epcs
from tests.support.epcis import document, object_event
from zhuisu.capture import service as capture_service
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.subscriptions import delivery
from zhuisu.models import DeliveryAttempt, OutboxMessage, Party


def _received_ids(receiver: Receiver) -> list[str]:
    return [epc for doc in documents(receiver) for epc in epcs(doc)]


def test_receiver_down_during_1000_captures_gets_every_matching_event_once(
    maker: sessionmaker[Session], receiver: Receiver
) -> None:
    # given: a subscription to shipping events, and a receiver that is down (its port refuses connections)
    party = make_party(maker)
    stream_subscription(maker, party, f"http://127.0.0.1:{receiver.port}/hook", [("EQ_bizStep", "shipping")])
    send = delivery.http_sender(timeout=2, allowed=["127.0.0.1"])
    events = [object_event(n, bizStep="receiving" if n % 6 == 5 else "shipping") for n in range(1200)]
    # when: 1,200 events (1,000 of them matching) are captured in 12 documents while delivery keeps failing
    capture(maker, party, events[:100])
    down = capture_service.utc_now()
    rounds = [delivery.deliver_due(maker, send, now=down)]
    for start in range(100, 1200, 100):
        capture(maker, party, events[start : start + 100])
        rounds.append(delivery.deliver_due(maker, send, now=down))
    # then the receiver comes back on the same port, and the next round drains the outbox in order
    receiver.start()
    back = delivery.deliver_due(maker, send, now=down + delivery.BACKOFF_MAX)
    again = delivery.deliver_due(maker, send, now=down + 2 * delivery.BACKOFF_MAX)
    expected = [e["epcList"][0] for e in events if e["bizStep"] == "shipping"]
    assert rounds == [delivery.Round(0, 1)] + [delivery.Round(0, 0)] * 11
    assert (back, again) == (delivery.Round(12, 0), delivery.Round(0, 0))
    assert _received_ids(receiver) == expected  # every matching event, once, in capture order, validly signed
    assert len(expected) == 1000
    with unit_of_work(maker) as s:
        assert s.scalar(select(func.count()).where(OutboxMessage.delivered.is_(False))) == 0
        log = [(a.ok, a.status_code) for a in s.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id))]
    assert log == [(False, None)] + [(True, 204)] * 12


def test_rolled_back_capture_queues_nothing(maker: sessionmaker[Session], receiver: Receiver) -> None:
    party = make_party(maker)
    stream_subscription(maker, party, f"http://127.0.0.1:{receiver.port}/hook", [("EQ_bizStep", "shipping")])
    with unit_of_work(maker) as s:
        actor = s.get(Party, party)
        bad = document(object_event(1), object_event(2, action="X"))
        result = capture_service.capture_document(s, bad, actor=actor)  # type: ignore[arg-type]
        assert not result.job.success
    with unit_of_work(maker) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_failed_attempts_back_off_and_are_logged(maker: sessionmaker[Session], receiver: Receiver) -> None:
    party = make_party(maker)
    stream_subscription(maker, party, f"http://127.0.0.1:{receiver.port}/hook", [])
    capture(maker, party, [object_event(1)])
    send = delivery.http_sender(timeout=2, allowed=["127.0.0.1"])
    now = capture_service.utc_now()
    first = delivery.deliver_due(maker, send, now=now)
    too_soon = delivery.deliver_due(maker, send, now=now + delivery.BACKOFF_BASE / 2)
    receiver.start()
    later = delivery.deliver_due(maker, send, now=now + delivery.BACKOFF_BASE)
    assert (first, too_soon, later) == (delivery.Round(0, 1), delivery.Round(0, 0), delivery.Round(1, 0))
    with unit_of_work(maker) as s:
        log = [(a.ok, a.status_code) for a in s.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id))]
    assert log == [(False, None), (True, 204)]
    assert len(_received_ids(receiver)) == 1
