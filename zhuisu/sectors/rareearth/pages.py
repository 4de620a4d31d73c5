"""The rare earth pages (signed in): the desk (``/dashboard/rareearth``: the quota used per producer, the quotas and
their revisions, and for a regulator or the admin the form registering one) and the producer's page
(``/console/rareearth``: its quotas and usage, and the forms recording mining output, separation, sales and
receipts). Each calls the service its JSON twin in ``routes.py`` calls; what a caller sees is ``permissions``'."""

import re
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zhuisu.auth.permissions import SignedIn, to_signin
from zhuisu.auth.roles import is_admin
from zhuisu.auth.service import Caller
from zhuisu.errors import InvalidInput, ZhuisuError
from zhuisu.sectors.rareearth import permissions, recording, service
from zhuisu.sectors.rareearth.schemas import (
    MiningCreate,
    QuotaCreate,
    ReceiptCreate,
    SaleCreate,
    SeparationCreate,
)
from zhuisu.web.deps import DbSession
from zhuisu.web.rendering import page_language, render

router = APIRouter(tags=["rareearth"], include_in_schema=False)
Body = TypeVar("Body", bound=BaseModel)
#: Rows of the separation and sale forms (blank rows are left out).
FORM_ROWS = 3
_INDEXED = re.compile(r"^(\w+)-(\d+)-(\w+)$")


def _form_body(model: type[Body], form: dict[str, str]) -> Body:
    """A body from a form's fields: ``name`` and ``list-N-name`` (rows with nothing but their unit are left out);
    an invalid one raises InvalidInput naming the first field pydantic refused."""
    data: dict[str, Any] = {}
    rows: dict[str, dict[int, dict[str, str]]] = {}
    for key, value in form.items():
        if key == "csrf_token" or not value.strip():
            continue
        found = _INDEXED.match(key)
        if found:
            rows.setdefault(found[1], {}).setdefault(int(found[2]), {})[found[3]] = value.strip()
        else:
            data[key] = value.strip()
    for name, by_index in rows.items():
        # a row's unit is a select, sent also when nothing else of the row was filled in
        data[name] = [by_index[i] for i in sorted(by_index) if set(by_index[i]) - {"uom"}]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{where}：{first['msg']}", message_en=f"{where}: {first['msg']}", field=where) from None


def _may_register(caller: Caller) -> bool:
    return is_admin(caller.party) or permissions.regulates(caller.party)


def _desk(request: Request, session: DbSession, caller: Caller, year: int, **extra: Any) -> Response:
    context = {
        "party": caller.party,
        "csrf_token": caller.csrf_token,
        "year": year,
        "rows": service.usage_rows(session, reader=caller.party, year=year),
        "quotas": service.list_quotas(session, reader=caller.party, year=year, history=True),
        "may_register": _may_register(caller),
        "error": None,
        **extra,
    }
    return render(request, "rareearth/desk.html", context, status=400 if extra.get("error") else 200)


@router.get("/dashboard/rareearth", response_class=HTMLResponse, name="rareearth_desk")
def desk(
    request: Request, session: DbSession, caller: SignedIn, year: int | None = Query(None, ge=2000, le=2100)
) -> Response:
    """稀土总量控制: the quota used per producer (%, remaining) in a year, and the quotas with their revisions."""
    if caller is None:
        return to_signin(request)
    return _desk(request, session, caller, year or service.this_year())


@router.post("/dashboard/rareearth/quotas", name="rareearth_register_quota")
async def register_quota(request: Request, session: DbSession, caller: SignedIn) -> Response:
    """Register a quota (or a revision) from the desk's form; back to the desk of its year, or the desk with the
    reason it was refused (nothing stored)."""
    if caller is None:
        return to_signin(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        with session.begin_nested():
            body = _form_body(QuotaCreate, form)
            service.register_quota(session, body, actor=caller.party)
    except ZhuisuError as exc:
        year = int(form["year"]) if form.get("year", "").isdigit() else service.this_year()
        return _desk(request, session, caller, year, error=exc.localized(page_language(request)))
    return RedirectResponse(f"/dashboard/rareearth?year={body.year}", status_code=303)


def _producer(request: Request, session: DbSession, caller: Caller, recorded: str = "", **extra: Any) -> Response:
    year = service.this_year()
    mine = caller.party.id
    context = {
        "party": caller.party,
        "csrf_token": caller.csrf_token,
        "year": year,
        "rows": [r for r in service.usage_rows(session, reader=caller.party, year=year) if r.party_id == mine],
        "quotas": [q for q in service.list_quotas(session, reader=caller.party) if q.party_id == mine],
        "rows_range": range(FORM_ROWS),
        "recorded": recorded,
        "error": None,
        **extra,
    }
    return render(request, "rareearth/producer.html", context, status=400 if extra.get("error") else 200)


@router.get("/console/rareearth", response_class=HTMLResponse, name="rareearth_producer")
def producer(request: Request, session: DbSession, caller: SignedIn, recorded: str = "") -> Response:
    """我的稀土: my quotas and what I used of them this year, and the forms recording what I mine, separate, sell
    and receive (``recorded``: the eventID just recorded, shown)."""
    if caller is None:
        return to_signin(request)
    return _producer(request, session, caller, recorded=recorded)


_ACTIONS: dict[str, tuple[type[BaseModel], Any]] = {
    "mining": (MiningCreate, recording.record_mining),
    "separation": (SeparationCreate, recording.record_separation),
    "sales": (SaleCreate, recording.record_sale),
    "receipts": (ReceiptCreate, recording.record_receipt),
}


@router.post("/console/rareearth/{action}", name="rareearth_record", responses={404: {}})
async def record(request: Request, session: DbSession, caller: SignedIn, action: str) -> Response:
    """Record mining output, a separation, a sale or a receipt from the producer page's forms: back to the page
    naming the event recorded, or the page with the reason it was refused (nothing stored)."""
    if caller is None:
        return to_signin(request)
    if action not in _ACTIONS:
        return render(request, "portal/not_found.html", {"query": action, "message": "", "title": None}, status=404)
    model, record_it = _ACTIONS[action]
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        with session.begin_nested():
            done = record_it(session, _form_body(model, form), actor=caller.party)
    except ZhuisuError as exc:
        return _producer(request, session, caller, error=exc.localized(page_language(request)))
    target = f"/console/rareearth?{urlencode({'recorded': done.event_id})}#recorded"
    return RedirectResponse(target, status_code=303)
