"""Import EPCIS JSON-LD files of any size: streamed, validated first, then stored in resumable batches.

This is a job, not a service: it owns its transactions (through ``unit_of_work``), one per batch, so memory stays
bounded and an interrupted import keeps what it committed. Running the same file again stores only what is
missing — every event ends up stored exactly once, because capture is idempotent.

Pass 1 streams the file and validates every event (nothing is written). Under ``rollback`` a single invalid event
rejects the file: no event of it is stored, and every event's status says so. Pass 2 streams the file again and
captures it in batches of ``batch_size`` events.

An EPCIS XML file (1.2 or 2.0, told by its first character) is read whole, converted to the JSON-LD document it
stands for (``capture.jobs.document_from_xml``, as ``POST /capture`` does) and imported as that document.
"""

import gc
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.capture import jobs as capture_jobs
from zhuisu.capture import service
from zhuisu.capture.schemas import EventOutcome
from zhuisu.capture.service import Behaviour
from zhuisu.db.session import unit_of_work
from zhuisu.epcis import limits, validation
from zhuisu.epcis.reports import EventError
from zhuisu.epcis.stream import StreamError, iter_document, iter_events
from zhuisu.errors import ZhuisuError
from zhuisu.models import Party

#: Allocations between two collections of the youngest generation during an import (the default is 700).
_GC_THRESHOLD = 50_000

#: Called after each batch with (bytes read so far, events handled so far).
Progress = Callable[[int, int], None]


@dataclass
class FileReport:
    file: str
    captured: int = 0
    duplicates: int = 0
    rejected: int = 0
    document_errors: list[EventError] = field(default_factory=list)
    capture_id: str | None = None


def _header_document(header: dict[str, Any], first_event: Any) -> dict[str, Any]:
    doc = dict(header)
    doc["epcisBody"] = {"eventList": [first_event]}
    return doc


def _validate_file(path: Path) -> tuple[dict[str, Any], list[int], list[EventError], int]:
    """Pass 1: the header, the indexes of invalid events, document errors, and the number of events."""
    header: dict[str, Any] = {}
    invalid: list[int] = []
    count = 0
    first: Any = None
    late_context = False  # events came before the document's @context (JSON-LD allows any member order)
    try:
        with path.open("rb") as fp:
            for kind, key, value in iter_document(fp):
                if kind == "header":
                    header[key] = value
                elif kind == "event":
                    first = value if count == 0 else first
                    count += 1
                    if "@context" not in header:
                        late_context = True
                    elif _problems(key, value, header["@context"]):
                        invalid.append(key)
        if late_context:  # validated now that the whole header is known: one more read, for such files only
            with path.open("rb") as fp:
                invalid = [i for i, event in iter_events(fp) if _problems(i, event, header.get("@context"))]
    except StreamError as exc:
        return header, invalid, [_json_error(exc)], count
    doc = _header_document(header, first) if count else {**header, "epcisBody": {"eventList": []}}
    document_errors = [service.to_event_error(p) for p in validation.validate_document(doc) if p.event_index is None]
    return header, invalid, document_errors, count


def _problems(index: int, event: Any, context: Any) -> list[EventError]:
    found = validation.validate_event(event, index=index, base_pointer=f"/epcisBody/eventList/{index}", context=context)
    return [service.to_event_error(p) for p in found]


def _json_error(exc: StreamError) -> EventError:
    if "nested" in str(exc):
        return EventError(
            pointer="",
            code="nested_too_deep",
            expected=f"JSON nested at most {limits.MAX_DEPTH} levels deep",
            message_zh=f"文件嵌套超过 {limits.MAX_DEPTH} 层（约第 {exc.position} 字节），未读取其中的事件",
            message_en=f"the file is nested more than {limits.MAX_DEPTH} levels deep (near byte {exc.position}); "
            "none of its events was read",
        )
    return EventError(
        pointer="",
        code="invalid_json",
        expected="well-formed JSON",
        message_zh=f"文件不是有效的 JSON（约第 {exc.position} 字节）：{exc}",
        message_en=f"the file is not well-formed JSON (near byte {exc.position}): {exc}",
    )


def _batches(path: Path, size: int) -> Iterator[tuple[list[tuple[int, Any]], int]]:
    batch: list[tuple[int, Any]] = []
    with path.open("rb") as fp:
        for item in iter_events(fp):
            batch.append(item)
            if len(batch) >= size:
                yield batch, fp.tell()
                batch = []
        if batch:
            yield batch, fp.tell()


def import_file(
    maker: sessionmaker[Session],
    path: Path,
    *,
    actor_id: str,
    behaviour: Behaviour = "rollback",
    batch_size: int = 2000,
    on_outcome: Callable[[EventOutcome], None] | None = None,
    progress: Progress | None = None,
) -> FileReport:
    """Import one file; ``on_outcome`` receives every event's outcome in order (for ``--json`` output)."""
    if not _is_xml(path):
        with _few_collections():
            return _import(maker, path, actor_id, behaviour, batch_size, on_outcome, progress)
    try:
        document = capture_jobs.document_from_xml(path.read_bytes())
    except ZhuisuError as exc:
        error = EventError(
            pointer=str(exc.extra.get("pointer", "")),
            code="invalid_xml",
            expected="a well-formed EPCIS 1.2 or 2.0 XML document",
            message_zh=exc.message,
            message_en=exc.message_en,
        )
        return FileReport(file=str(path), document_errors=[error])
    with tempfile.TemporaryDirectory(prefix="zhuisu-import-") as workdir:
        converted = Path(workdir) / (path.stem + ".jsonld")
        converted.write_bytes(orjson.dumps(document))
        with _few_collections():
            report = _import(maker, converted, actor_id, behaviour, batch_size, on_outcome, progress)
    report.file = str(path)
    return report


def _is_xml(path: Path) -> bool:
    """Whether the file is XML: its first character, after any byte-order mark and white space, is ``<``."""
    with path.open("rb") as fp:
        head = fp.read(512).lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<")


@contextmanager
def _few_collections() -> Iterator[None]:
    """Fewer garbage-collector passes while importing, restored after.

    An import allocates millions of short-lived, acyclic JSON objects, and with the default thresholds Python
    collects hundreds of times per 10,000 events, each full pass walking every object of the process (about
    a sixth of the import's CPU time). Objects alive before the import are frozen out of the passes.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(_GC_THRESHOLD, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _import(
    maker: sessionmaker[Session],
    path: Path,
    actor_id: str,
    behaviour: Behaviour,
    batch_size: int,
    on_outcome: Callable[[EventOutcome], None] | None,
    progress: Progress | None,
) -> FileReport:
    report = FileReport(file=str(path))
    header, invalid, document_errors, count = _validate_file(path)
    report.document_errors = document_errors
    with unit_of_work(maker) as session:
        actor = session.get_one(Party, actor_id)
        job = service.open_job(session, actor=actor, behaviour=behaviour, source=str(path)[:500], event_count=count)
        report.capture_id = job.id
    if document_errors or (invalid and behaviour == "rollback"):
        return _reject_file(maker, path, report, header, invalid, batch_size, on_outcome)
    context = header.get("@context")
    handled = 0
    for batch, position in _batches(path, batch_size):
        # Events are validated again here rather than remembered from pass 1, so memory stays bounded.
        problems = {i: found for i, e in batch if (found := _problems(i, e, context))} if invalid else {}
        with unit_of_work(maker) as session:
            job = service.get_job(session, report.capture_id)
            outcomes = service.capture_batch(
                session, job, batch, context=context, problems=problems, behaviour=behaviour
            )
            service.record_outcomes(job, outcomes)
        _tally(report, outcomes, on_outcome)
        handled += len(batch)
        if progress:
            progress(position, handled)
    _close_job(maker, report)
    return report


_JOB_ERROR_CAP = 1000


def _reject_file(
    maker: sessionmaker[Session],
    path: Path,
    report: FileReport,
    header: dict[str, Any],
    invalid: list[int],
    batch_size: int,
    on_outcome: Callable[[EventOutcome], None] | None,
) -> FileReport:
    """Rollback semantics for a whole file: report every event as rejected; store none."""
    shown = ", ".join(str(i) for i in invalid[:10]) + (" …" if len(invalid) > 10 else "")
    because = EventError(
        pointer="",
        code="document_rejected",
        expected="a document whose every event is valid",
        message_zh=f"文件中的事件 {shown} 无效（或文档本身无效），整个文件被拒绝，本事件未保存",
        message_en=f"events {shown} of the file are invalid (or the document itself is), so no event was stored",
    )
    for_job: list[EventOutcome] = []
    context = header.get("@context")
    unreadable = any(e.code in ("invalid_json", "nested_too_deep") for e in report.document_errors)
    try:
        # A file that is not well-formed (or nested too deep) is not read again: its events cannot be told apart,
        # and reading them could cost what the first pass refused to spend.
        for batch, _ in [] if unreadable else _batches(path, batch_size):
            for index, event in batch:
                given = event.get("eventID") if isinstance(event, dict) else None
                own = _problems(index, event, context)
                outcome = EventOutcome(
                    index, given if isinstance(given, str) else None, None, "rejected", own or [because]
                )
                _tally(report, [outcome], on_outcome)
                if own and len(for_job) < _JOB_ERROR_CAP:
                    for_job.append(outcome)
    except StreamError:
        pass
    with unit_of_work(maker) as session:
        job = service.get_job(session, report.capture_id or "")
        service.finish_job(job, for_job, report.document_errors)
        job.rejected = report.rejected
        job.success = False
    return report


def _tally(report: FileReport, outcomes: list[EventOutcome], on_outcome: Callable[[EventOutcome], None] | None) -> None:
    for o in outcomes:
        if o.status == "captured":
            report.captured += 1
        elif o.status == "duplicate":
            report.duplicates += 1
        else:
            report.rejected += 1
        if on_outcome:
            on_outcome(o)


def _close_job(maker: sessionmaker[Session], report: FileReport) -> None:
    with unit_of_work(maker) as session:
        service.close_job(service.get_job(session, report.capture_id or ""))
