"""EPCIS 2.0 capture: validate, fingerprint, deduplicate and store events, all or nothing by default.

A capture writes its events, their identifier index and its capture job in the caller's transaction; it never commits.
With the standard's ``rollback`` behaviour one invalid event rejects the whole document and no event is written (the job
still records why); with ``proceed`` the valid events are stored and each rejected one is listed with its reasons. The
write path is validate (``zhuisu.epcis``) → check (``BEFORE_STORE``) → store → ledger → trace graph → catalog flags
(``WRITE_PATH``) → ``signals.events_recorded``, all in the caller's transaction. An event whose eventID or CBV 2.0 event
hash is already stored is reported as a duplicate and not stored again, so re-sending a document is harmless.

A child node (a party of role ``node``) reports what it recorded with ``POST /capture`` too: its events are not held
to the ownership rules (``permissions.check_events``; the child applied them to its own recorders), but to this
node's catalog rules all the same, and each carries its provenance from the document header (``PROVENANCE``) to
the readers of ``events_recorded`` (``StoredEvent.origin``).
"""

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson
from sqlalchemy import String, any_, bindparam, func, insert, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhuisu.auth.roles import is_admin
from zhuisu.capture import permissions, signals
from zhuisu.capture.schemas import CaptureResult, EventOutcome
from zhuisu.catalog import enforcement as catalog_enforcement
from zhuisu.epcis import hashing, validation
from zhuisu.epcis.indexed import indexed_codes, indexed_fields
from zhuisu.epcis.reports import EventError
from zhuisu.errors import NotFound
from zhuisu.events import partitions
from zhuisu.events.stored import StoredEvent
from zhuisu.kit.i18n import pair
from zhuisu.kit.time import utc_now
from zhuisu.ledger import service as ledger_service
from zhuisu.models import CaptureJob, Event, EventContext, EventKey, Party
from zhuisu.parties import delegations, mirrors
from zhuisu.sectors import interlocks as sector_interlocks
from zhuisu.trace import service as trace_service

Behaviour = Literal["rollback", "proceed"]

_IN_CHUNK = 500

#: The ``epcisHeader`` member (a full IRI, so no prefix needs declaring) in which a child node sends each event's
#: provenance, by eventID: ``{"node", "nodeURL", "recordTime", "recorder": {…}, "hash", "withheld": […]}``.
PROVENANCE = "https://zhuisu.cn/ns/epcis/provenance"


#: Checks that need the database (e.g. the catalog's per-class data-element and licence rules), run on events that
#: passed schema validation, before anything is stored, with the recorder's id (the party the events are credited
#: to): each returns the errors of the events it refuses, by index.
#: Refused events are rejected exactly like schema-invalid ones (so under rollback the document stores nothing).
BEFORE_STORE: tuple[
    Callable[[Session, Sequence[tuple[int, dict[str, Any]]], Any, str], dict[int, list[EventError]]], ...
] = (catalog_enforcement.check_events, sector_interlocks.check_events)

#: The write path after the insert, in order, in the capture transaction, with each batch of newly stored events
#: (never duplicates): the ledger's leaves, the trace graph's edges, the catalog's flags. An exception rolls the
#: whole capture back, so events and what follows from them never diverge. Readers (the portal's stories,
#: subscriptions, oversight's rules) are not here: they receive ``signals.events_recorded`` after these steps and
#: capture knows none of them.
WRITE_PATH: tuple[Callable[[Session, Sequence[StoredEvent]], None], ...] = (
    ledger_service.append_events,
    trace_service.record_events,
    catalog_enforcement.record_flags,
    sector_interlocks.record_flags,
)


@dataclass
class _Prepared:
    index: int
    event: dict[str, Any]
    event_id: str
    hash: str
    origin: dict[str, Any] | None = None
    #: The party the event is credited to when it is not the job's recorder (a child node's event: its recorder's
    #: mirror, ``parties.mirrors``).
    recorder_id: str | None = None


def to_event_error(problem: validation.Problem) -> EventError:
    return EventError(
        pointer=problem.pointer,
        code=problem.code,
        expected=problem.expected,
        message_zh=problem.message("zh"),
        message_en=problem.message("en"),
    )


def _error(pointer: str, code: str, expected: str, zh: str, en: str) -> EventError:
    return EventError(pointer=pointer, code=code, expected=expected, message_zh=zh, message_en=en)


def open_job(
    session: Session, *, actor: Party, behaviour: Behaviour, source: str, event_count: int, agent: Party | None = None
) -> CaptureJob:
    """A running job of ``actor`` (the recorder), captured by ``agent`` when a platform records on its behalf."""
    job = CaptureJob(
        recorder_id=actor.id,
        agent_id=agent.id if agent is not None and agent.id != actor.id else None,
        behaviour=behaviour,
        source=source[:500],
        event_count=event_count,
        running=True,
        success=True,
        captured=0,
        duplicates=0,
        rejected=0,
        errors=[],
    )
    session.add(job)
    session.flush()
    return job


def record_outcomes(
    job: CaptureJob, outcomes: Sequence[EventOutcome], document_errors: Sequence[EventError] = ()
) -> None:
    """Add the outcome counts and errors of a batch to the job (a job may take several batches)."""
    job.captured += sum(1 for o in outcomes if o.status == "captured")
    job.duplicates += sum(1 for o in outcomes if o.status == "duplicate")
    job.rejected += sum(1 for o in outcomes if o.status == "rejected")
    new_errors = [{"eventIndex": None, **_stored(e)} for e in document_errors]
    new_errors += [{"eventIndex": o.index, "eventID": o.event_id, **_stored(e)} for o in outcomes for e in o.errors]
    job.errors = [*job.errors, *new_errors]
    job.success = job.rejected == 0 and not job.errors


def close_job(job: CaptureJob) -> None:
    job.running = False
    job.state = "done" if job.success else "failed"
    job.finished_at = utc_now()


def finish_job(job: CaptureJob, outcomes: Sequence[EventOutcome], document_errors: Sequence[EventError] = ()) -> None:
    """Record the outcome counts and errors of a one-batch capture on the job and close it."""
    record_outcomes(job, outcomes, document_errors)
    close_job(job)


def _stored(error: EventError) -> dict[str, Any]:
    """An error as a job keeps it; a NUL (which PostgreSQL's jsonb cannot hold) is kept as the text ``\\u0000``."""
    return {
        "pointer": _printable(error.pointer),
        "code": error.code,
        "expected": error.expected,
        "message_zh": _printable(error.message_zh),
        "message_en": _printable(error.message_en),
    }


def _printable(text: str) -> str:
    return text.replace("\x00", "\\u0000")


def get_job(session: Session, capture_id: str) -> CaptureJob:
    """A capture job by id. Raises NotFound."""
    job = session.get(CaptureJob, capture_id)
    if job is None:
        raise NotFound(f"没有采集任务 {capture_id}", message_en=f"no capture job {capture_id}")
    return job


def list_jobs(session: Session, *, recorder: Party, limit: int) -> list[CaptureJob]:
    return list(
        session.scalars(
            select(CaptureJob)
            .where(or_(CaptureJob.recorder_id == recorder.id, CaptureJob.agent_id == recorder.id))
            .order_by(CaptureJob.created_at.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Checked:
    """What capture works out of a document without the database: its schema problems and the CBV 2.0 hash of each
    event that has none (or why it cannot be hashed). ``POST /capture`` works it out before its transaction
    begins, so SQLite's write lock is not held while a document is validated and hashed (a fifth of a 100-event
    capture's time)."""

    problems: list[validation.Problem]
    hashes: dict[int, str | EventError]


def check_document(document: Any) -> Checked:
    """Validate ``document`` and hash its valid events (pure: no database)."""
    problems = validation.validate_document(document)
    context = document.get("@context") if isinstance(document, dict) else None
    refused = {p.event_index for p in problems if p.event_index is not None}
    hashes = {
        index: _hash_or_error(index, event, context)
        for index, event in enumerate(_event_list(document))
        if index not in refused
    }
    return Checked(problems, hashes)


def capture_document(
    session: Session,
    document: Any,
    *,
    actor: Party,
    behaviour: Behaviour = "rollback",
    source: str = "",
    agent: Party | None = None,
    checked: Checked | None = None,
) -> CaptureResult:
    """Capture an EPCISDocument (parsed JSON-LD) as ``actor``'s, recorded by ``agent`` (a platform under a delegation;
    None: by ``actor`` itself); ``checked``: ``check_document(document)`` if already done. See the module docstring
    for the semantics."""
    count = len(_event_list(document))
    job = open_job(session, actor=actor, behaviour=behaviour, source=source, event_count=count, agent=agent)
    return capture_into(session, job, document, behaviour=behaviour, checked=checked)


def capture_into(
    session: Session, job: CaptureJob, document: Any, *, behaviour: Behaviour, checked: Checked | None = None
) -> CaptureResult:
    """Validate and capture ``document`` under an open ``job`` (``capture_document``, or a job queued before and run
    later), and close the job."""
    if checked is None:
        checked = check_document(document)
    problems = checked.problems
    events = _event_list(document)
    document_errors = [to_event_error(p) for p in problems if p.event_index is None]
    by_index: dict[int, list[EventError]] = {}
    for p in problems:
        if p.event_index is not None:
            by_index.setdefault(p.event_index, []).append(to_event_error(p))
    context = document.get("@context") if isinstance(document, dict) else None
    outcomes = capture_batch(
        session,
        job,
        list(enumerate(events)),
        context=context,
        problems=by_index,
        behaviour=behaviour,
        document_errors=document_errors,
        provenance=_provenance(session, job, document),
        hashes=checked.hashes,
    )
    finish_job(job, outcomes, document_errors)
    return CaptureResult(job=job, outcomes=outcomes, document_errors=document_errors)


def capture_single_event(
    session: Session, event: Any, *, actor: Party, source: str = "", agent: Party | None = None
) -> CaptureResult:
    """Capture one event (``POST /events``); the event carries its own ``@context``."""
    problems = validation.validate_event(event, index=0)
    job = open_job(session, actor=actor, behaviour="rollback", source=source, event_count=1, agent=agent)
    errors = [to_event_error(p) for p in problems]
    context = event.get("@context") if isinstance(event, dict) else None
    outcomes = capture_batch(
        session,
        job,
        [(0, event if isinstance(event, dict) else {})],
        context=context,
        problems={0: errors} if errors else {},
        behaviour="rollback",
    )
    finish_job(job, outcomes)
    return CaptureResult(job=job, outcomes=outcomes)


@dataclass(frozen=True)
class _Provenance:
    """What a child node (``node``) said of its events: each one's provenance by eventID, with ``via`` (the node)
    added."""

    node: Party
    origins: dict[str, dict[str, Any]]


def _provenance(session: Session, job: CaptureJob, document: Any) -> _Provenance | None:
    """The provenance a child node sent in the document's header (nobody else's is read)."""
    header = document.get("epcisHeader") if isinstance(document, dict) else None
    given = header.get(PROVENANCE) if isinstance(header, dict) else None
    if not isinstance(given, dict):
        return None
    node = session.get(Party, job.recorder_id)
    if node is None or node.actor != "node":
        return None
    origins = {k: {**v, "via": node.id} for k, v in given.items() if isinstance(k, str) and isinstance(v, dict)}
    return _Provenance(node, origins)


def _event_list(document: Any) -> list[Any]:
    if not isinstance(document, dict):
        return []
    body = document.get("epcisBody")
    events = body.get("eventList") if isinstance(body, dict) else None
    return events if isinstance(events, list) else []


def capture_batch(
    session: Session,
    job: CaptureJob,
    events: Sequence[tuple[int, Any]],
    *,
    context: Any,
    problems: dict[int, list[EventError]],
    behaviour: Behaviour,
    document_errors: Sequence[EventError] = (),
    provenance: _Provenance | None = None,
    hashes: dict[int, str | EventError] | None = None,
) -> list[EventOutcome]:
    """Fingerprint, deduplicate and store already-validated events; ``problems`` holds each index's errors;
    ``provenance`` what a child node sent of them; ``hashes`` each event's hash when already computed
    (``check_document``).

    Returns one outcome per event, in order. Under ``rollback`` any problem (or a document error) stores nothing.
    """
    outcomes: dict[int, EventOutcome] = {}
    prepared: list[_Prepared] = []
    for index, event in events:
        errors = problems.get(index)
        if errors:
            outcomes[index] = EventOutcome(index, _given_id(event), None, "rejected", list(errors))
            continue
        event_hash = hashes.get(index) if hashes is not None else None
        if event_hash is None:
            event_hash = _hash_or_error(index, event, context)
        if isinstance(event_hash, EventError):
            outcomes[index] = EventOutcome(index, _given_id(event), None, "rejected", [event_hash])
            continue
        if "recordTime" in event:
            # The repository sets recordTime (EPCIS 2.0 §7.4.1): a value sent by the client is not kept, so the
            # event as stored and served carries the node's record time, which its ledger leaf commits to.
            event = {k: v for k, v in event.items() if k != "recordTime"}
        event_id = _given_id(event) or event_hash
        origin = provenance.origins.get(event_id) if provenance is not None else None
        prepared.append(_Prepared(index, event, event_id, event_hash, origin))
    prepared = _apply_permission_checks(session, job, prepared, outcomes)
    prepared = _apply_store_checks(session, prepared, outcomes, context, job.recorder_id)
    if behaviour == "rollback" and (outcomes or document_errors):
        return _reject_all(events, outcomes, prepared)
    if provenance is not None:
        # Credited to their recorders' mirrors, made only now: a refused event leaves none behind.
        given = {p.event_id: p.origin for p in prepared if p.origin is not None}
        recorders = mirrors.resolve(session, given, via=provenance.node)
        for p in prepared:
            p.recorder_id = recorders.get(p.event_id)
    fresh = _store_fresh(session, job, prepared, outcomes, context)
    for p in fresh:
        outcomes[p.index] = EventOutcome(p.index, p.event_id, p.hash, "captured")
    return [outcomes[i] for i, _ in events]


def _hash_or_error(index: int, event: Any, context: Any) -> str | EventError:
    try:
        return hashing.event_hash(event, context)
    except (ValueError, TypeError, KeyError) as exc:
        return _error(
            f"/epcisBody/eventList/{index}",
            "unhashable_event",
            "an event the CBV 2.0 event hash can be computed for",
            f"第 {index} 个事件无法计算事件哈希：{exc}",
            f"event {index} cannot be hashed: {exc}",
        )


def _apply_store_checks(
    session: Session, prepared: list[_Prepared], outcomes: dict[int, EventOutcome], context: Any, recorder_id: str
) -> list[_Prepared]:
    if not BEFORE_STORE or not prepared:
        return prepared
    refused: dict[int, list[EventError]] = {}
    for check in BEFORE_STORE:
        for index, errors in check(session, [(p.index, p.event) for p in prepared], context, recorder_id).items():
            refused.setdefault(index, []).extend(errors)
    for p in prepared:
        if p.index in refused:
            outcomes[p.index] = EventOutcome(p.index, p.event_id, p.hash, "rejected", refused[p.index])
    return [p for p in prepared if p.index not in refused]


def _apply_permission_checks(
    session: Session, job: CaptureJob, prepared: list[_Prepared], outcomes: dict[int, EventOutcome]
) -> list[_Prepared]:
    """Refuse the events the recorder may not record (``permissions.check_events``), like schema-invalid ones."""
    if not prepared:
        return prepared
    recorder = session.get(Party, job.recorder_id)
    if recorder is None or recorder.actor == "node":
        return prepared  # a child node's events met its own ownership rules; this node's catalog rules still apply
    events = [(p.index, p.event) for p in prepared]
    agent = session.get(Party, job.agent_id) if job.agent_id else None
    if agent is None or is_admin(agent):
        refused = permissions.check_events(session, recorder, events)
    elif (delegation := delegations.in_force(session, platform=agent, enterprise=recorder)) is not None:
        refused = permissions.check_events(session, recorder, events, delegated=delegation.classes)
    else:  # revoked or expired since the job was queued
        refused = {p.index: [permissions.not_delegated(p.index)] for p in prepared}
    for p in prepared:
        if p.index in refused:
            outcomes[p.index] = EventOutcome(p.index, p.event_id, p.hash, "rejected", refused[p.index])
    return [p for p in prepared if p.index not in refused]


def _given_id(event: Any) -> str | None:
    value = event.get("eventID") if isinstance(event, dict) else None
    return value if isinstance(value, str) else None


def _reject_all(
    events: Sequence[tuple[int, Any]], outcomes: dict[int, EventOutcome], prepared: list[_Prepared]
) -> list[EventOutcome]:
    bad = sorted(outcomes)
    shown = ", ".join(str(i) for i in bad[:10]) + (" …" if len(bad) > 10 else "")
    for p in prepared:
        why = (
            _error(
                "",
                "document_rejected",
                "a document whose every event is valid",
                f"同一文档中的事件 {shown} 无效，整个文档被拒绝（rollback），本事件未保存",
                f"events {shown} of the same document are invalid, so the whole document was rejected "
                "(rollback); this event was not stored",
            )
            if bad
            else _error(
                "",
                "document_rejected",
                "a valid document",
                *pair("the document is invalid, so none of its events was stored"),
            )
        )
        outcomes[p.index] = EventOutcome(p.index, p.event_id, p.hash, "rejected", [why])
    return [outcomes[i] for i, _ in events]


def _drop_duplicates(session: Session, prepared: list[_Prepared], outcomes: dict[int, EventOutcome]) -> list[_Prepared]:
    """Mark events already stored (or repeated earlier in the batch) as duplicates; return the rest."""
    ids = [p.event_id for p in prepared]
    hashes = [p.hash for p in prepared]
    seen_ids = _existing(session, EventKey.event_id, ids)
    seen_hashes = _existing(session, EventKey.event_hash, hashes)
    fresh: list[_Prepared] = []
    for p in prepared:
        if p.event_id in seen_ids or p.hash in seen_hashes:
            outcomes[p.index] = EventOutcome(p.index, p.event_id, p.hash, "duplicate")
            continue
        seen_ids.add(p.event_id)
        seen_hashes.add(p.hash)
        fresh.append(p)
    return fresh


def _existing(session: Session, column: Any, values: list[str]) -> set[str]:
    if values and session.get_bind().dialect.name == "postgresql":
        # One round trip with the values as one array parameter, not a query per chunk of bound values.
        wanted = bindparam("values", values, type_=postgresql.ARRAY(String))
        return set(session.scalars(select(column).where(column == any_(wanted))))
    found: set[str] = set()
    for start in range(0, len(values), _IN_CHUNK):
        chunk = values[start : start + _IN_CHUNK]
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found


#: How often a batch re-checks for duplicates after a concurrent capture stored some of its events first.
_RACE_ATTEMPTS = 5


def _store_fresh(
    session: Session, job: CaptureJob, prepared: list[_Prepared], outcomes: dict[int, EventOutcome], context: Any
) -> list[_Prepared]:
    """Store the events not stored yet (the others are marked duplicates) and run the write path; the stored ones.

    Another transaction may store some of the same events between the check and the insert (on PostgreSQL the
    insert then waits for it and meets a unique violation): the insert runs under a savepoint, and on a conflict
    the check runs again and sees them — a duplicate is a duplicate however it races, never an error."""
    conflicts = 0
    while True:
        fresh = _drop_duplicates(session, prepared, outcomes)
        if not fresh:
            return []
        context_id = _context_id(session, context)  # stored only when an event is (one indexed read after)
        try:
            with session.begin_nested():
                record_time, ids = _insert(session, job, fresh, context_id)
        except IntegrityError:
            conflicts += 1
            if conflicts == _RACE_ATTEMPTS:
                raise
            continue
        _write_path(session, job, fresh, context, record_time, ids)
        return fresh


def _insert(
    session: Session, job: CaptureJob, fresh: list[_Prepared], context_id: int | None
) -> tuple[datetime, list[int]]:
    """Insert the events and their index rows; (record time, primary keys)."""
    record_time = utc_now()
    rows = [_event_row(p, job=job, record_time=record_time, context_id=context_id) for p in fresh]
    # Core inserts on the tables, not ORM bulk persistence: same SQL, a fraction of the Python per row.
    tables = Event.metadata.tables
    events_table, keys_table, epcs_table = tables["events"], tables["event_keys"], tables["event_epcs"]
    drawn = _new_event_ids(session, len(rows), record_time)
    if drawn is None:
        ids = list(
            session.scalars(insert(events_table).returning(events_table.c.id, sort_by_parameter_order=True), rows)
        )
    else:
        ids = drawn
        for pk, row in zip(ids, rows, strict=True):
            row["id"] = pk
        session.execute(insert(events_table), rows)
    # The unique keys: a concurrent capture of the same event meets its unique violation here.
    session.execute(
        insert(keys_table),
        [{"event_pk": pk, "event_id": p.event_id, "event_hash": p.hash} for pk, p in zip(ids, fresh, strict=True)],
    )
    index_rows = [row for pk, p in zip(ids, fresh, strict=True) for row in _index_rows(pk, p.event)]
    if index_rows:
        session.execute(insert(epcs_table), index_rows)
    return record_time, ids


def _write_path(
    session: Session,
    job: CaptureJob,
    fresh: list[_Prepared],
    context: Any,
    record_time: datetime,
    ids: list[int],
) -> None:
    stored = [
        StoredEvent(
            pk=pk,
            event_id=p.event_id,
            hash=p.hash,
            record_time=record_time,
            recorder_id=p.recorder_id or job.recorder_id,
            event=p.event,
            context=context,
            origin=p.origin,
        )
        for pk, p in zip(ids, fresh, strict=True)
    ]
    for step in WRITE_PATH:
        step(session, stored)
    signals.events_recorded.send(session, stored)


def _new_event_ids(session: Session, count: int, record_time: datetime) -> list[int] | None:
    """Primary keys for ``count`` new events, taken before the insert so it needs no RETURNING (which costs
    twice the insert on SQLite and a round trip per row on PostgreSQL); None on other databases.

    PostgreSQL draws them from the column's sequence, as the default would, in the range of the record time's
    month (``events.partitions``). SQLite gives a new row the largest rowid plus one; the write transaction is the
    only writer, and one that started deferred and raced another writer fails to write (its snapshot is stale)
    rather than reuse an id.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return partitions.draw_keys(session, count, record_time)
    if dialect == "sqlite":
        top = int(session.scalar(select(func.coalesce(func.max(Event.id), 0))) or 0)
        return list(range(top + 1, top + 1 + count))
    return None


def _context_id(session: Session, context: Any) -> int | None:
    if context is None:
        return None
    digest = hashlib.sha256(orjson.dumps(context, option=orjson.OPT_SORT_KEYS)).hexdigest()
    found = session.scalar(select(EventContext.id).where(EventContext.digest == digest))
    if found is not None:
        return int(found)
    try:
        # A concurrent capture may store the same new context first: insert under a savepoint, and on conflict
        # use the row that won.
        with session.begin_nested():
            row = EventContext(digest=digest, body=context)
            session.add(row)
        return row.id
    except IntegrityError:
        return int(session.scalar(select(EventContext.id).where(EventContext.digest == digest)) or 0)


def _event_row(p: _Prepared, *, job: CaptureJob, record_time: datetime, context_id: int | None) -> dict[str, Any]:
    return {
        "event_id": p.event_id,
        "event_hash": p.hash,
        **indexed_fields(p.event),
        "record_time": record_time,
        "recorder_id": p.recorder_id or job.recorder_id,
        "capture_id": job.id,
        "context_id": context_id,
        "body": p.event,
    }


def _index_rows(pk: int, event: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for role, value, quantity, uom in indexed_codes(event):
        yield {"event_pk": pk, "role": role, "value": value, "quantity": quantity, "uom": uom}
