"""``GET /trace/{code}?direction=back|forward|both`` (the recall impact under ``/trace/{code}/impact``:
``zhuisu.recall.routes``). The code may be a Digital Link (slashes and all), an EPC URN or a GS1 element string,
URL-encoded or not."""

from typing import Literal

from fastapi import APIRouter, Query

from zhuisu.auth.permissions import CurrentActor
from zhuisu.trace import service
from zhuisu.trace.schemas import TraceRead
from zhuisu.web.deps import ReadSession

router = APIRouter(tags=["trace"])


@router.get("/trace/{code:path}", response_model=TraceRead, responses={401: {}, 422: {}})
def trace(
    code: str,
    actor: CurrentActor,
    session: ReadSession,
    direction: Literal["back", "forward", "both"] = Query("both", description="Where it came from, went, or both."),
) -> TraceRead:
    """Where the code came from and where it went: things, events, parties, journey, findings — in the caller's
    lane (``trace.permissions``): parties beyond its direct trading partners as their regions."""
    return service.trace(session, code, direction=direction, viewer=actor)
