"""Complaints and reports (投诉举报) from the public, acknowledged with a reference number, handled by regulators.

``file_complaint`` stores what was filed and returns it with its reference (``TS<yyyymmdd>-<6 characters>``),
routed to two GB/T 2260 regions: the product's producer's and the last place its journey was recorded at.
``handle_complaint`` moves it ``received`` → ``in_progress`` → ``closed`` (a closed one cannot change), with an
internal note, the answer to the person who filed (答复, required to close; shown with the reference number:
``acknowledgement``) and the regulator it is assigned to (承办: one whose region the complaint is routed to). A
complaint may be filed anonymously (no contact kept) and a report (举报) may ask to be considered for a reward,
claimed with its reference. Both write an audit entry; neither commits.

A regulator sees the complaints of its region (``region_scope`` of its party's region: ``230102`` → ``230102``,
``230100`` → ``2301``, ``230000`` → ``23``; no region → every region) by either routed region, and those routed
nowhere (no code, or a code nothing is recorded about), so none is lost. Times are shown in local time with the
UTC offset (``local_time``).
"""

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from zhuisu.codes.canonical import canonical_code
from zhuisu.errors import Conflict, InvalidInput, NotFound, ZhuisuError
from zhuisu.kit.time import format_iso, utc_now
from zhuisu.models import AuditEntry, Complaint, Equipment, Party
from zhuisu.portal import repository
from zhuisu.portal import service as portal_service
from zhuisu.portal.schemas import ComplaintAck, ComplaintCreate, ComplaintHandle, ComplaintRead
from zhuisu.sectors.equipment import service as equipment_service

STATUSES = ("received", "in_progress", "closed")
DEFAULT_TIMEZONE = "Asia/Shanghai"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_NEXT = {"received": {"in_progress", "closed"}, "in_progress": {"closed"}, "closed": set()}


def _reference() -> str:
    return f"TS{utc_now():%Y%m%d}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def _equipment_name(equipment: Equipment | None) -> str:
    if equipment is None:
        return ""
    return str((equipment.master or {}).get("type") or equipment.class_id)[:200]


def file_complaint(session: Session, data: ComplaintCreate, *, language: str) -> Complaint:
    """Store a complaint or report; the code, when given, is kept canonical with the product it names."""
    if not data.message.strip():
        raise InvalidInput("请填写投诉或举报内容", message_en="please describe the problem", field="message")
    if data.anonymous and data.contact.strip():
        raise InvalidInput(
            "匿名投诉举报不留联系方式：请清空联系方式，或取消匿名",
            message_en="an anonymous complaint keeps no contact: leave the contact empty or do not file anonymously",
            field="contact",
        )
    if data.reward and data.kind != "report":
        raise InvalidInput(
            "只有举报可以申请奖励", message_en="only a report (举报) may ask for a reward", field="reward"
        )
    code = ""
    if data.code.strip():
        try:
            code = canonical_code(data.code)
        except ZhuisuError:
            code = data.code.strip()
    product = portal_service.find_product(session, code) if code else None
    # A report from an elevator's or cylinder's scan page goes to the district the equipment is registered in.
    equipment = equipment_service.find(session, code) if code and product is None else None
    complaint = Complaint(
        reference=_reference(),
        kind=data.kind,
        code=code,
        product_name=product.name if product else _equipment_name(equipment),
        message=data.message.strip(),
        contact=data.contact.strip(),
        language=language if language == "en" else "zh",
        region=portal_service.producer_region(session, product) or (equipment.region if equipment else None) or None,
        place_region=(portal_service.place_region(session, code) if code else None) or None,
        status="received",
        note="",
        anonymous=data.anonymous,
        reward=data.reward,
    )
    session.add(complaint)
    session.flush()
    session.add(
        AuditEntry(
            actor_id=None,
            action="complaint_filed",
            subject=complaint.id,
            payload={
                "reference": complaint.reference,
                "kind": data.kind,
                "code": code,
                "anonymous": data.anonymous,
                "reward": data.reward,
            },
        )
    )
    return complaint


def get_complaint(session: Session, reference: str) -> Complaint:
    complaint = repository.find_by_reference(session, reference.strip().upper())
    if complaint is None:
        raise NotFound(f"没有编号为 {reference} 的投诉举报", message_en=f"no complaint {reference}")
    return complaint


def region_scope(region: str | None) -> str:
    """The GB/T 2260 prefix a region covers: trailing ``00`` pairs dropped; "" (everything) for none.

    >>> [region_scope(r) for r in ("230102", "230100", "230000", None)]
    ['230102', '2301', '23', '']
    """
    code = (region or "").strip()
    while code.endswith("00"):
        code = code[:-2]
    return code


def list_complaints(
    session: Session, *, status: str | None = None, region_prefix: str = "", limit: int = 200
) -> list[Complaint]:
    """Complaints routed to a region under ``region_prefix`` (by producer or place), and those routed nowhere."""
    return repository.list_complaints(session, status=status, region_prefix=region_prefix, limit=limit)


def visible(complaint: Complaint, region_prefix: str) -> bool:
    """Whether a regulator of ``region_prefix`` sees the complaint (the same rule as ``list_complaints``)."""
    routed = [r for r in (complaint.region, complaint.place_region) if r]
    return not routed or any(r.startswith(region_prefix) for r in routed)


def handle_complaint(
    session: Session, reference: str, *, actor: Party, step: ComplaintHandle, region_prefix: str = ""
) -> Complaint:
    """Take one step on a complaint of the regulator's region (``region_prefix``): a new status, a note, the answer,
    an assignment — any of them. Raises NotFound (also for a complaint outside ``region_prefix``), InvalidInput
    (nothing to do; closing without an answer; assigning to a party that is not a regulator of the complaint's
    region) or Conflict (a step backwards, or a closed complaint). Nothing is changed when it raises."""
    complaint = get_complaint(session, reference)
    if not visible(complaint, region_prefix):
        raise NotFound(f"没有编号为 {reference} 的投诉举报", message_en=f"no complaint {reference}")
    if complaint.status == "closed":
        raise Conflict(
            f"投诉举报 {complaint.reference} 已办结，不能再更改",
            message_en=f"complaint {complaint.reference} is closed; it cannot change",
        )
    if step.status is None and step.note is None and step.answer is None and step.assign_to is None:
        raise InvalidInput("没有要更改的内容", message_en="nothing to change: give a status, note, answer or assignee")
    if step.status is not None and step.status not in _NEXT[complaint.status]:
        raise Conflict(
            f"投诉举报 {complaint.reference} 状态为 {complaint.status}，不能改为 {step.status}",
            message_en=f"complaint {complaint.reference} is {complaint.status}; it cannot become {step.status}",
        )
    answer = complaint.answer if step.answer is None else step.answer.strip()
    if step.status == "closed" and not answer:
        raise InvalidInput(
            "办结前须答复投诉举报人", message_en="a complaint is closed with an answer to its filer", field="answer"
        )
    assignee = _assignee(session, complaint, step.assign_to) if step.assign_to else None
    now = utc_now()
    if step.status is not None:
        complaint.status = step.status
    if step.note is not None:
        complaint.note = step.note.strip()
    if step.answer is not None and answer != complaint.answer:
        complaint.answer, complaint.answered_at = answer, now
    if assignee is not None:
        complaint.assigned_to = assignee.id
    complaint.handled_by, complaint.handled_at = actor.id, now
    session.add(
        AuditEntry(
            actor_id=actor.id,
            action="complaint_handled",
            subject=complaint.id,
            payload={
                "reference": complaint.reference,
                "status": complaint.status,
                "note": complaint.note,
                "answer": complaint.answer,
                "assigned_to": complaint.assigned_to,
            },
        )
    )
    session.flush()
    return complaint


def assignees(session: Session, region_prefix: str) -> list[Party]:
    """The regulators a regulator of ``region_prefix`` may assign complaints to: those whose jurisdiction lies in
    its region (itself included), by name."""
    return repository.regulators_within(session, region_prefix)


def _assignee(session: Session, complaint: Complaint, party_id: str) -> Party:
    party = session.get(Party, party_id)
    if party is None or party.actor != "regulator" or not visible(complaint, region_scope(party.jurisdiction)):
        raise InvalidInput(
            f"{party_id} 不是受理该投诉举报地区的监管部门",
            message_en=f"{party_id} is not a regulator of a region this complaint is routed to",
            field="assign_to",
        )
    return party


def acknowledgement(complaint: Complaint) -> ComplaintAck:
    return ComplaintAck(
        reference=complaint.reference,
        kind=complaint.kind,
        status=complaint.status,
        created_at=format_iso(complaint.created_at),
        code=complaint.code,
        answer=complaint.answer,
        answered_at=format_iso(complaint.answered_at) if complaint.answered_at else None,
        anonymous=complaint.anonymous,
        reward=complaint.reward,
    )


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """``2026-11-22 17:05 UTC+08:00``: a time as a regulator reads it."""
    return portal_service.local_time(format_iso(moment), zone)


def complaint_read(complaint: Complaint, zone: ZoneInfo | None = None) -> ComplaintRead:
    zone = zone or ZoneInfo(DEFAULT_TIMEZONE)
    return ComplaintRead(
        reference=complaint.reference,
        kind=complaint.kind,
        code=complaint.code,
        product_name=complaint.product_name,
        message=complaint.message,
        contact=complaint.contact,
        language=complaint.language,
        region=complaint.region,
        place_region=complaint.place_region,
        status=complaint.status,
        note=complaint.note,
        answer=complaint.answer,
        answered_at=format_iso(complaint.answered_at) if complaint.answered_at else None,
        assigned_to=complaint.assigned_to,
        anonymous=complaint.anonymous,
        reward=complaint.reward,
        created_at=format_iso(complaint.created_at),
        handled_at=format_iso(complaint.handled_at) if complaint.handled_at else None,
        created_local=local_time(complaint.created_at, zone),
        handled_local=local_time(complaint.handled_at, zone) if complaint.handled_at else None,
    )
