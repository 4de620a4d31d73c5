"""Stream subscriptions: outbox rows in the capture transaction, signed delivery after commit, nothing lost."""

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.support.epcis import document, object_event
from zhuisu.capture import service as capture_service
from zhuisu.db.session import unit_of_work
from zhuisu.models import DeliveryAttempt, OutboxMessage, Party
from zhuisu.parties import service as parties_service
from zhuisu.subscriptions import delivery
from zhuisu.subscriptions import service as subscriptions_service

TOKEN = "s3cret-token"


class Receiver:
    """A real HTTP server on a fixed local port that records every notification it is sent."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.bodies: list[tuple[bytes, str]] = []
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                bodies.append((body, self.headers.get("GS1-Signature", "")))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(_free_port())
    yield r
    r.stop()


def _party(maker: sessionmaker[Session]) -> str:
    with unit_of_work(maker) as s:
        return parties_service.create_party(s, name="订阅方", uscc="91110000600037341L").id


def _subscribe(maker: sessionmaker[Session], party_id: str, url: str, params: list[tuple[str, str]]) -> str:
    with unit_of_work(maker) as s:
        owner = s.get(Party, party_id)
        assert owner is not None
        subscriptions_service.create_query(s, owner=owner, name="shipped", params=params)
        return subscriptions_service.subscribe(s, owner=owner, query_name="shipped", dest=url, signature_token=TOKEN).id


def _capture(maker: sessionmaker[Session], party_id: str, events: list[dict[str, Any]]) -> None:
    with unit_of_work(maker) as s:
        actor = s.get(Party, party_id)
        assert actor is not None
        result = capture_service.capture_document(s, document(*events), actor=actor)
        assert result.job.success


def _received_ids(receiver: Receiver) -> list[str]:
    ids: list[str] = []
    for body, sig in receiver.bodies:
        expected = "sha256=" + hmac.new(TOKEN.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(sig, expected)
        doc = json.loads(body)
        ids += [e["epcList"][0] for e in doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]
    return ids


def test_receiver_down_during_1000_captures_gets_every_matching_event_once(
    maker: sessionmaker[Session], receiver: Receiver
) -> None:
    # given: a subscription to shipping events, and a receiver that is down
    party = _party(maker)
    _subscribe(maker, party, f"http://127.0.0.1:{receiver.port}/hook", [("EQ_bizStep", "shipping")])
    send = delivery.http_sender(timeout=2)
    events = [object_event(n, bizStep="shipping" if n % 4 else "receiving") for n in range(1000)]
    # when: 1,000 events are captured in 10 documents while every delivery fails
    for start in range(0, 1000, 100):
        _capture(maker, party, events[start : start + 100])
        failed = delivery.deliver_due(maker, send)
        assert failed.delivered == 0
    # then the receiver comes back, and the worker drains the outbox
    receiver.start()
    clock = capture_service.utc_now()
    for minute in range(1, 60):
        delivery.deliver_due(maker, send, now=clock + minute * delivery.BACKOFF_MAX)
    expected = [e["epcList"][0] for e in events if e["bizStep"] == "shipping"]
    assert sorted(_received_ids(receiver)) == sorted(expected)
    assert len(_received_ids(receiver)) == 750
    with unit_of_work(maker) as s:
        assert s.scalar(select(func.count()).where(OutboxMessage.delivered.is_(False))) == 0
        assert int(s.scalar(select(func.count()).select_from(DeliveryAttempt)) or 0) > 10


def test_rolled_back_capture_queues_nothing(maker: sessionmaker[Session], receiver: Receiver) -> None:
    party = _party(maker)
    _subscribe(maker, party, f"http://127.0.0.1:{receiver.port}/hook", [("EQ_bizStep", "shipping")])
    with unit_of_work(maker) as s:
        actor = s.get(Party, party)
        bad = document(object_event(1), object_event(2, action="X"))
        result = capture_service.capture_document(s, bad, actor=actor)  # type: ignore[arg-type]
        assert not result.job.success
    with unit_of_work(maker) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_failed_attempts_back_off_and_are_logged(maker: sessionmaker[Session], receiver: Receiver) -> None:
    party = _party(maker)
    _subscribe(maker, party, f"http://127.0.0.1:{receiver.port}/hook", [])
    _capture(maker, party, [object_event(1)])
    send = delivery.http_sender(timeout=2)
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
