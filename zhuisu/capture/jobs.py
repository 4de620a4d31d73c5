"""Capture entry points beside ``capture.service``: XML bodies, and capture jobs run in the background.

An XML document is converted (``reader``) to the JSON-LD document it stands for, so it goes through exactly the
validation, hashing and deduplication of JSON-LD capture. A large document is captured asynchronously, as the
REST binding allows: the job (``queued``) and its document are stored in the transaction that answers 202, so an
accepted document is never lost; then a worker claims the job (``running``) and captures the events in a
transaction of their own, by the same ``capture_batch`` / ``finish_job`` steps as ``capture_document``, deleting the
stored document in that same transaction (``done`` or ``failed``). The web process runs the job right after
answering (``capture_jobs_in_background``); every worker round (``zhuisu worker``, the worker thread of ``zhuisu
serve``) resumes queued jobs and those whose worker died (``capture_job_lease_seconds``). A claim is one conditional
UPDATE, so any number of workers on PostgreSQL (or threads on SQLite) take each job once; and capturing a document
twice stores its events once.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.capture import service
from zhuisu.db.session import unit_of_work
from zhuisu.epcis.xml import reader, schema
from zhuisu.epcis.xml.errors import InvalidXml
from zhuisu.events import masterdata
from zhuisu.kit.time import utc_now
from zhuisu.models import CaptureDocument, CaptureJob, Party

log = logging.getLogger(__name__)


def document_from_xml(raw: bytes, *, strict: bool = False) -> dict[str, Any]:
    """The JSON-LD ``EPCISDocument`` an EPCIS XML body stands for (query documents give their results).

    With ``strict``, an EPCIS 2.0 document must also be valid against the GS1 XSD. Raises InvalidXml.
    """
    root = reader.parse(raw)
    if strict:
        problems = schema.xsd_errors(root)
        if problems:
            raise InvalidXml(
                f"XML 文档不符合 EPCIS 2.0 XSD：{problems[0]}",
                message_en=f"the XML document is not valid against the EPCIS 2.0 XSD: {problems[0]}",
                errors=problems[:20],
            )
    return reader.as_capture_document(reader.read_document(root))


def queue_job(
    session: Session,
    document: Any,
    *,
    actor: Party,
    behaviour: service.Behaviour,
    source: str,
    agent: Party | None = None,
) -> CaptureJob:
    """Record a queued capture job for ``document`` and keep the document with it, in this transaction."""
    events = document.get("epcisBody", {}).get("eventList") if isinstance(document, dict) else None
    count = len(events) if isinstance(events, list) else 0
    job = service.open_job(session, actor=actor, behaviour=behaviour, source=source, event_count=count, agent=agent)
    job.state = "queued"
    session.add(CaptureDocument(job_id=job.id, body=document))
    session.flush()
    return job


def run_job(maker: sessionmaker[Session], job_id: str, *, lease_seconds: int = 900) -> bool:
    """Claim the queued job ``job_id`` (or one whose claim is older than ``lease_seconds``) and capture its document
    in a transaction of its own; False when another worker has it or it is finished. A crash fails the job and
    keeps its document."""
    now = utc_now()
    with unit_of_work(maker) as session:
        claim = (
            update(CaptureJob)
            .where(CaptureJob.id == job_id, _claimable(now, lease_seconds))
            .values(state="running", claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if session.execute(claim).rowcount != 1:  # type: ignore[attr-defined]
            return False
    try:
        with unit_of_work(maker) as session:
            job = session.get_one(CaptureJob, job_id)
            stored = session.get_one(CaptureDocument, job_id)
            behaviour: service.Behaviour = "proceed" if job.behaviour == "proceed" else "rollback"
            service.capture_into(session, job, stored.body, behaviour=behaviour)
            if job.success or behaviour == "proceed":
                masterdata.record_vocabularies(session, stored.body)
            session.delete(stored)
    except Exception as exc:
        log.exception("capture job %s failed", job_id)
        with unit_of_work(maker) as session:
            job = session.get_one(CaptureJob, job_id)
            job.running, job.success, job.finished_at, job.state = False, False, utc_now(), "failed"
            job.errors = [
                *job.errors,
                {
                    "eventIndex": None,
                    "pointer": "",
                    "code": "capture_failed",
                    "expected": "",
                    "message_zh": f"采集失败：{exc}（文档已保留）",
                    "message_en": f"capture failed: {exc} (the document is kept)",
                },
            ]
    return True


def resume(maker: sessionmaker[Session], *, lease_seconds: int = 900, limit: int = 20) -> int:
    """Capture the jobs waiting for a worker — queued, or running under a claim older than ``lease_seconds`` —
    oldest first, at most ``limit``; how many this worker captured (a worker round's task)."""
    now = utc_now()
    with unit_of_work(maker) as session:
        waiting = list(
            session.scalars(
                select(CaptureJob.id)
                .where(_claimable(now, lease_seconds))
                .order_by(CaptureJob.created_at, CaptureJob.id)
                .limit(limit)
            )
        )
    return sum(run_job(maker, job_id, lease_seconds=lease_seconds) for job_id in waiting)


def _claimable(now: datetime, lease_seconds: int) -> ColumnElement[bool]:
    expired = now - timedelta(seconds=lease_seconds)
    return or_(
        CaptureJob.state == "queued",
        and_(CaptureJob.state == "running", CaptureJob.claimed_at.is_not(None), CaptureJob.claimed_at < expired),
    )
