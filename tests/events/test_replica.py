"""``ZHUISU_DATABASE_REPLICA_URL`` with a real streaming replica (``pg_basebackup -R`` of a throwaway primary, a hot
standby replaying its WAL): the read-only query endpoints read from the replica, everything else from the primary.

Shown by pausing the replica's replay: an event captured then is in the capture job's answer (the primary) but not
in ``GET /events`` or the trace (the replica) until replay resumes."""

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.support import pgserver
from tests.support.epcis import document, object_event
from zhuisu.app.web import create_app
from zhuisu.config import Settings
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.parties import service as parties_service

pytestmark = [pytest.mark.xdist_group("replica")]


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[pgserver.PgServer, pgserver.PgServer]]:
    primary = pgserver.start()
    replica = None
    try:
        with psycopg.connect(f"host=127.0.0.1 port={primary.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute('CREATE DATABASE "zhuisu"')
        migrate.upgrade(primary.url("zhuisu"))
        replica = pgserver.start_replica(primary)
        yield primary, replica
    finally:
        if replica is not None:
            replica.stop()
        primary.stop()


def _on_replica(replica: pgserver.PgServer, sql: str) -> None:
    with psycopg.connect(f"host=127.0.0.1 port={replica.port} user=postgres dbname=zhuisu", autocommit=True) as c:
        c.execute(sql)


def _event_ids(client: TestClient, headers: dict[str, str]) -> list[str]:
    answer = client.get("/events", headers=headers)
    assert answer.status_code == 200, answer.text
    return [e["eventID"] for e in answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]


def _until(check: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_the_query_endpoints_read_from_the_replica(
    servers: tuple[pgserver.PgServer, pgserver.PgServer], tmp_path: Path
) -> None:
    primary, replica = servers
    settings = Settings(
        database_url=primary.url("zhuisu"),
        database_replica_url=replica.url("zhuisu"),
        data_dir=tmp_path,
        subscriptions_worker=False,
    )
    engine = make_engine(settings.database_url)
    with unit_of_work(make_sessionmaker(engine)) as s:
        party = parties_service.create_party(s, name="测试食品有限公司")
        headers = {"Authorization": f"Bearer {parties_service.issue_token(s, party=party).secret}"}
    engine.dispose()
    first = object_event(1, eventID="urn:uuid:replica-1")
    second = object_event(2, eventID="urn:uuid:replica-2", epcList=["urn:epc:id:sgtin:6901234.012345.2"])
    with TestClient(create_app(settings)) as client:
        assert client.post("/capture", json=document(first), headers=headers).status_code == 202
        _until(lambda: _event_ids(client, headers) == ["urn:uuid:replica-1"])
        _on_replica(replica, "SELECT pg_wal_replay_pause()")
        try:
            captured = client.post("/capture", json=document(second), headers=headers)
            assert (captured.status_code, captured.json()["captured"]) == (202, 1)
            job = client.get(captured.headers["Location"], headers=headers)  # the primary
            assert (job.status_code, job.json()["captured"]) == (200, 1)
            # the replica has not replayed it: the query endpoints do not see it yet
            assert _event_ids(client, headers) == ["urn:uuid:replica-1"]
            trace = client.get("/trace/urn:epc:id:sgtin:6901234.012345.2", headers=headers).json()
            assert trace["events"] == []
            assert client.get("/events/urn:uuid:replica-2", headers=headers).status_code == 404
        finally:
            _on_replica(replica, "SELECT pg_wal_replay_resume()")
        _until(lambda: _event_ids(client, headers) == ["urn:uuid:replica-1", "urn:uuid:replica-2"])
        trace = client.get("/trace/urn:epc:id:sgtin:6901234.012345.2", headers=headers).json()
        assert trace["events"] == ["urn:uuid:replica-2"]
