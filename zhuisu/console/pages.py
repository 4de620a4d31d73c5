"""The enterprise console (signed in): my products and code batches, issuing codes, label sheets, uploading an
events spreadsheet. JSON twins in ``routes.py``."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zhuisu.auth.permissions import SignedIn, to_signin
from zhuisu.auth.service import Caller
from zhuisu.console import service, spreadsheet, vocabulary
from zhuisu.errors import InvalidInput, NotFound, ZhuisuError
from zhuisu.labels.payload import human_text
from zhuisu.portal.vocabulary import step_label
from zhuisu.web.deps import DbSession, SettingsDep
from zhuisu.web.rendering import page_language, render

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)


def _page(request: Request, session: DbSession, caller: Caller, **extra: object) -> Response:
    party = caller.party
    context = {
        "party": party,
        "csrf_token": caller.csrf_token,
        "products": service.my_products(session, party=party),
        "batches": service.my_batches(session, party=party),
        "error": None,
        "upload": None,
        "recalls": service.recall_inbox(session, party=party),
        "uploads": [
            (row, result.to_json(page_language(request))) for row, result in service.my_uploads(session, party=party)
        ],
        "events": [],
        "where": service.EventFilter(),
        "events_error": None,
        "step_name": step_label,
        "steps": vocabulary.BIZ_STEPS,
        "dispositions": vocabulary.DISPOSITIONS,
        "code_text": human_text,
        **extra,
    }
    return render(request, "console/index.html", context, status=400 if extra.get("error") else 200)


@router.get("", response_class=HTMLResponse, name="console")
def index(
    request: Request,
    session: DbSession,
    caller: SignedIn,
    code: str = "",
    step: str = "",
    since: date | None = None,
    until: date | None = None,
) -> Response:
    """The console home; 我的事件 narrowed by a code, a business step and a day range (Beijing time)."""
    if caller is None:
        return to_signin(request)
    where = service.EventFilter(code=code, step=step, since=since, until=until)
    try:
        events = service.my_events(session, party=caller.party, where=where)
        problem = None
    except ZhuisuError as exc:
        events, problem = [], exc.localized(page_language(request))
    return _page(request, session, caller, events=events, where=where, events_error=problem)


def _day(value: str, field: str) -> date | None:
    """A date field of a form: blank is none (a browser sends an empty date input as "")."""
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"日期「{value}」无效，应为 YYYY-MM-DD", message_en=f"invalid date {value!r}: YYYY-MM-DD", field=field
        ) from None


@router.post("/batches", name="console_issue")
def issue(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    caller: SignedIn,
    count: Annotated[int, Form(ge=1)],
    gtin: Annotated[str, Form()] = "",
    product_code: Annotated[str, Form()] = "",
    product_name: Annotated[str, Form()] = "",
    lot: Annotated[str, Form()] = "",
    production_date: Annotated[str, Form()] = "",
    expiry: Annotated[str, Form()] = "",
) -> Response:
    """Issue codes (with the production and expiry dates the product's class may ask for); back to the console, or
    the console with the reason it failed."""
    if caller is None:
        return to_signin(request)
    try:
        with session.begin_nested():  # a refused issue leaves nothing behind, and the page is still read
            service.issue(
                session,
                party=caller.party,
                settings=settings,
                gtin=gtin.strip(),
                product_code=product_code.strip(),
                product_name=product_name.strip(),
                lot=lot.strip(),
                count=count,
                production_date=_day(production_date, "production_date"),
                expiry=_day(expiry, "expiry"),
            )
    except ZhuisuError as exc:
        return _page(request, session, caller, error=exc.localized(page_language(request)))
    return RedirectResponse("/console#batches", status_code=303)


@router.get("/batches/{batch_id}/labels.pdf", name="console_labels")
def labels(request: Request, session: DbSession, settings: SettingsDep, caller: SignedIn, batch_id: str) -> Response:
    if caller is None:
        return to_signin(request)
    pdf = service.label_sheet(session, batch_id, party=caller.party, settings=settings)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="labels-{batch_id}.pdf"'},
    )


@router.post("/uploads", name="console_upload")
async def upload(request: Request, session: DbSession, caller: SignedIn, file: UploadFile) -> Response:
    """Upload an events spreadsheet; the page lists rejected rows with the column and what was expected."""
    if caller is None:
        return to_signin(request)
    lang = page_language(request)
    try:
        result = service.upload_events(session, await file.read(), filename=file.filename or "", party=caller.party)
    except ZhuisuError as exc:
        return _page(request, session, caller, error=exc.localized(lang))
    return _page(request, session, caller, upload=result.to_json(lang))


@router.get("/template.{fmt}", name="console_template")
def template(request: Request, fmt: str, lang: str = "") -> Response:
    """The events spreadsheet to fill in (``xlsx`` or ``csv``), headers in zh-CN or English (``?lang=en``)."""
    chosen = lang if lang in ("zh", "en") else page_language(request)
    if fmt == "csv":
        body, media = spreadsheet.template_csv(chosen), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, media = spreadsheet.template(chosen), spreadsheet.XLSX
    else:
        raise NotFound(f"没有 {fmt} 格式的模板", message_en=f"no template in {fmt}")
    name = f"zhuisu-events-{chosen}.{fmt}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
