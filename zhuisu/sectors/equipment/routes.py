"""The special equipment register over JSON: the list in the reader's lane with each piece's condition, its
workbook, one piece; and the public scan's JSON twin (``permissions`` says who sees what)."""

from fastapi import APIRouter, Query
from starlette.responses import Response

from zhuisu.auth.permissions import SignedInParty
from zhuisu.errors import NotFound
from zhuisu.sectors.equipment import service, spreadsheet
from zhuisu.sectors.equipment.schemas import EquipmentPage, EquipmentRead, PublicEquipment
from zhuisu.web.deps import DbSession, SettingsDep

router = APIRouter(tags=["equipment"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_REGION = Query("", max_length=6, description="Only equipment registered in this GB/T 2260 prefix.")
_CLASS = Query("", max_length=100, description="Only this catalog class and those under it.")
_CONDITION = Query(
    "",
    description="Only equipment in this condition: in_service, installed, due, overdue, suspended, scrapped, "
    "defunctioned, deregistered.",
)


@router.get("/api/v1/equipment", response_model=EquipmentPage, responses={400: {}, 401: {}})
def list_equipment(
    party: SignedInParty,
    session: DbSession,
    settings: SettingsDep,
    region: str = _REGION,
    class_id: str = Query("", alias="class", max_length=100, description="As GET /api/v1/equipment."),
    condition: str = _CONDITION,
    limit: int = Query(500, ge=1, le=5000, description="At most this many (the counts and total are of all)."),
    offset: int = Query(0, ge=0, le=10**9, description="Skip this many (by region, class, code)."),
) -> EquipmentPage:
    """特种设备台账: the equipment the reader may see (a regulator: its jurisdiction and mandate; an enterprise: the
    equipment it uses, maintains or filled last; an inspection body: what it inspected last), with its condition
    today (Beijing time) and the counts per condition."""
    return service.list_equipment(
        session, party, settings, region=region, class_id=class_id, condition_key=condition, limit=limit, offset=offset
    )


@router.get(
    "/api/v1/equipment.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}, 400: {}, 401: {}}
)
def equipment_xlsx(
    party: SignedInParty,
    session: DbSession,
    settings: SettingsDep,
    region: str = _REGION,
    class_id: str = Query("", alias="class", max_length=100, description="As GET /api/v1/equipment."),
    condition: str = _CONDITION,
) -> Response:
    """The same list as a workbook (sheets 设备 Equipment and 统计 Counts)."""
    page = service.list_equipment(session, party, settings, region=region, class_id=class_id, condition_key=condition)
    headers = {"Content-Disposition": 'attachment; filename="equipment.xlsx"'}
    return Response(spreadsheet.workbook(page), media_type=XLSX, headers=headers)


@router.get("/api/v1/equipment/{code:path}", response_model=EquipmentRead, responses={401: {}, 404: {}})
def get_equipment(code: str, party: SignedInParty, session: DbSession, settings: SettingsDep) -> EquipmentRead:
    """One piece of equipment by its code (the 18-character 特种设备代码, its URL, or a GIAI/GRAI); 404 when it is
    not registered here or outside the reader's lane."""
    return service.get_equipment(session, party, settings, code)


@router.get("/api/v1/portal/equipment/{code:path}", response_model=PublicEquipment, responses={404: {}})
def public_equipment(code: str, session: DbSession, settings: SettingsDep) -> PublicEquipment:
    """一梯一码 / 一瓶一码 (public): what a scan of the equipment's code shows anybody."""
    found = service.public_view(session, code, settings)
    if found is None:
        raise NotFound(f"没有找到特种设备 {code}", message_en=f"no special equipment {code} here")
    return found
