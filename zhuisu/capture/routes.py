"""The capture side of the GS1 EPCIS 2.0 REST binding: ``POST /capture``, ``POST /events``, capture jobs."""

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Depends, Header, Query
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from zhuisu.auth.permissions import CurrentActor, presents_bearer
from zhuisu.capture import jobs as capture_jobs
from zhuisu.capture import permissions, service
from zhuisu.capture.schemas import CaptureResult
from zhuisu.config import Settings
from zhuisu.epcis import formats
from zhuisu.errors import AlreadyExists, InvalidInput, TooLarge, ZhuisuError
from zhuisu.events import masterdata
from zhuisu.events import service as events_service
from zhuisu.kit.time import format_iso
from zhuisu.models import CaptureJob, Party
from zhuisu.parties import delegations
from zhuisu.web import epcis_http
from zhuisu.web.deps import DbSession, Language, SettingsDep
from zhuisu.web.errors import problem_response

router = APIRouter(tags=["capture"])
#: Characters an event ID keeps in a Location header; anything else (non-ASCII IRIs) is percent-encoded.
_URI_CHARS = ":/?#[]@!$&'()*+,;=%-._~"


async def read_capture_body(request: Request, settings: SettingsDep) -> Any:
    """A capture body: JSON-LD as sent, or EPCIS 1.2/2.0 XML converted to the JSON-LD document it stands for."""
    media, raw = await epcis_http.read_raw_body(request, settings, (*epcis_http.JSON_TYPES, *epcis_http.XML_TYPES))
    if media in epcis_http.XML_TYPES:
        return capture_jobs.document_from_xml(raw, strict=settings.capture_xml_strict)
    return epcis_http.parse_json(raw)


@dataclass(frozen=True)
class Received:
    """A ``POST /capture`` body as read, parsed, validated and hashed before the request's transaction begins: on
    SQLite that transaction holds the database's only write lock, which other captures wait for, so it should
    not also cover reading the body, parsing it (on the event loop, shared with every other request) and the
    checks that need no database. What could not be read is kept as ``error`` and raised once the caller is
    known: a caller without a valid token is answered 401 whatever it sent."""

    document: Any = None
    checked: service.Checked | None = None
    error: ZhuisuError | None = None


async def receive_capture(request: Request, settings: SettingsDep) -> Received:
    if not presents_bearer(request):
        return Received()  # anonymous: 401 from the caller's dependency, the body unread
    try:
        document = await read_capture_body(request, settings)
    except ZhuisuError as exc:
        return Received(error=exc)
    body = document.get("epcisBody") if isinstance(document, dict) else None
    events = body.get("eventList") if isinstance(body, dict) else None
    count = len(events) if isinstance(events, list) else 0
    if count > settings.capture_limit_events or count >= settings.capture_async_min_events:
        return Received(document)  # refused as too large, or checked by its background job
    return Received(document, await run_in_threadpool(service.check_document, document))


JsonBody = Annotated[Any, Depends(epcis_http.read_json_body)]
ReceivedCapture = Annotated[Received, Depends(receive_capture)]
OnBehalfOf = Annotated[
    str | None,
    Query(
        alias="onBehalfOf",
        description="A platform recording for an enterprise that delegated to it: the enterprise's party id, "
        "统一社会信用代码 or GLN. The events are the enterprise's; the job keeps the platform as recording agent. "
        "403 not_delegated without a delegation in force.",
    ),
]


def _recorder(session: Session, actor: Party, on_behalf_of: str | None) -> tuple[Party, Party | None]:
    """(recorder, agent): the caller itself, or the enterprise it records for under a delegation."""
    if on_behalf_of is None or not on_behalf_of.strip():
        return actor, None
    enterprise, _ = delegations.acting_for(session, actor, on_behalf_of.strip())
    return enterprise, actor


def job_document(job: CaptureJob, lang: str) -> dict[str, Any]:
    """The capture job as the REST binding describes it, with our counts (``finishedAt`` once it has finished: the
    binding types it a date-time, never null)."""
    finished = {"finishedAt": format_iso(job.finished_at)} if job.finished_at else {}
    return {
        "captureID": job.id,
        "createdAt": format_iso(job.created_at),
        **finished,
        "running": job.running,
        "success": job.success,
        "state": job.state,
        "captureErrorBehaviour": job.behaviour,
        "eventCount": job.event_count,
        "captured": job.captured,
        "duplicates": job.duplicates,
        "rejected": job.rejected,
        "errors": [
            {k: v for k, v in e.items() if not k.startswith("message_")}
            | {"message": e.get("message_en" if lang == "en" else "message_zh", "")}
            for e in job.errors
        ],
    }


@router.post("/capture", status_code=202, responses={400: {}, 401: {}, 413: {}, 415: {}})
def capture(
    received: ReceivedCapture,  # first: resolved before the caller's dependency opens the transaction
    request: Request,
    actor: CurrentActor,
    session: DbSession,
    settings: SettingsDep,
    lang: Language,
    background: BackgroundTasks,
    on_behalf_of: OnBehalfOf = None,
    behaviour: Annotated[str, Header(alias="GS1-Capture-Error-Behaviour")] = "rollback",
) -> Response:
    """Capture an EPCIS document: 2.0 JSON-LD, or 2.0 / 1.2 XML (``application/xml``). Rollback by default: one
    invalid event rejects the document. A document of ``capture_async_min_events`` events or more is captured in
    the background: the answer is 202 with the job's ``Location``, whose status ``GET /capture/{id}`` reports."""
    if received.error is not None:
        raise received.error
    document = received.document
    if behaviour not in ("rollback", "proceed"):
        raise InvalidInput(
            f"GS1-Capture-Error-Behaviour 应为 rollback 或 proceed，收到 {behaviour!r}",
            message_en=f"GS1-Capture-Error-Behaviour must be rollback or proceed, got {behaviour!r}",
        )
    formats.negotiate(request.headers)  # EPCs are taken in either form; a GS1-EPC-Format value must still be valid
    recorder, agent = _recorder(session, actor, on_behalf_of)
    body = document.get("epcisBody") if isinstance(document, dict) else None
    events = body.get("eventList") if isinstance(body, dict) else None
    if not events and masterdata.vocabularies_of(document):
        recorded = masterdata.record_vocabularies(session, document)
        return JSONResponse(
            {"vocabularyElements": recorded}, status_code=202, headers=epcis_http.limit_headers(settings)
        )
    if isinstance(events, list) and len(events) > settings.capture_limit_events:
        raise TooLarge(
            f"文档含 {len(events)} 个事件，超过上限 {settings.capture_limit_events}",
            message_en=f"the document has {len(events)} events, more than the limit of {settings.capture_limit_events}",
        )
    if isinstance(events, list) and len(events) >= settings.capture_async_min_events:
        mode: service.Behaviour = "proceed" if behaviour == "proceed" else "rollback"
        job = capture_jobs.queue_job(
            session, document, actor=recorder, agent=agent, behaviour=mode, source="POST /capture"
        )
        if settings.capture_jobs_in_background:
            lease = settings.capture_job_lease_seconds
            background.add_task(capture_jobs.run_job, request.app.state.sessionmaker, job.id, lease_seconds=lease)
        headers = {"Location": f"/capture/{job.id}", **epcis_http.limit_headers(settings)}
        return JSONResponse(job_document(job, lang), status_code=202, headers=headers)
    result = service.capture_document(
        session,
        document,
        actor=recorder,
        agent=agent,
        behaviour=behaviour,  # type: ignore[arg-type]
        source="POST /capture",
        checked=received.checked,
    )
    if result.job.success or behaviour == "proceed":
        masterdata.record_vocabularies(session, document)
    return _capture_response(request, result, lang, settings)


def _capture_response(request: Request, result: CaptureResult, lang: str, settings: Settings) -> Response:
    job = result.job
    headers = {"Location": f"/capture/{job.id}", **epcis_http.limit_headers(settings)}
    outcomes = [o.to_json(lang) for o in result.outcomes]
    if job.behaviour == "rollback" and not job.success:
        errors = [{"eventIndex": None, **e.to_json(lang)} for e in result.document_errors]
        errors += [
            {"eventIndex": o.index, **_event_id(o.event_id), **e.to_json(lang)}
            for o in result.outcomes
            for e in o.errors
            if e.code != "document_rejected"
        ]
        first = errors[0] if errors else {"message": ""}
        detail = (
            f"文档被拒绝，未保存任何事件：{first['message']}"
            if lang != "en"
            else f"the document was rejected and no event was stored: {first['message']}"
        )
        return problem_response(
            request,
            status=400,
            code="document_rejected",
            detail=detail,
            headers=headers,
            captureID=job.id,
            errors=errors,
        )
    return JSONResponse({**job_document(job, lang), "events": outcomes}, status_code=202, headers=headers)


def _event_id(event_id: str | None) -> dict[str, str]:
    """An error's ``eventID`` member: the refused event's own, when it has one."""
    return {"eventID": event_id} if event_id else {}


@router.post("/events", status_code=201, responses={400: {}, 401: {}, 409: {}, 413: {}})
def capture_event(
    request: Request,
    actor: CurrentActor,
    session: DbSession,
    lang: Language,
    event: JsonBody,
    on_behalf_of: OnBehalfOf = None,
) -> Response:
    """Capture a single EPCIS event, which carries its own ``@context``."""
    formats.negotiate(request.headers)
    recorder, agent = _recorder(session, actor, on_behalf_of)
    result = service.capture_single_event(session, event, actor=recorder, agent=agent, source="POST /events")
    outcome = result.outcomes[0]
    if outcome.status == "rejected":
        errors = [{"eventIndex": 0, **_event_id(outcome.event_id), **e.to_json(lang)} for e in outcome.errors]
        return problem_response(request, status=400, code="event_rejected", detail=errors[0]["message"], errors=errors)
    if outcome.status == "duplicate":
        raise AlreadyExists(
            f"事件已存在：{outcome.event_id}",
            message_en=f"the event is already captured: {outcome.event_id}",
            eventID=outcome.event_id,
            hash=outcome.hash,
        )
    # The binding's 201 body is the event itself: as stored, with its eventID, recordTime and @context.
    document = events_service.query_document(session, [events_service.get_event(session, outcome.event_id or "")])
    stored = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]
    return JSONResponse(
        {"@context": document["@context"], **stored},
        status_code=201,
        headers={"Location": f"/events/{quote(outcome.event_id or '', safe=_URI_CHARS)}"},
    )


@router.get("/capture/{capture_id}", responses={401: {}, 403: {}, 404: {}})
def get_capture_job(capture_id: str, actor: CurrentActor, session: DbSession, lang: Language) -> dict[str, Any]:
    """A capture job of the caller's: whether it is running, succeeded, its counts and errors."""
    job = service.get_job(session, capture_id)
    permissions.check_job(actor, job)
    return job_document(job, lang)


@router.get("/capture", responses={401: {}})
def list_capture_jobs(actor: CurrentActor, session: DbSession, lang: Language) -> list[dict[str, Any]]:
    """The caller's 100 most recent capture jobs."""
    return [job_document(job, lang) for job in service.list_jobs(session, recorder=actor, limit=100)]
