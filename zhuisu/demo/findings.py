"""The demo city's inspections, certificates and licences (``oversight.inspections``): every enterprise's licence
confirmed by the city's regulator with its class as scope, a passed report on a meat lot with a GAP certificate of
its product, a failed report (菌落总数 over its limit) on the dairy lot the planted failed inspection event concerns,
and one planted event by a party lacking a required licence: the food wholesaler commissions dairy products without a
food production licence (SC), which the national licence rule flags (``licence:sc_food_production``).
"""

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.capture import service as capture_service
from zhuisu.codes.canonical import canonical_code
from zhuisu.models import Certificate, Event, EventKey, Inspection, Party
from zhuisu.oversight.inspections import service as inspections_service
from zhuisu.oversight.inspections.schemas import CertificateCreate, InspectionCreate, ReportItem
from zhuisu.parties import masterdata

_GTIN = re.compile(r"/01/(\d{14})")
LAB = "示范市食品检验检测中心"
#: The planted unlicensed commissioning (its eventID, so loading twice stores it once).
UNLICENSED_EVENT_ID = "urn:uuid:5d0c1e7a-0b1c-4e1d-9a55-2c0f6a1d0001"


def confirm_licences(session: Session, parties: Iterable[Party], regulator: Party) -> int:
    """Confirm the unconfirmed licences of ``parties`` (scope: the party's class). Returns how many."""
    confirmed = 0
    for party in parties:
        for licence in masterdata.list_licences(session, party=party):
            if licence.confirmed_at is None:
                classes = [party.product_class] if party.product_class else None
                inspections_service.confirm_licence(session, licence.id, actor=regulator, classes=classes)
                confirmed += 1
    return confirmed


def unlicensed_document(wholesaler: Party, gtin: str) -> dict[str, Any]:
    """The food wholesaler commissioning dairy products under its own site, with every data element but no SC."""
    site = {"id": f"https://id.gs1.org/414/{wholesaler.gln}"}
    event = {
        "type": "ObjectEvent",
        "eventID": UNLICENSED_EVENT_ID,
        "eventTime": "2026-01-02T09:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "epcList": [f"https://id.gs1.org/01/{gtin}/21/WZ-1", f"https://id.gs1.org/01/{gtin}/21/WZ-2"],
        "bizStep": "commissioning",
        "disposition": "active",
        "readPoint": site,
        "bizLocation": site,
        "ilmd": {
            "cbvmda:lotNumber": "WZ20260102",
            "cbvmda:productionDate": "2026-01-02",
            "cbvmda:itemExpirationDate": "2026-07-02",
        },
    }
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-02T09:00:00.000+08:00",
        "epcisBody": {"eventList": [event]},
    }


def capture_unlicensed(session: Session, wholesaler: Party, gtin: str) -> str:
    """Capture the planted event (flagged, stored once); its outcome: captured or duplicate."""
    result = capture_service.capture_document(
        session, unlicensed_document(wholesaler, gtin), actor=wholesaler, source="zhuisu demo load (无证生产)"
    )
    return result.outcomes[0].status


def _event(session: Session, event_id: str) -> Event | None:
    return session.scalar(
        select(Event).join(EventKey, EventKey.event_pk == Event.id).where(EventKey.event_id == event_id)
    )


def _first_output_lot(session: Session, recorder: Party) -> str | None:
    """The output lot (LGTIN) of the first class-level transformation ``recorder`` recorded."""
    stmt = select(Event).where(Event.recorder_id == recorder.id, Event.type == "TransformationEvent")
    for event in session.scalars(stmt.order_by(Event.id).limit(5)):
        outputs = event.body.get("outputQuantityList") or []
        if outputs:
            return canonical_code(str(outputs[0]["epcClass"]))
    return None


def _failed_lot(session: Session, transformation_id: str) -> str | None:
    """The lot of the items the planted failed inspection concerns: their GTIN and the transformation's batch."""
    event = _event(session, transformation_id)
    if event is None:
        return None
    outputs, batch = event.body.get("outputEPCList") or [], event.body.get("zs:batch")
    match = _GTIN.search(str(outputs[0])) if outputs else None
    return f"https://id.gs1.org/01/{match.group(1)}/10/{batch}" if match and batch else None


def record_findings(session: Session, inspector: Party, *, meat_processor: Party, failed_after: str) -> int:
    """The demo's reports and certificate (each once). Returns how many were recorded now."""
    recorded = 0
    passed_lot, failed_lot = _first_output_lot(session, meat_processor), _failed_lot(session, failed_after)
    reports = [
        (passed_lot, "JC2026-0101", "猪肉样品", "pass", [("克伦特罗", "未检出", "μg/kg", "不得检出", "pass")]),
        (
            failed_lot,
            "JC2026-0102",
            "乳制品样品",
            "fail",
            [
                ("菌落总数", "2.0×10⁵", "CFU/g", "≤1.0×10⁵", "fail"),
                ("大肠菌群", "<10", "CFU/g", "≤10", "pass"),
            ],
        ),
    ]
    for code, number, sample, result, items in reports:
        exists = session.scalar(select(Inspection.id).where(Inspection.lab == LAB, Inspection.report_number == number))
        if code is None or exists is not None:
            continue
        body = InspectionCreate(
            lab=LAB,
            report_number=number,
            sample=sample,
            code=code,
            items=[ReportItem(name=n, value=v, unit=u, limit=lim, result=r) for n, v, u, lim, r in items],
            result=result,
            inspected_on=date(2026, 1, 3),
        )
        inspections_service.record_inspection(session, body, actor=inspector)
        recorded += 1
    gtin = _GTIN.search(passed_lot or "")
    if gtin and session.scalar(select(Certificate.id).where(Certificate.number == "GAP-2026-0001")) is None:
        certificate = CertificateCreate(
            kind="gap",
            number="GAP-2026-0001",
            issuer="示范市农产品质量认证中心",
            code=f"https://id.gs1.org/01/{gtin.group(1)}",
            valid_from=date(2025, 6, 1),
            valid_to=date(2028, 5, 31),
        )
        inspections_service.record_certificate(session, certificate, actor=inspector)
        recorded += 1
    return recorded
