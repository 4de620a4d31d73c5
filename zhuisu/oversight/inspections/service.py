"""Inspection and test reports, certificates, and licence confirmations, linked to trace.

A report names what it inspected by a code: a lot (GTIN + AI 10, as an LGTIN, a Digital Link ``/01/…/10/…`` or an
element string) applies to every item of that lot; an item (SGTIN) or any other recognised code to itself. The code
is kept canonical (``codes.canonical``) with its GTIN and lot, and the producer and class of the registered product
it names, so the product page finds it by one indexed read (``portal``) and regulators read it in their lanes.
Recording is audited and announces ``signals.findings_recorded`` (the product pages concerned become stale); nothing
here commits.
"""

import re
from urllib.parse import unquote

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.catalog import service as catalog_service
from zhuisu.codes.canonical import canonical_code
from zhuisu.codes.recognize import recognize
from zhuisu.errors import AlreadyExists, InvalidInput, NotFound, ZhuisuError
from zhuisu.kit.time import utc_now
from zhuisu.models import AuditEntry, Certificate, Inspection, Licence, Party, Product
from zhuisu.oversight.inspections import permissions, signals
from zhuisu.oversight.inspections.schemas import CertificateCreate, InspectionCreate
from zhuisu.parties import service as parties_service
from zhuisu.portal.vocabulary import REGISTERED_CERTIFICATES

_GTIN = re.compile(r"^https://id\.gs1\.org/01/(\d{14})(?:/|$)")
_LOT = re.compile(r"/10/([^/?#]+)")
_SERIAL = re.compile(r"/21/([^/?#]+)")


class InconsistentResult(InvalidInput):
    code = "inconsistent_result"


class UnknownCode(InvalidInput):
    code = "unrecognised_code"


def link(text: str) -> tuple[str, str | None, str | None]:
    """(canonical code, GTIN-14, lot) of what a report or certificate names; the lot only for a lot (no serial).
    Raises UnknownCode for text that is no code zhuisu recognises.

    >>> link("(01)06901234567892(10)L1")
    ('https://id.gs1.org/01/06901234567892/10/L1', '06901234567892', 'L1')
    >>> link("https://id.gs1.org/01/06901234567892/21/9")
    ('https://id.gs1.org/01/06901234567892/21/9', '06901234567892', None)
    """
    code = canonical_code(text)
    gtin = _GTIN.match(code)
    if gtin is None and not recognize(text).valid:
        raise UnknownCode(
            f"无法识别的追溯码或批次码：{text.strip()}", message_en=f"unrecognised code or lot: {text.strip()}"
        )
    lot = _LOT.search(code) if gtin else None
    serial = _SERIAL.search(code) if gtin else None
    return code, gtin.group(1) if gtin else None, unquote(lot.group(1)) if lot and not serial else None


def _product(session: Session, gtin: str | None) -> tuple[Party | None, str | None]:
    """The producer and class of the registered product of ``gtin`` (None, None when not registered)."""
    product = session.scalar(select(Product).where(Product.gtin == gtin)) if gtin else None
    if product is None:
        return None, None
    producer = parties_service.get_party(session, product.producer_id) if product.producer_id else None
    return producer, product.class_id


def _audit(session: Session, actor: Party, action: str, subject: str, payload: dict[str, object]) -> None:
    session.add(AuditEntry(actor_id=actor.id, action=action, subject=subject, payload=payload))


def record_inspection(session: Session, body: InspectionCreate, *, actor: Party) -> Inspection:
    """Record a report. Raises NotAnInspector / NotSupervised (nothing written), UnknownCode, InconsistentResult
    (the overall result must be fail exactly when an item fails), AlreadyExists (the lab's report number)."""
    code, gtin, lot = link(body.code)
    producer, class_id = _product(session, gtin)
    permissions.check_record(actor, producer, class_id)
    failed = [i.name for i in body.items if i.result == "fail"]
    if (body.result == "fail") != bool(failed):
        raise InconsistentResult(
            f"综合结论「{'不合格' if body.result == 'fail' else '合格'}」与单项结论不符"
            f"（不合格项：{'、'.join(failed) or '无'}）",
            message_en=f"the overall result {body.result!r} disagrees with the items "
            f"(failed: {', '.join(failed) or 'none'})",
        )
    lab, number = body.lab.strip(), body.report_number.strip()
    if session.scalar(select(Inspection.id).where(Inspection.lab == lab, Inspection.report_number == number)):
        raise AlreadyExists(f"{lab} 的报告 {number} 已登记", message_en=f"report {number} of {lab} is already recorded")
    report = Inspection(
        lab=lab,
        report_number=number,
        sample=body.sample.strip(),
        code=code,
        gtin=gtin,
        lot=lot,
        items=[i.model_dump() for i in body.items],
        result=body.result,
        inspected_on=body.inspected_on,
        producer_id=producer.id if producer else None,
        class_id=class_id,
        recorded_by_id=actor.id,
        recorded_at=utc_now(),
    )
    session.add(report)
    session.flush()
    _audit(session, actor, "inspection_recorded", report.id, {"lab": lab, "report": number, "code": code})
    signals.findings_recorded.send(session, [code], [gtin] if gtin else [])
    return report


def list_inspections(
    session: Session, *, reader: Party, code: str | None = None, result: str | None = None, limit: int = 100
) -> list[Inspection]:
    """Reports in ``reader``'s lane, newest first; ``code``: those on it (a lot also gives its items' reports)."""
    stmt = select(Inspection).where(permissions.readable(reader, Inspection))
    if code:
        canonical, gtin, lot = link(code)
        stmt = stmt.where(
            Inspection.code == canonical if lot is None else (Inspection.gtin == gtin) & (Inspection.lot == lot)
        )
    if result:
        stmt = stmt.where(Inspection.result == result)
    order = (Inspection.inspected_on.desc(), Inspection.recorded_at.desc(), Inspection.id)
    return list(session.scalars(stmt.order_by(*order).limit(limit)))


def get_inspection(session: Session, inspection_id: str, *, reader: Party) -> Inspection:
    """One report in ``reader``'s lane. Raises NotFound (also outside the lane: its existence is not told)."""
    found = session.scalar(
        select(Inspection).where(Inspection.id == inspection_id, permissions.readable(reader, Inspection))
    )
    if found is None:
        raise NotFound(f"没有检验报告 {inspection_id}", message_en=f"no inspection report {inspection_id}")
    return found


def record_certificate(session: Session, body: CertificateCreate, *, actor: Party) -> Certificate:
    """Register a certificate of a product, lot or item. Raises NotAnInspector / NotSupervised, InvalidInput (kind,
    dates), UnknownCode, AlreadyExists."""
    code, gtin, lot = link(body.code)
    producer, class_id = _product(session, gtin)
    permissions.check_record(actor, producer, class_id)
    if body.kind not in REGISTERED_CERTIFICATES:
        raise InvalidInput(
            f"证书类型 {body.kind!r} 无效",
            message_en=f"invalid certificate kind {body.kind!r}",
            allowed=sorted(REGISTERED_CERTIFICATES),
        )
    if body.valid_to is not None and body.valid_to < body.valid_from:
        raise InvalidInput("有效期至早于有效期起", message_en="valid_to is before valid_from")
    number = body.number.strip()
    if session.scalar(select(Certificate.id).where(Certificate.kind == body.kind, Certificate.number == number)):
        raise AlreadyExists(f"证书 {number} 已登记", message_en=f"certificate {number} is already recorded")
    certificate = Certificate(
        kind=body.kind,
        number=number,
        issuer=body.issuer.strip(),
        code=code,
        gtin=gtin,
        lot=lot,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        producer_id=producer.id if producer else None,
        class_id=class_id,
        recorded_by_id=actor.id,
        recorded_at=utc_now(),
    )
    session.add(certificate)
    session.flush()
    _audit(session, actor, "certificate_recorded", certificate.id, {"kind": body.kind, "number": number, "code": code})
    signals.findings_recorded.send(session, [code], [gtin] if gtin else [])
    return certificate


def list_certificates(session: Session, *, reader: Party, limit: int = 100) -> list[Certificate]:
    stmt = select(Certificate).where(permissions.readable(reader, Certificate))
    return list(session.scalars(stmt.order_by(Certificate.recorded_at.desc(), Certificate.id).limit(limit)))


def confirm_licence(session: Session, licence_id: str, *, actor: Party, classes: list[str] | None = None) -> Licence:
    """The issuing authority confirms a licence (who, when), with its scope as catalog classes (``classes``; None
    keeps what it states). Raises NotFound, NotIssuingAuthority (nothing written)."""
    licence = session.get(Licence, licence_id)
    if licence is None:
        raise NotFound(f"没有许可证 {licence_id}", message_en=f"no licence {licence_id}")
    party = parties_service.get_party(session, licence.party_id)
    scope = classes if classes is not None else licence.classes
    for class_id in scope or ():
        try:
            catalog_service.get_class(session, class_id)
        except ZhuisuError:
            raise InvalidInput(
                f"许可范围中的目录类别 {class_id} 不存在", message_en=f"no catalog class {class_id} (licence scope)"
            ) from None
    permissions.check_confirm(actor, party, scope)
    licence.classes = sorted(set(scope)) if scope else None
    licence.confirmed_by_id = actor.id
    licence.confirmed_at = utc_now()
    session.flush()
    _audit(session, actor, "licence_confirmed", licence.id, {"party": party.id, "classes": licence.classes})
    return licence
