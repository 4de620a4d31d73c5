"""The public portal's HTML pages and the GS1 Digital Link resolver.

``/01/{gtin}/10/{lot}/21/{serial}`` (any primary key of ``service.PRIMARY_KEYS``, any qualifiers) and
``/c/{code}`` (any code zhuisu recognises) show the product page to browsers. Per the GS1 Digital Link resolver
conventions a client asking for ``application/linkset+json`` (Accept header) or ``?linkType=all`` gets the
linkset instead, and ``?linkType=<type>`` is redirected (307) to that link; a page names its linkset in a ``Link``
header, and ``HEAD`` answers as ``GET`` without the body. Unknown codes get a 404 page with a search box, never an
error page; a text that cannot be a code (a wrong check digit, a wrong length, no scheme at all) a 400 page saying
so in plain words, with the box to type it again — unless another node answers for it: the resolver directory
(``federated``) or the parent node, to which the request is redirected (307) as GS1 resolvers federate.
Every route is rate-limited per client address.

Pages come from the story read model (``stories``) with an entity tag (``If-None-Match`` → 304) and
``Cache-Control: no-cache``; nothing is cached in the server process.
"""

import gzip
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from zhuisu.codes import gs1_digital_link
from zhuisu.codes.canonical import canonical_code
from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.errors import ZhuisuError
from zhuisu.portal import complaints, federated, linkset, stories
from zhuisu.portal import service as portal_service
from zhuisu.portal.errors import UnknownCode
from zhuisu.portal.schemas import ComplaintCreate
from zhuisu.portal.state import portal_state, rate_limit
from zhuisu.sectors.equipment import service as equipment_service
from zhuisu.sectors.equipment.lifecycle import CODE_URL, may_be_equipment
from zhuisu.web.deps import DbSession
from zhuisu.web.rendering import LANG_COOKIE, page_language, render, story_path

_VARY = {"Vary": "Accept, Accept-Language, Cookie"}
router = APIRouter(tags=["portal"], dependencies=[Depends(rate_limit)], include_in_schema=True)


def freshness(request: Request) -> stories.Freshness:
    """How the read model serves this node's stories (``portal_story_max_age_seconds``, the ledger key)."""
    settings: Settings = request.app.state.settings
    return stories.Freshness(portal_state(request).key, settings.portal_story_max_age_seconds)


def stored_response(request: Request, page: stories.StoredPage, *, tag: str, media_type: str) -> Response:
    """A stored page or story with its entity tag: 304 when the client has it; the gzip body as it is when the
    client accepts gzip. ``no-cache``: caches keep it but ask each time, so a recall shows at once."""
    etag = f'W/"{page.etag}-{tag}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept, Accept-Language, Cookie, Accept-Encoding"}
    if etag in (t.strip() for t in request.headers.get("if-none-match", "").split(",")):
        return Response(status_code=304, headers=headers)
    body = page.body
    if media_type.startswith("text/html"):
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
        else:
            body = gzip.decompress(body)
    return Response(body, media_type=media_type, headers=headers)


@router.get("/portal", response_class=HTMLResponse, name="portal_home")
def home(request: Request) -> Response:
    """The portal's front page: a search box and the camera scanner."""
    return render(request, "portal/home.html", {"query": "", "message": None})


@router.get("/search", response_class=HTMLResponse, name="portal_search", responses={404: {}})
def search(request: Request, q: str = "") -> Response:
    """A typed or scanned code: to its product page when it is a code, else back to the search box."""
    found = portal_service.search(q)
    if found.code:
        return RedirectResponse(story_path(found.code), status_code=303)
    message = found.message_en if page_language(request) == "en" else found.message_zh
    status = 200 if not q.strip() else 400 if portal_service.malformed(q) else 404
    return render(request, "portal/home.html", {"query": q, "message": message}, status=status)


@router.get("/c/{code:path}", response_class=HTMLResponse, name="portal_code", responses={400: {}, 404: {}})
async def by_code(request: Request, code: str, linkType: str | None = None) -> Response:
    """The product page of any code zhuisu recognises."""
    return await _answer(request, code, linkType)


# HEAD answers as GET without the body (a resolver client checks a link; GS1 Digital Link resolver conventions).
router.add_api_route("/c/{code:path}", by_code, methods=["HEAD"], include_in_schema=False, name="portal_code_head")


async def _answer(request: Request, code: str, link_type: str | None) -> Response:
    """The product page from the story read model (one indexed read when the story is fresh, else built and
    stored in a worker thread); the linkset or a link's redirect from the stored story JSON."""
    wants_linkset = _wants_linkset(request, link_type)
    maker = request.app.state.sessionmaker
    if wants_linkset or (link_type and link_type != linkset.PIP):
        try:
            story = await run_in_threadpool(stories.story, maker, code, freshness=freshness(request))
        except UnknownCode:
            found = await _elsewhere(request, code)
            if found is None:
                raise
            return found
        if link_type and link_type not in ("all", "linkset"):
            return RedirectResponse(linkset.link_for(request, story, link_type), status_code=307)
        return JSONResponse(linkset.linkset(request, story), media_type=linkset.MEDIA_TYPE, headers=_VARY)
    lang = page_language(request)
    fresh = freshness(request)
    canonical = canonical_code(code)
    # 一梯一码: registered special equipment has a page of its own
    if may_be_equipment(canonical) or may_be_equipment(code.strip()):
        label = await run_in_threadpool(_equipment, maker, code)
        if label is not None:
            return RedirectResponse("/e/" + quote(label, safe=""), status_code=307)
    # The hot path: a stored story is one indexed read by primary key, done here rather than in a worker
    # thread (the hop costs more than the read); a story to build goes to a worker thread.
    page = stories.read(maker, canonical, lang, max_age_seconds=fresh.max_age_seconds)
    try:
        if page is None:
            page = await run_in_threadpool(stories.load, maker, code, lang, freshness=fresh)
    except UnknownCode as exc:
        return await _elsewhere(request, code) or _not_found(request, code, exc)
    response = stored_response(request, page, tag=lang, media_type="text/html; charset=utf-8")
    response.headers["Link"] = _linkset_header(request)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def _equipment(maker: sessionmaker[Session], code: str) -> str | None:
    """The label of the registered equipment ``code`` names, or None."""
    with maker() as session:
        found = equipment_service.find(session, code)
        return found.code.removeprefix(CODE_URL) if found is not None else None


#: The query parameter counting the nodes a code nothing is recorded about was sent on from (no loops).
HOPS = "zs_hops"


async def _elsewhere(request: Request, code: str) -> Response | None:
    """A code nothing is recorded about here: 307 to the node the resolver directory says answers for it, or to
    the parent node (``federated.resolve_elsewhere``), as GS1 resolvers federate; None if none."""
    try:
        hops = int(request.query_params.get(HOPS, "0"))
    except ValueError:
        hops = federated.MAX_HOPS
    canonical = canonical_code(code)
    settings: Settings = request.app.state.settings

    def find() -> federated.Elsewhere | None:
        with unit_of_work(request.app.state.sessionmaker, write=False) as session:
            return federated.resolve_elsewhere(session, canonical, settings.base_url, hops=hops)

    found = await run_in_threadpool(find)
    if found is None:
        return None
    query = [(k, v) for k, v in request.query_params.multi_items() if k != HOPS] + [(HOPS, str(hops + 1))]
    target = f"{found.url}{request.url.path}?{urlencode(query)}"
    return RedirectResponse(target, status_code=307, headers=_VARY)


def _linkset_header(request: Request) -> str:
    """The ``Link`` header of a product page: where its linkset is (GS1 Digital Link resolver conventions)."""
    url = str(request.url.replace(query="linkType=linkset"))
    return f'<{url}>; rel="linkset"; type="{linkset.MEDIA_TYPE}"'


def _wants_linkset(request: Request, link_type: str | None) -> bool:
    accept = request.headers.get("accept", "")
    return link_type in ("all", "linkset") or (
        "application/linkset+json" in accept or ("application/json" in accept and "text/html" not in accept)
    )


def _not_found(request: Request, code: str, exc: ZhuisuError) -> Response:
    """404 for a code nothing is recorded about; 400, saying what is wrong, for one that cannot be a code."""
    wrong = portal_service.malformed(code)
    if wrong is not None:
        en = page_language(request) == "en"
        context = {
            "query": code,
            "title": wrong.title_en if en else wrong.title_zh,
            "message": wrong.detail_en if en else wrong.detail_zh,
        }
        return render(request, "portal/not_found.html", context, status=400)
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
        responses={400: {}, 404: {}},
    )
    router.add_api_route(
        f"/{_primary}/{{rest:path}}",
        _resolver(_primary),
        methods=["HEAD"],
        include_in_schema=False,
        name=f"portal_dl_{_primary}_head",
    )


@router.post("/complaints", response_class=HTMLResponse, name="portal_complaint", status_code=201, responses={400: {}})
def file_complaint(
    request: Request,
    session: DbSession,
    message: Annotated[str, Form(max_length=4000)],
    code: Annotated[str, Form(max_length=500)] = "",
    kind: Annotated[str, Form()] = "complaint",
    contact: Annotated[str, Form(max_length=200)] = "",
    anonymous: Annotated[str, Form()] = "",
    reward: Annotated[str, Form()] = "",
) -> Response:
    """File a complaint or report from a product page; answers with the acknowledgement and its reference."""
    data = ComplaintCreate(
        kind="report" if kind == "report" else "complaint",
        code=code,
        message=message or " ",
        contact=contact,
        anonymous=bool(anonymous),
        reward=bool(reward),
    )
    complaint = complaints.file_complaint(session, data, language=page_language(request))
    back = story_path(complaint.code) if complaint.code else None
    return render(
        request,
        "portal/complaint_ack.html",
        {"ack": complaints.acknowledgement(complaint), "back": back, "query": quote(code)},
        status=201,
    )


@router.get("/complaint", response_class=HTMLResponse, name="portal_complaint_lookup", responses={404: {}})
def complaint_lookup(request: Request, session: DbSession, reference: str = "") -> Response:
    """Follow up a complaint or report by its reference number: where it stands and the regulator's answer (what
    the person who filed may see; nothing else of it). The JSON twin: ``GET /api/v1/portal/complaints/{ref}``."""
    if not reference.strip():
        return render(request, "portal/complaint_lookup.html", {"reference": "", "message": None})
    try:
        complaint = complaints.get_complaint(session, reference)
    except ZhuisuError as exc:
        missing = {"reference": reference, "message": exc.localized(page_language(request))}
        return render(request, "portal/complaint_lookup.html", missing, status=404)
    back = story_path(complaint.code) if complaint.code else None
    found: dict[str, object] = {"ack": complaints.acknowledgement(complaint), "back": back, "lookup": True}
    return render(request, "portal/complaint_ack.html", found)


#: Mounted after every other router: a compressed Digital Link is one path segment, which any other one-segment
#: route (``/portal``, ``/docs``, ``/recalls`` …) would otherwise lose to it.
compressed_router = APIRouter(tags=["portal"], dependencies=[Depends(rate_limit)])


async def by_compressed_link(request: Request, compressed: str, linkType: str | None = None) -> Response:
    """A compressed GS1 Digital Link on this node (``/AQyNo0UVqEIC4``): the product page of what it stands for."""
    expanded = gs1_digital_link.decompressed(f"{request.url.scheme}://{request.url.netloc}/{compressed}")
    if expanded is None:
        raise StarletteHTTPException(status_code=404)
    return await _answer(request, expanded, linkType)


for _method in ("GET", "HEAD"):
    compressed_router.add_api_route(
        "/{compressed}",
        by_compressed_link,
        methods=[_method],
        response_class=HTMLResponse,
        name=f"portal_compressed_{_method.lower()}",
        include_in_schema=_method == "GET",
        responses={400: {}, 404: {}},
    )
