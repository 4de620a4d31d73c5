"""The delivery worker inside the web app (lifespan), `zhuisu serve`'s default, and several workers at once never
delivering one outbox message twice."""

import os
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import CALLBACK_HOSTS, Credentials
from tests.exchange.flows import capture, live_client, stream_subscription
from tests.exchange.receiver import TOKEN, Receiver, documents, epcs, free_port, wait_for
from tests.support.epcis import document, object_event
from zhuisu.config import Settings, get_settings
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.subscriptions import cli as subscriptions_cli
from zhuisu.exchange.subscriptions import delivery
from zhuisu.exchange.subscriptions.worker import Worker
from zhuisu.models import DeliveryAttempt, OutboxMessage


def test_app_delivers_when_the_setting_says_so_and_stops_at_shutdown(
    live_db: sessionmaker[Session], live_settings: Settings, live_creds: Credentials, receiver: Receiver
) -> None:
    # given: an app with the in-process worker on, a receiver that is up
    settings = live_settings.model_copy(update={"subscriptions_worker": True})
    receiver.start()
    with live_client(live_db, settings) as client:
        worker = client.app.state.subscriptions_worker  # type: ignore[attr-defined]
        client.post("/queries", json={"name": "all", "query": {}}, headers=live_creds.headers)
        client.post(
            "/queries/all/subscriptions", json={"dest": receiver.url, "signatureToken": TOKEN, "stream": True},
            headers=live_creds.headers,
        )  # fmt: skip
        # when: an event is captured
        client.post("/capture", json=document(object_event(1)), headers=live_creds.headers)
        # then: it is delivered without any `zhuisu worker`
        assert wait_for(lambda: len(receiver.bodies) == 1)
        assert worker.running
    assert not worker.running
    assert [epcs(d) for d in documents(receiver)] == [[object_event(1)["epcList"][0]]]


def test_worker_is_off_by_default_in_the_app(live_db: sessionmaker[Session], live_creds: Credentials) -> None:
    url = live_db.kw["bind"].url.render_as_string(hide_password=False)
    with live_client(live_db, Settings(database_url=url, subscriptions_allowed_hosts=CALLBACK_HOSTS)) as client:
        assert client.app.state.subscriptions_worker.running is False  # type: ignore[attr-defined]


def test_two_workers_never_deliver_one_message_twice(live_db: sessionmaker[Session], live_creds: Credentials) -> None:
    # given: 30 notifications waiting, and a slow receiver
    receiver = Receiver(free_port(), delay=0.01)
    receiver.start()
    try:
        stream_subscription(live_db, live_creds.party_id, receiver.url, [])
        for n in range(30):
            capture(live_db, live_creds.party_id, [object_event(n)])
        send = delivery.http_sender(timeout=5, allowed=["127.0.0.1"])
        # when: two workers drain the outbox at the same time
        threads = [threading.Thread(target=delivery.deliver_due, args=(live_db, send)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        delivery.deliver_due(live_db, send)  # whatever one worker left for the other to finish
        # then: each message was sent exactly once, in order
        received = [epc for d in documents(receiver) for epc in epcs(d)]
        assert received == [object_event(n)["epcList"][0] for n in range(30)]
        with unit_of_work(live_db) as s:
            assert s.scalar(select(func.count()).select_from(DeliveryAttempt)) == 30
            assert s.scalar(select(func.count()).where(OutboxMessage.delivered.is_(False))) == 0
    finally:
        receiver.stop()


def test_worker_round_runs_schedules_and_delivers(
    live_db: sessionmaker[Session], live_settings: Settings, live_creds: Credentials, receiver: Receiver
) -> None:
    receiver.start()
    stream_subscription(live_db, live_creds.party_id, receiver.url, [])
    capture(live_db, live_creds.party_id, [object_event(1), object_event(2)])
    assert Worker(live_db, live_settings).run_once() == delivery.Round(1, 0)
    assert [epcs(d) for d in documents(receiver)] == [[object_event(n)["epcList"][0] for n in (1, 2)]]


@pytest.mark.parametrize(
    ("_case", "env", "flag", "expected"),
    [
        ("serve turns it on by default", None, None, "true"),
        ("an explicit setting is kept", "false", None, "false"),
        ("--no-worker", "true", False, "false"),
        ("--worker", "false", True, "true"),
    ],
)
def test_serve_configures_the_worker(
    monkeypatch: pytest.MonkeyPatch, _case: str, env: str | None, flag: bool | None, expected: str
) -> None:
    if env is None:
        monkeypatch.delenv("ZHUISU_SUBSCRIPTIONS_WORKER", raising=False)
    else:
        monkeypatch.setenv("ZHUISU_SUBSCRIPTIONS_WORKER", env)
    get_settings.cache_clear()
    try:
        subscriptions_cli.configure_server_worker(flag)
        assert (os.environ["ZHUISU_SUBSCRIPTIONS_WORKER"], get_settings().subscriptions_worker) == (
            expected, expected == "true",
        )  # fmt: skip
    finally:
        monkeypatch.delenv("ZHUISU_SUBSCRIPTIONS_WORKER", raising=False)
        get_settings.cache_clear()
