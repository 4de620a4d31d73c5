"""Capture entry points beside ``capture.service``: XML bodies, and capture jobs run in the background.

An XML document is converted (``reader``) to the JSON-LD document it stands for, so it goes through exactly the
validation, hashing and deduplication of JSON-LD capture. A large document is captured asynchronously, as the
REST binding allows: the job is recorded (``running``) in the request's transaction and the events are captured
after the response, in a transaction of their own, by the same ``capture_batch`` / ``finish_job`` steps as
``capture_document``.
"""

import logging
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from zhuisu.capture import service
from zhuisu.db.session import unit_of_work
from zhuisu.epcis.xml import reader, schema
from zhuisu.epcis.xml.errors import InvalidXml
from zhuisu.kit.time import utc_now
from zhuisu.models import CaptureJob, Party

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
    """Record a capture job for ``document``, to be run by ``run_job`` once this transaction commits."""
    events = document.get("epcisBody", {}).get("eventList") if isinstance(document, dict) else None
    count = len(events) if isinstance(events, list) else 0
    return service.open_job(session, actor=actor, behaviour=behaviour, source=source, event_count=count, agent=agent)


def run_job(maker: sessionmaker[Session], job_id: str, document: Any, behaviour: service.Behaviour) -> None:
    """Capture ``document`` into the queued job ``job_id``, in its own transaction; a crash fails the job."""
    try:
        with unit_of_work(maker) as session:
            job = session.get(CaptureJob, job_id)
            if job is None or not job.running:
                return
            service.capture_into(session, job, document, behaviour=behaviour)
    except Exception as exc:
        log.exception("capture job %s failed", job_id)
        with unit_of_work(maker) as session:
            job = session.get(CaptureJob, job_id)
            if job is not None:
                job.running, job.success, job.finished_at = False, False, utc_now()
                job.errors = [
                    *job.errors,
                    {
                        "eventIndex": None,
                        "pointer": "",
                        "code": "capture_failed",
                        "expected": "",
                        "message_zh": f"采集失败：{exc}",
                        "message_en": f"capture failed: {exc}",
                    },
                ]
