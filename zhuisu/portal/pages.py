"""The public portal's HTML pages and the GS1 Digital Link resolver.

``/01/{gtin}/10/{lot}/21/{serial}`` (any primary key of ``service.PRIMARY_KEYS``, any qualifiers) and
``/c/{code}`` (any code zhuisu recognises) show the product page to browsers. Per the GS1 Digital Link resolver
conventions a client asking for ``application/linkset+json`` (Accept header) or ``?linkType=all`` gets the
linkset instead, and ``?linkType=<type>`` is redirected (307) to that link. Unknown codes get a 404 page with a
search box, never an error page. Every route is rate-limited per client address.
"""

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from zhuisu.errors import ZhuisuError
from zhuisu.portal import complaints, linkset
from zhuisu.portal import service as portal_service
from zhuisu.portal.errors import UnknownCode
from zhuisu.portal.rendering import page_language, portal_state, rate_limit, render, story_path
from zhuisu.portal.schemas import ComplaintCreate, PublicProductRead
from zhuisu.web.deps import DbSession

_VARY = {"Vary": "Accept, Accept-Language, Cookie"}
router = APIRouter(tags=["portal"], dependencies=[Depends(rate_limit)], include_in_schema=True)


def cached_story(request: Request, session: Session, code: str) -> PublicProductRead:
    """The story of ``code``, from this process's cache when fresh (``portal_cache_seconds``)."""
    state = portal_state(request)
    story: PublicProductRead | None = state.stories.get(code)
    if story is None:
        story = portal_service.product_story(session, code, key=state.key)
        state.stories.put(code, story)
    return story


@router.get("/portal", response_class=HTMLResponse, name="portal_home")
def home(request: Request) -> Response:
    """The portal's front page: a search box and the camera scanner."""
    return render(request, "portal/home.html", {"query": "", "message": None})


@router.get("/search", response_class=HTMLResponse, name="portal_search")
def search(request: Request, q: str = "") -> Response:
    """A typed or scanned code: to its product page when it is a code, else back to the search box."""
    found = portal_service.search(q)
    if found.code:
        return RedirectResponse(story_path(found.code), status_code=303)
    message = found.message_en if page_language(request) == "en" else found.message_zh
    return render(request, "portal/home.html", {"query": q, "message": message}, status=404 if q else 200)


@router.get("/c/{code:path}", response_class=HTMLResponse, name="portal_code", responses={404: {}})
async def by_code(request: Request, code: str, linkType: str | None = None) -> Response:
    """The product page of any code zhuisu recognises."""
    return await _answer(request, code, linkType)


@dataclass(frozen=True)
class _CachedPage:
    body: bytes
    status: int
    media_type: str


async def _answer(request: Request, code: str, link_type: str | None) -> Response:
    """Served from this process's page cache when fresh; else computed in a worker thread with its own
    transaction, so a cache hit touches neither the database nor the thread pool (the hot path)."""
    wants_linkset = _wants_linkset(request, link_type)
    key = (code, page_language(request), request.query_params.get("lang"), wants_linkset, link_type)
    pages = portal_state(request).pages
    hit: _CachedPage | None = pages.get(key)
    if hit is not None:
        return Response(hit.body, status_code=hit.status, media_type=hit.media_type, headers=_VARY)
    response = await run_in_threadpool(_compute, request, code, link_type, wants_linkset)
    if response.status_code in (200, 404) and isinstance(response.body, bytes):
        pages.put(key, _CachedPage(response.body, response.status_code, response.media_type or "text/html"))
    return response


def _wants_linkset(request: Request, link_type: str | None) -> bool:
    accept = request.headers.get("accept", "")
    return link_type in ("all", "linkset") or (
        "application/linkset+json" in accept or ("application/json" in accept and "text/html" not in accept)
    )


def _compute(request: Request, code: str, link_type: str | None, wants_linkset: bool) -> Response:
    with request.app.state.sessionmaker.begin() as session:
        try:
            story = cached_story(request, session, code)
        except UnknownCode as exc:
            if wants_linkset or link_type:
                raise
            return _not_found(request, code, exc)
    if link_type and link_type not in ("all", "linkset", linkset.PIP):
        return RedirectResponse(linkset.link_for(request, story, link_type), status_code=307)
    if wants_linkset:
        return JSONResponse(linkset.linkset(request, story), media_type=linkset.MEDIA_TYPE, headers=_VARY)
    response = render(
        request,
        "portal/product.html",
        {"story": story, "story_json": story.model_dump(mode="json"), "link": linkset.anchor(story)},
    )
    response.headers.update(_VARY)
    return response


def _not_found(request: Request, code: str, exc: ZhuisuError) -> Response:
    message = exc.localized(page_language(request))
    return render(request, "portal/not_found.html", {"query": code, "message": message}, status=404)


def _resolver(primary: str) -> Any:
    async def resolve(request: Request, rest: str, linkType: str | None = None) -> Response:
        return await _answer(request, portal_service.digital_link(f"/{primary}/{rest}"), linkType)

    resolve.__doc__ = f"GS1 Digital Link resolver for primary key AI ({primary})."
    return resolve


for _primary in portal_service.PRIMARY_KEYS:
    router.add_api_route(
        f"/{_primary}/{{rest:path}}",
        _resolver(_primary),
        methods=["GET"],
        response_class=HTMLResponse,
        name=f"portal_dl_{_primary}",
        responses={404: {}},
    )


@router.post("/complaints", response_class=HTMLResponse, name="portal_complaint", responses={400: {}})
def file_complaint(
    request: Request,
    session: DbSession,
    message: Annotated[str, Form(max_length=4000)],
    code: Annotated[str, Form(max_length=500)] = "",
    kind: Annotated[str, Form()] = "complaint",
    contact: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """File a complaint or report from a product page; answers with the acknowledgement and its reference."""
    data = ComplaintCreate(
        kind="report" if kind == "report" else "complaint", code=code, message=message or " ", contact=contact
    )
    complaint = complaints.file_complaint(session, data, language=page_language(request))
    back = story_path(complaint.code) if complaint.code else None
    return render(
        request,
        "portal/complaint_ack.html",
        {"ack": complaints.acknowledgement(complaint), "back": back, "query": quote(code)},
        status=201,
    )
