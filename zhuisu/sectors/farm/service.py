"""Farm commitment certificates (承诺达标合格证): issuing one for a lot of edible farm produce, the buyers' receipts
that name it, and what each reader sees of them (``docs/farm.md``).

Issuing records one EPCIS ObjectEvent (action ``ADD``, bizStep ``commissioning``: the lot leaves the farm with its
certificate; ILMD ``zs:origin`` and ``zs:placeOfOrigin``; the certificate as a bizTransaction of type
``BTT-compliance_certificate``; the commitments as ``zs:commitments`` and ``zs:commitmentBasis``) and a
``farm_certificates`` row with the number; a receipt records a ``receiving`` event naming the certificate. Nothing
here commits; each write writes its audit row in the same transaction. A reader of None is the local operator.
"""

import re
import uuid
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.auth.roles import is_admin
from zhuisu.codes import gtin as gtin_code
from zhuisu.codes import zhuisu_code
from zhuisu.codes._regions import region_info
from zhuisu.codes.errors import InvalidCode
from zhuisu.config import Settings
from zhuisu.epcis.identifiers import canonical_id
from zhuisu.errors import InvalidInput, NotFound, PermissionDenied
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import AuditEntry, Event, FarmCertificate, Location, Party, Product
from zhuisu.parties import service as parties_service
from zhuisu.sectors.farm import permissions, repository
from zhuisu.sectors.farm.documents import (
    BASIS,
    BTT,
    CERTIFICATE,
    CERTIFICATE_URN,
    COMMITMENTS,
    FARM_LOT_URN,
    UNITS,
    ZHUISU_CODE_URN,
    ZS,
    certificate_numbers,
    quantity_of,
    to_event_quantity,
)
from zhuisu.sectors.farm.schemas import (
    CertificateCreate,
    CertificateRead,
    PublicCertificate,
    PublicReceipt,
    ReceiptCreate,
    ReceiptRead,
    ShipmentCreate,
)
from zhuisu.sectors.recording import record_event

SITE = "https://id.gs1.org/414/"
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,30}$")


def _invalid(field_name: str, *, zh: str, en: str) -> InvalidInput:
    return InvalidInput(f"{field_name}：{zh}", message_en=f"{field_name}: {en}", field=field_name)


def _audit(session: Session, actor: Party | None, action: str, subject: str, payload: dict[str, Any]) -> None:
    session.add(AuditEntry(actor_id=actor.id if actor else None, action=action, subject=subject, payload=payload))


def party_ref(party: Party) -> str:
    """How events name a party: its PGLN Digital Link, else its 统一社会信用代码 or id as a zhuisu URN."""
    return f"https://id.gs1.org/417/{party.gln}" if party.gln else f"urn:zhuisu:party:{party.uscc or party.id}"


def public_url(settings: Settings, number: str) -> str:
    """What the certificate's QR Code opens: its public page on this node."""
    return f"{settings.base_url.rstrip('/')}/farm/c/{number}"


def event_id(kind: str, key: str) -> str:
    """A fixed eventID for what the sector records (the same write twice is one event)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{ZS}farm/{kind}/{key}')}"


def _when(day: date) -> datetime:
    """The event time of a certificate issued on ``day``: now when that is today (Beijing), else noon of the day."""
    now = utc_now()
    return now if day == now.astimezone(BEIJING).date() else datetime.combine(day, time(12), BEIJING)


# issuing


def _check_body(body: CertificateCreate) -> None:
    if set(body.commitments) != set(COMMITMENTS):
        raise _invalid(
            "commitments",
            zh="承诺达标合格证须作出全部三项承诺",
            en="a commitment certificate makes all three commitments of the national format",
        )
    unknown = [b for b in body.basis if b not in BASIS]
    if unknown:
        raise _invalid("basis", zh=f"未知的承诺依据 {unknown[0]}", en=f"unknown basis {unknown[0]}")
    info = region_info(body.region)
    if info["name"] is None:
        raise _invalid("region", zh=f"{body.region} 不是有效的县级行政区划代码", en=f"{body.region} is no county code")
    if not _PHONE.match(body.phone.strip()):
        raise _invalid("phone", zh="联系电话格式不正确", en="not a telephone number")
    if body.issued_on is not None and body.issued_on > utc_now().astimezone(BEIJING).date():
        raise _invalid("issued_on", zh="开具日期不能晚于今天", en="the issue date is in the future")
    if body.gtin and body.lot_code:
        raise _invalid("lot_code", zh="GTIN 和追溯码只填一个", en="give a GTIN or a zhuisu lot code, not both")


def _lot(session: Session, body: CertificateCreate, number: str) -> tuple[str, str, str]:
    """(code as events write it, canonical code, class) of the certificate's lot."""
    if body.gtin.strip():
        try:
            gtin14 = gtin_code.to_gtin14(gtin_code.validate(body.gtin.strip()))
        except InvalidCode:
            raise _invalid("gtin", zh="不是有效的 GTIN", en="not a valid GTIN") from None
        lot = body.lot.strip() or number
        if not re.fullmatch(r"[!-~]{1,20}", lot):
            raise _invalid("lot", zh="批号须为 1–20 个 ASCII 字符", en="a lot is 1–20 ASCII characters")
        code = f"https://id.gs1.org/01/{gtin14}/10/{lot}"
        class_id = session.scalar(select(Product.class_id).where(Product.gtin == gtin14)) or "edible_agri"
        return code, canonical_id(code), class_id
    if body.lot_code.strip():
        try:
            value = zhuisu_code.validate(body.lot_code)
        except InvalidCode:
            raise _invalid("lot_code", zh="不是有效的本平台追溯码", en="not a valid zhuisu code") from None
        if value[2] != "2":
            raise _invalid("lot_code", zh="须为批次追溯码（类型 2）", en="a lot code (kind 2) is needed")
        return ZHUISU_CODE_URN + value, canonical_id(ZHUISU_CODE_URN + value), "edible_agri"
    code = FARM_LOT_URN + number
    return code, canonical_id(code), "edible_agri"


def _number(session: Session, region: str, day: date) -> str:
    """HG-{origin county}-{YYYYMMDD}-{sequence of the day in that county}."""
    prefix = f"HG-{region}-{day:%Y%m%d}-"
    return f"{prefix}{repository.count_numbered(session, prefix) + 1:04d}"


def issue_certificate(
    session: Session, settings: Settings, body: CertificateCreate, *, actor: Party
) -> CertificateRead:
    """Issue a 承诺达标合格证 for a lot: the certificate's number, its issuance event and row. Raises PermissionDenied
    (not a farmer or producer) and InvalidInput naming the field; writes the audit row ``farm_certificate_issued``."""
    if not permissions.may_issue(actor):
        raise PermissionDenied(
            "仅农户（个人）或生产者（合作社、农场等）可以开具承诺达标合格证",
            message_en="only a farmer or a producer (cooperative, farm) issues commitment certificates",
        )
    _check_body(body)
    day = body.issued_on or utc_now().astimezone(BEIJING).date()
    number = _number(session, body.region, day)
    written, code, class_id = _lot(session, body, number)
    event_quantity, uom = to_event_quantity(body.quantity, body.unit)
    producer = body.producer_name.strip() or actor.name
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": event_id("certificate", number),
        "eventTime": _when(day).astimezone(BEIJING).isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "quantityList": [{"epcClass": written, "quantity": event_quantity, "uom": uom}],
        "bizTransactionList": [{"type": CERTIFICATE, "bizTransaction": CERTIFICATE_URN + number}],
        "ilmd": {"zs:origin": body.region, "zs:placeOfOrigin": body.place.strip()},
        "zs:commitments": sorted(body.commitments, key=list(COMMITMENTS).index),
        "zs:commitmentBasis": sorted(set(body.basis), key=list(BASIS).index),
        "zs:producerName": producer,
    }
    record_event(session, event, actor=actor, source=f"farm:certificate:{number}")
    row = FarmCertificate(
        number=number,
        issuer_id=actor.id,
        event_id=event["eventID"],
        product=body.product.strip(),
        code=code,
        class_id=class_id,
        quantity=body.quantity,
        unit=body.unit,
        event_quantity=event_quantity,
        uom=uom,
        region=body.region,
        place=body.place.strip(),
        commitments=event["zs:commitments"],
        basis=event["zs:commitmentBasis"],
        producer_name=producer,
        phone=body.phone.strip(),
        show_phone=body.show_phone,
        issued_on=day,
        extra={},
    )
    session.add(row)
    session.flush()
    _audit(
        session,
        actor,
        "farm_certificate_issued",
        row.id,
        {"number": number, "code": code, "quantity": body.quantity, "unit": body.unit},
    )
    return _read(session, settings, row)


# reading


def receipts_of(session: Session, certificate: FarmCertificate) -> list[Event]:
    """The stored receiving events naming ``certificate`` in their bizTransactionList, oldest first."""
    return [
        e
        for e in repository.receipts_naming(session, certificate.number)
        if certificate.number in certificate_numbers(e.body)
    ]


def receipts_of_all(session: Session, certificates: Sequence[FarmCertificate]) -> dict[str, list[Event]]:
    """``receipts_of`` of many certificates (number → receipts) in one read of the receiving events naming any
    compliance certificate: a scan over every certificate reads the store once, not once per certificate."""
    found: dict[str, list[Event]] = {c.number: [] for c in certificates}
    if found:
        for event in repository.receipts_naming(session, CERTIFICATE.removeprefix(BTT)):
            for number in dict.fromkeys(certificate_numbers(event.body)):
                if number in found:
                    found[number].append(event)
    return found


def shipments_of(session: Session, certificate: FarmCertificate) -> list[Event]:
    """The stored shipping events naming ``certificate``, oldest first."""
    return [
        e
        for e in repository.receipts_naming(session, certificate.number, "shipping")
        if certificate.number in certificate_numbers(e.body)
    ]


def received_quantity(certificate: FarmCertificate, receipts: list[Event]) -> float:
    """What ``receipts`` name of the certificate's lot in its unit."""
    return round(sum(quantity_of(e.body, certificate.code, certificate.uom) for e in receipts), 6)


def _read(session: Session, settings: Settings, row: FarmCertificate) -> CertificateRead:
    receipts = receipts_of(session, row)
    names = repository.parties(session, [e.recorder_id for e in receipts])
    received = received_quantity(row, receipts)
    return CertificateRead(
        number=row.number,
        issuer_id=row.issuer_id,
        event_id=row.event_id,
        product=row.product,
        code=row.code,
        class_id=row.class_id,
        quantity=row.quantity,
        unit=row.unit,
        event_quantity=row.event_quantity,
        uom=row.uom,
        region=row.region,
        place=row.place,
        commitments=list(row.commitments),
        basis=list(row.basis),
        producer_name=row.producer_name,
        phone=row.phone,
        show_phone=row.show_phone,
        issued_on=row.issued_on,
        public_url=public_url(settings, row.number),
        receipts=[
            ReceiptRead(
                event_id=e.event_id,
                time=e.event_time,
                recorder_id=e.recorder_id,
                recorder=names[e.recorder_id].name if e.recorder_id in names else None,
                region=names[e.recorder_id].region if e.recorder_id in names else None,
                quantity=quantity_of(e.body, row.code, row.uom),
                uom=row.uom,
            )
            for e in receipts
        ],
        received=received,
        overused=received > row.event_quantity + 1e-9,
    )


def _received_numbers(session: Session, reader: Party | None) -> list[str]:
    if reader is None or is_admin(reader) or reader.actor == "regulator":
        return []
    return sorted({n for e in repository.receipts_by(session, reader.id) for n in certificate_numbers(e.body)})


def list_certificates(session: Session, settings: Settings, *, reader: Party | None) -> list[CertificateRead]:
    """The certificates in the reader's lane, newest first."""
    lane = permissions.lane(reader, _received_numbers(session, reader))
    return [_read(session, settings, row) for row in repository.certificates(session, lane)]


def get_certificate(session: Session, settings: Settings, number: str, *, reader: Party | None) -> CertificateRead:
    """One certificate in the reader's lane; NotFound outside it (its existence is not told)."""
    lane = permissions.lane(reader, _received_numbers(session, reader))
    found = repository.certificates(session, FarmCertificate.number == number.strip(), lane)
    if not found:
        raise NotFound(f"没有合格证 {number}", message_en=f"no certificate {number}")
    return _read(session, settings, found[0])


def find_certificates(session: Session, numbers: list[str]) -> dict[str, FarmCertificate]:
    """Number → certificate, of those among ``numbers`` issued here."""
    return repository.numbered(session, numbers)


def all_certificates(session: Session) -> list[FarmCertificate]:
    return repository.certificates(session)


def public_certificate(session: Session, number: str) -> PublicCertificate | None:
    """The consumer view of a certificate (None: no such certificate here)."""
    row = repository.numbered(session, [number.strip()]).get(number.strip())
    if row is None:
        return None
    receipts = receipts_of(session, row)
    names = repository.parties(session, [e.recorder_id for e in receipts])
    return PublicCertificate(
        number=row.number,
        product=row.product,
        quantity=row.quantity,
        unit=row.unit,
        region=row.region,
        place=row.place,
        producer_name=row.producer_name,
        phone=row.phone if row.show_phone else None,
        commitments=list(row.commitments),
        basis=list(row.basis),
        issued_on=row.issued_on,
        receipts=[
            PublicReceipt(
                time=e.event_time,
                region=names[e.recorder_id].region if e.recorder_id in names else None,
                quantity=quantity_of(e.body, row.code, row.uom),
                uom=row.uom,
            )
            for e in receipts
        ],
    )


# receiving


def _site(session: Session, actor: Party, value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    gln = text.removeprefix(SITE)
    location = session.scalar(select(Location).where(Location.gln == gln)) if gln.isdigit() else None
    if location is None or location.party_id != actor.id:
        raise _invalid("site", zh=f"{gln} 不是您登记的位置", en=f"{gln} is not a site of yours")
    return SITE + gln


def receive(session: Session, settings: Settings, body: ReceiptCreate, *, actor: Party) -> CertificateRead:
    """Record the caller's receipt of produce under a certificate: a ``receiving`` event naming it (its lot, the
    quantity, the seller as source, the origin). Receipts beyond the certificate's quantity are stored (the
    ``farm_certificate_overused`` rule alerts). Raises PermissionDenied, InvalidInput naming the field; writes the
    audit row ``farm_certificate_received``. Returns the certificate as the buyer now sees it."""
    if not permissions.may_receive(actor):
        raise PermissionDenied("仅企业可以登记收货", message_en="only enterprises record receipts")
    number = body.certificate_number.strip()
    row = repository.numbered(session, [number]).get(number)
    if row is None:
        raise _invalid("certificate_number", zh=f"本节点没有合格证 {number}", en=f"no certificate {number} here")
    if row.issuer_id == actor.id:
        raise _invalid("certificate_number", zh="不能收取自己开具的合格证", en="this is your own certificate")
    quantity, uom = to_event_quantity(body.quantity, body.unit)
    if uom != row.uom:
        raise _invalid(
            "unit",
            zh=f"合格证以 {row.unit} 计，收货单位须可换算（重量或箱数）",
            en=f"the certificate counts in {row.unit}: receive in a unit of the same kind (weight or boxes)",
        )
    site = _site(session, actor, body.site)
    issuer = session.get_one(Party, row.issuer_id)
    when = body.received_at or utc_now()
    if when.tzinfo is None:
        raise _invalid("received_at", zh="须带时区", en="give a time zone")
    key = f"{number}/{actor.id}/{when.isoformat()}/{quantity}"
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": event_id("receipt", key),
        "eventTime": when.astimezone(BEIJING).isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "receiving",
        "disposition": "in_progress",
        **({"readPoint": {"id": site}, "bizLocation": {"id": site}} if site else {}),
        "quantityList": [{"epcClass": _written(row.code), "quantity": quantity, "uom": uom}],
        "bizTransactionList": [{"type": CERTIFICATE, "bizTransaction": CERTIFICATE_URN + number}],
        "sourceList": [{"type": "owning_party", "source": party_ref(issuer)}],
        "destinationList": [{"type": "owning_party", "destination": party_ref(actor)}],
        "zs:origin": row.region,
    }
    record_event(session, event, actor=actor, source=f"farm:receipt:{number}")
    _audit(
        session,
        actor,
        "farm_certificate_received",
        row.id,
        {"number": number, "quantity": quantity, "uom": uom, "event": event["eventID"]},
    )
    return _read(session, settings, row)


def ship(session: Session, settings: Settings, number: str, body: ShipmentCreate, *, actor: Party) -> CertificateRead:
    """The issuer's sale of the certified lot to a buyer: a ``shipping`` event naming the certificate (the buyer's
    receipt then matches a shipment). Raises NotFound (not the caller's certificate), InvalidInput naming the field;
    writes ``farm_certificate_shipped``."""
    row = repository.numbered(session, [number.strip()]).get(number.strip())
    if row is None or row.issuer_id != actor.id:
        raise NotFound(f"没有您开具的合格证 {number}", message_en=f"no certificate {number} of yours")
    buyer = parties_service.find_party_by_identifier(session, body.buyer)
    if buyer is None or buyer.id == actor.id:
        raise _invalid("buyer", zh="请填写本节点登记的买方", en="name a buyer registered on this node")
    quantity, uom = to_event_quantity(body.quantity, body.unit)
    if uom != row.uom:
        raise _invalid("unit", zh=f"合格证以 {row.unit} 计", en=f"the certificate counts in {row.unit}")
    when = body.shipped_at or utc_now()
    if when.tzinfo is None:
        raise _invalid("shipped_at", zh="须带时区", en="give a time zone")
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": event_id("shipment", f"{row.number}/{buyer.id}/{when.isoformat()}/{quantity}"),
        "eventTime": when.astimezone(BEIJING).isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "quantityList": [{"epcClass": _written(row.code), "quantity": quantity, "uom": uom}],
        "bizTransactionList": [{"type": CERTIFICATE, "bizTransaction": CERTIFICATE_URN + row.number}],
        "sourceList": [{"type": "owning_party", "source": party_ref(actor)}],
        "destinationList": [{"type": "owning_party", "destination": party_ref(buyer)}],
        "zs:origin": row.region,
    }
    record_event(session, event, actor=actor, source=f"farm:shipment:{row.number}")
    _audit(session, actor, "farm_certificate_shipped", row.id, {"number": row.number, "buyer": buyer.id})
    return _read(session, settings, row)


def _written(code: str) -> str:
    """A canonical lot code as events write it (a bare zhuisu code gets its URN)."""
    return ZHUISU_CODE_URN + code if code.startswith("ZS") else code


def units() -> list[str]:
    return list(UNITS)
