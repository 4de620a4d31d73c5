"""An accepted document is never lost: a node answers 202 to a large document and is killed (SIGKILL) before it
captured it; the next node started on the same database resumes the job and captures every event exactly once —
real processes, on both databases. Also the claim: two workers never run one job."""

import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.support.epcis import document, object_event
from tests.support.node import free_port, serve
from zhuisu.capture import jobs as capture_jobs
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.models import CaptureDocument, CaptureJob, Event, Party
from zhuisu.parties import service as parties_service

EVENTS = 60


@pytest.fixture
def node_env(cli_db: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ZHUISU_DATABASE_URL": cli_db,
        "ZHUISU_DATA_DIR": str(tmp_path / "var"),
        "ZHUISU_CAPTURE_ASYNC_MIN_EVENTS": "10",
        "ZHUISU_SUBSCRIPTIONS_POLL_SECONDS": "1",
    }


def test_a_document_accepted_then_killed_is_captured_once_after_restart(node_env: dict[str, str]) -> None:
    engine = make_engine(node_env["ZHUISU_DATABASE_URL"])
    maker = make_sessionmaker(engine)
    with unit_of_work(maker) as s:
        party = parties_service.create_party(s, name="持久采集企业")
        secret = parties_service.issue_token(s, party=party).secret
    body = document(*(object_event(n) for n in range(1, EVENTS + 1)))
    headers = {"Authorization": f"Bearer {secret}"}
    # given a node that leaves queued jobs to its workers, and runs none
    port = free_port()
    quiet = {**node_env, "ZHUISU_CAPTURE_JOBS_IN_BACKGROUND": "false", "ZHUISU_SUBSCRIPTIONS_WORKER": "false"}
    first = serve(quiet, port)
    try:
        accepted = httpx.post(f"http://127.0.0.1:{port}/capture", json=body, headers=headers, timeout=30)
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["captureID"]
        assert (accepted.json()["state"], accepted.json()["running"]) == ("queued", True)
    finally:
        # when it is killed at once
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    with maker() as s:
        assert (s.get_one(CaptureJob, job_id).state, _count(s, Event)) == ("queued", 0)
        assert s.get(CaptureDocument, job_id) is not None
    # then the next node's worker resumes the job and captures each event once
    second = serve(node_env, port)
    try:
        deadline = time.monotonic() + 60
        while True:
            job = httpx.get(f"http://127.0.0.1:{port}/capture/{job_id}", headers=headers, timeout=10).json()
            if job["state"] != "queued" and not job["running"]:
                break
            assert time.monotonic() < deadline, job
            time.sleep(0.3)
        assert (job["state"], job["captured"], job["duplicates"], job["rejected"]) == ("done", EVENTS, 0, 0)
        again = httpx.post(f"http://127.0.0.1:{port}/capture", json=body, headers=headers, timeout=30).json()
        deadline = time.monotonic() + 60
        while again["running"]:
            assert time.monotonic() < deadline, again
            time.sleep(0.3)
            again = httpx.get(f"http://127.0.0.1:{port}/capture/{again['captureID']}", headers=headers).json()
        assert (again["state"], again["captured"], again["duplicates"]) == ("done", 0, EVENTS)
    finally:
        second.terminate()
        second.wait(timeout=30)
    with maker() as s:
        assert (_count(s, Event), _count(s, CaptureDocument)) == (EVENTS, 0)
    engine.dispose()


def test_a_job_is_claimed_once(maker: sessionmaker[Session], session: Session) -> None:
    with unit_of_work(maker) as s:
        party = parties_service.create_party(s, name="认领测试企业")
        job = capture_jobs.queue_job(
            s, document(object_event(1)), actor=s.get_one(Party, party.id), behaviour="rollback", source="test"
        ).id
    assert capture_jobs.run_job(maker, job) is True
    assert capture_jobs.run_job(maker, job) is False  # done: nobody takes it again
    assert capture_jobs.resume(maker) == 0
    done = session.get_one(CaptureJob, job)
    assert (done.state, done.captured, done.running) == ("done", 1, False)
    assert session.get(CaptureDocument, job) is None


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)
