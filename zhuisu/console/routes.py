"""JSON twins of the enterprise console (``/api/v1/console``); session cookie or bearer token."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, UploadFile
from starlette.requests import Request

from zhuisu.auth.permissions import SignedInParty
from zhuisu.console import service
from zhuisu.kit.time import format_iso
from zhuisu.web.deps import DbSession
from zhuisu.web.rendering import page_language

router = APIRouter(prefix="/api/v1/console", tags=["console"])


@router.get("/overview", responses={401: {}})
def overview(party: SignedInParty, session: DbSession) -> dict[str, Any]:
    """My products, my code batches, and the recalls naming me as a holder (召回通知, with my lines)."""
    return {
        "party": {"id": party.id, "name": party.name},
        "products": [
            {"id": p.id, "name": p.name, "gtin": p.gtin, "class": p.class_id}
            for p in service.my_products(session, party=party)
        ],
        "batches": [
            {
                "id": b.id,
                "gtin": b.gtin,
                "product_code": b.product_code,
                "lot": b.lot,
                "count": b.count,
                "product_name": b.product_name,
            }
            for b in service.my_batches(session, party=party)
        ],
        "recalls": [r.model_dump(mode="json") for r in service.recall_inbox(session, party=party)],
    }


@router.post("/uploads", status_code=201, responses={400: {}, 401: {}, 413: {}})
async def upload(request: Request, party: SignedInParty, session: DbSession, file: UploadFile) -> dict[str, Any]:
    """Capture an events spreadsheet (XLSX or CSV, headers in zh-CN or English). Rows captured, already stored
    (duplicates) and rejected: each rejected row with its number, the column and what was expected."""
    result = service.upload_events(session, await file.read(), filename=file.filename or "", party=party)
    return result.to_json(page_language(request))


@router.get("/uploads", responses={401: {}})
def uploads(request: Request, party: SignedInParty, session: DbSession) -> list[dict[str, Any]]:
    """My events spreadsheets, newest first (at most 20): when, the file, rows captured, already stored and
    rejected — each rejected row with its cell, the column, what was expected and why."""
    lang = page_language(request)
    return [
        {"id": row.id, "created_at": format_iso(row.created_at), **result.to_json(lang)}
        for row, result in service.my_uploads(session, party=party)
    ]


@router.get("/events", responses={400: {}, 401: {}})
def events(
    party: SignedInParty,
    session: DbSession,
    code: str = Query("", description="Only events naming this code (any form)."),
    step: str = Query("", description="Only this business step (CBV, or its Chinese name: 发货)."),
    since: date | None = Query(None, description="From this day (Beijing time)."),
    until: date | None = Query(None, description="To this day, inclusive (Beijing time)."),
) -> list[dict[str, Any]]:
    """我的事件: the events I recorded, newest first (at most 50), narrowed by code, step and days."""
    where = service.EventFilter(code=code, step=step, since=since, until=until)
    return [
        {
            "event_id": e.event_id,
            "time": format_iso(e.time),
            "biz_step": e.biz_step,
            "disposition": e.disposition,
            "codes": e.codes,
            "location": e.location,
        }
        for e in service.my_events(session, party=party, where=where)
    ]
