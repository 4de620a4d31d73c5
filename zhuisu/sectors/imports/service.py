"""Import lots (进口食品): registration at entry, the entry inspection certificates, domestic sales and receipts,
cross-border e-commerce orders, and what each reader sees (``docs/imports.md``).

Registering a lot records one ObjectEvent (action ``ADD``) at the port: ``receiving`` when its entry inspection
certificate is given, else ``arriving`` (the lot is under customs supervision: the national catalog's
``imported.entry`` rule refuses a receiving without the certificate); registering the certificate afterwards records
the ``receiving`` (release, 放行) — or, for a lot already received, a ``certifying`` event naming the further
certificate. Each write also keeps its index row (``import_lots``, ``import_certificates``) and its audit row, in the
caller's transaction; nothing here commits. A reader or actor of None is the local operator.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.codes import gtin as gtin_code
from zhuisu.codes._regions import region_info
from zhuisu.codes.errors import InvalidCode
from zhuisu.epcis.identifiers import canonical_id
from zhuisu.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import AuditEntry, Event, EventEpc, ImportCertificate, ImportLot, Location, Party, Product
from zhuisu.parties import service as parties_service
from zhuisu.sectors.imports import permissions
from zhuisu.sectors.imports.countries import countries
from zhuisu.sectors.imports.documents import (
    CERTIFICATE,
    CERTIFYING,
    DECLARATION,
    ORDER,
    SALE_STEPS,
    ZS,
    country_name,
    document_numbers,
    entry,
    is_declaration,
    is_document_number,
    quantity_of,
)
from zhuisu.sectors.imports.schemas import (
    CertificateCreate,
    CertificateRead,
    LotCreate,
    LotEvent,
    LotRead,
    OrderCreate,
    ReceiptCreate,
    SaleCreate,
)
from zhuisu.sectors.recording import record_event

SITE = "https://id.gs1.org/414/"


def _invalid(field_name: str, *, zh: str, en: str) -> InvalidInput:
    return InvalidInput(f"{field_name}：{zh}", message_en=f"{field_name}: {en}", field=field_name)


def _audit(session: Session, actor: Party | None, action: str, subject: str, payload: dict[str, Any]) -> None:
    session.add(AuditEntry(actor_id=actor.id if actor else None, action=action, subject=subject, payload=payload))


def _event_id(kind: str, key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{ZS}imports/{kind}/{key}')}"


def party_ref(party: Party) -> str:
    return f"https://id.gs1.org/417/{party.gln}" if party.gln else f"urn:zhuisu:party:{party.uscc or party.id}"


def _iso(when: datetime) -> str:
    return when.astimezone(BEIJING).isoformat(timespec="milliseconds")


def _time(value: datetime | None, field_name: str = "time") -> datetime:
    when = value or utc_now()
    if when.tzinfo is None:
        raise _invalid(field_name, zh="须带时区", en="give a time zone")
    return when


# registering


def _site(session: Session, value: str, field_name: str, actor: Party | None) -> tuple[str, Location | None]:
    gln = value.strip().removeprefix(SITE)
    if not (gln.isdigit() and len(gln) == 13):
        raise _invalid(field_name, zh="应为 13 位 GLN", en="a 13-digit GLN")
    location = session.scalar(select(Location).where(Location.gln == gln))
    if location is not None and actor is not None and location.party_id not in (None, actor.id):
        raise _invalid(field_name, zh=f"{gln} 是其他主体的位置", en=f"{gln} is another party's site")
    return SITE + gln, location


def _check_lot(session: Session, body: LotCreate) -> tuple[str, Product]:
    try:
        gtin14 = gtin_code.to_gtin14(gtin_code.validate(body.gtin.strip()))
    except InvalidCode:
        raise _invalid("gtin", zh="不是有效的 GTIN", en="not a valid GTIN") from None
    product = session.scalar(select(Product).where(Product.gtin == gtin14))
    if product is None or not (product.class_id == "imported" or product.class_id.startswith("imported.")):
        raise _invalid(
            "gtin",
            zh="请先将该产品登记在进口产品（imported）类别下",
            en="register the product under an imported class first",
        )
    if body.country.upper() not in countries():
        raise _invalid("country", zh=f"{body.country} 不是 ISO 3166 国家代码", en=f"{body.country} is no ISO 3166 code")
    if not is_declaration(body.declaration.strip()):
        raise _invalid("declaration", zh="报关单号应为 18 位数字", en="a customs declaration number is 18 digits")
    if body.certificate.strip() and not is_document_number(body.certificate.strip()):
        raise _invalid("certificate", zh="证书编号只能含字母、数字和连字符", en="letters, digits and hyphens only")
    if body.entry_date > utc_now().astimezone(BEIJING).date():
        raise _invalid("entry_date", zh="入境日期不能晚于今天", en="the entry date is in the future")
    if body.port_region and region_info(body.port_region)["name"] is None:
        raise _invalid("port_region", zh="不是有效的行政区划代码", en="not a GB/T 2260 code")
    return gtin14, product


def register_lot(session: Session, body: LotCreate, *, actor: Party) -> LotRead:
    """Register an import lot at entry: its entry event (``receiving`` with the certificate, else ``arriving``) and
    rows. Raises PermissionDenied (not an importer), InvalidInput naming the field, AlreadyExists (declaration or lot
    registered); writes the audit row ``import_lot_registered``."""
    if not permissions.may_import(actor):
        raise PermissionDenied("仅进口商可以登记进口批次", message_en="only importers register import lots")
    gtin14, product = _check_lot(session, body)
    declaration, certificate = body.declaration.strip(), body.certificate.strip()
    port, location = _site(session, body.port, "port", actor)
    code = canonical_id(f"https://id.gs1.org/01/{gtin14}/10/{body.lot.strip()}")
    known = session.scalar(select(ImportLot).where((ImportLot.code == code) | (ImportLot.declaration == declaration)))
    if known is not None:
        raise AlreadyExists(
            f"进口批次已登记（报关单号 {known.declaration}）",
            message_en=f"the import lot is registered (declaration {known.declaration})",
            field="declaration",
        )
    now = utc_now()
    when = (
        now
        if body.entry_date == now.astimezone(BEIJING).date()
        else datetime.combine(body.entry_date, time(9), BEIJING)
    )
    country = body.country.upper()
    documents = [entry(DECLARATION, declaration), *([entry(CERTIFICATE, certificate)] if certificate else [])]
    event = {
        "type": "ObjectEvent",
        "eventID": _event_id("entry", declaration),
        "eventTime": _iso(when),
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "bizStep": "receiving" if certificate else "arriving",
        "disposition": "in_progress" if certificate else "sellable_not_accessible",
        "readPoint": {"id": port},
        "bizLocation": {"id": port},
        "quantityList": [{"epcClass": code, "quantity": body.quantity, "uom": body.uom}],
        "bizTransactionList": documents,
        "destinationList": [{"type": "owning_party", "destination": party_ref(actor)}],
        "ilmd": {"cbvmda:countryOfOrigin": country, "cbvmda:lotNumber": body.lot.strip()},
    }
    record_event(session, event, actor=actor, source=f"imports:entry:{declaration}")
    lot = ImportLot(
        importer_id=actor.id,
        gtin=gtin14,
        lot=body.lot.strip(),
        code=code,
        product=product.name,
        class_id=product.class_id,
        country=country,
        declaration=declaration,
        port=port,
        region=(location.region if location else None) or body.port_region or actor.region,
        entry_date=body.entry_date,
        entry_event_id=event["eventID"],
    )
    session.add(lot)
    session.flush()
    if certificate:
        session.add(ImportCertificate(lot_id=lot.id, number=certificate, event_id=event["eventID"], valid_from=when))
        session.flush()
    _audit(
        session,
        actor,
        "import_lot_registered",
        lot.id,
        {"declaration": declaration, "code": code, "country": country, "certificate": certificate or None},
    )
    return _read(session, lot)


def _own_lot(session: Session, number: str, actor: Party | None) -> ImportLot:
    """The lot of declaration ``number`` the actor imported (the local operator: any); NotFound otherwise."""
    lot = session.scalar(select(ImportLot).where(ImportLot.declaration == number.strip()))
    if lot is None or (actor is not None and lot.importer_id != actor.id):
        raise NotFound(f"没有报关单号为 {number} 的进口批次", message_en=f"no import lot of declaration {number}")
    return lot


def _documents(lot: ImportLot, certificates: Sequence[str]) -> list[dict[str, str]]:
    return [entry(DECLARATION, lot.declaration), *(entry(CERTIFICATE, n) for n in certificates)]


def register_certificate(session: Session, number: str, body: CertificateCreate, *, actor: Party | None) -> LotRead:
    """Register an entry inspection certificate to the lot of declaration ``number`` (its importer): the release
    (``receiving`` at the port) when the lot only arrived, else a ``certifying`` event. Raises NotFound, InvalidInput,
    AlreadyExists; writes ``import_certificate_registered``."""
    lot = _own_lot(session, number, actor)
    certificate = body.number.strip()
    if not is_document_number(certificate):
        raise _invalid("number", zh="证书编号只能含字母、数字和连字符", en="letters, digits and hyphens only")
    held = certificates_of(session, [lot.id]).get(lot.id, [])
    if any(c.number == certificate for c in held):
        raise AlreadyExists(
            f"证书 {certificate} 已登记", message_en=f"certificate {certificate} is registered", field="number"
        )
    importer = session.get_one(Party, lot.importer_id)
    released = bool(held)
    when = utc_now()
    event = {
        "type": "ObjectEvent",
        "eventID": _event_id("certificate", f"{lot.declaration}/{certificate}"),
        "eventTime": _iso(when),
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": CERTIFYING if released else "receiving",
        "disposition": "in_progress",
        "readPoint": {"id": lot.port},
        "bizLocation": {"id": lot.port},
        "quantityList": [{"epcClass": lot.code}],
        "bizTransactionList": _documents(lot, [certificate]),
        "zs:originCountry": lot.country,
    }
    record_event(session, event, actor=importer, source=f"imports:certificate:{lot.declaration}")
    session.add(ImportCertificate(lot_id=lot.id, number=certificate, event_id=event["eventID"], valid_from=when))
    session.flush()
    _audit(
        session, actor, "import_certificate_registered", lot.id, {"declaration": lot.declaration, "number": certificate}
    )
    return _read(session, lot)


def record_sale(session: Session, number: str, body: SaleCreate, *, actor: Party | None) -> LotRead:
    """A domestic sale of the importer's lot: ``shipping`` to a buyer, or ``retail_selling``, naming the declaration
    and the certificates registered so far (a lot without one cannot be shipped under the national catalog; a retail
    sale of it is stored and the ``import_uncertified_sale`` rule alerts). Raises NotFound, InvalidInput."""
    lot = _own_lot(session, number, actor)
    importer = session.get_one(Party, lot.importer_id)
    when = _time(body.time)
    held = [c.number for c in certificates_of(session, [lot.id]).get(lot.id, []) if c.valid_from <= when]
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": _iso(when),
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": body.kind,
        "disposition": "in_transit" if body.kind == "shipping" else "retail_sold",
        "quantityList": [{"epcClass": lot.code, "quantity": body.quantity, "uom": _uom(session, lot)}],
        "bizTransactionList": _documents(lot, held),
        "sourceList": [{"type": "owning_party", "source": party_ref(importer)}],
        "zs:originCountry": lot.country,
    }
    if body.kind == "shipping":
        buyer = parties_service.find_party_by_identifier(session, body.buyer) if body.buyer.strip() else None
        if buyer is None or buyer.id == importer.id:
            raise _invalid("buyer", zh="请填写本节点登记的买方", en="name a buyer registered on this node")
        event["destinationList"] = [{"type": "owning_party", "destination": party_ref(buyer)}]
    if body.site.strip():
        site, _ = _site(session, body.site, "site", importer)
        event |= {"readPoint": {"id": site}, "bizLocation": {"id": site}}
    event["eventID"] = _event_id("sale", f"{lot.declaration}/{body.kind}/{body.buyer}/{event['eventTime']}")
    record_event(session, event, actor=importer, source=f"imports:sale:{lot.declaration}")
    _audit(session, actor, "import_sale_recorded", lot.id, {"declaration": lot.declaration, "kind": body.kind})
    return _read(session, lot)


def record_order(session: Session, number: str, body: OrderCreate, *, actor: Party | None) -> LotRead:
    """A cross-border e-commerce order (跨境电商, pilot) of the importer's lot: a ``retail_selling`` event naming the
    order (``BTT-cbec_order``). Raises NotFound, InvalidInput, AlreadyExists (the order is recorded)."""
    lot = _own_lot(session, number, actor)
    order = body.order_number.strip()
    if not is_document_number(order):
        raise _invalid("order_number", zh="订单号只能含字母、数字和连字符", en="letters, digits and hyphens only")
    if order in orders_of(session, lot):
        raise AlreadyExists(f"订单 {order} 已登记", message_en=f"order {order} is recorded", field="order_number")
    importer = session.get_one(Party, lot.importer_id)
    when = _time(body.time)
    held = [c.number for c in certificates_of(session, [lot.id]).get(lot.id, []) if c.valid_from <= when]
    event = {
        "type": "ObjectEvent",
        "eventID": _event_id("order", f"{lot.declaration}/{order}"),
        "eventTime": _iso(when),
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "retail_selling",
        "disposition": "retail_sold",
        "quantityList": [{"epcClass": lot.code, "quantity": body.quantity, "uom": _uom(session, lot)}],
        "bizTransactionList": [*_documents(lot, held), entry(ORDER, order)],
        "sourceList": [{"type": "owning_party", "source": party_ref(importer)}],
        "zs:originCountry": lot.country,
        **({"zs:platform": body.platform.strip()} if body.platform.strip() else {}),
    }
    record_event(session, event, actor=importer, source=f"imports:order:{lot.declaration}")
    _audit(session, actor, "import_order_recorded", lot.id, {"declaration": lot.declaration, "order": order})
    return _read(session, lot)


def record_receipt(session: Session, number: str, body: ReceiptCreate, *, actor: Party) -> LotRead:
    """The caller's receipt of a lot the importer shipped to it (a ``receiving`` naming the declaration, the
    certificates and the origin). Raises NotFound (no shipment of the lot to the caller), InvalidInput."""
    lot = session.scalar(select(ImportLot).where(ImportLot.declaration == number.strip()))
    shipped = [e for e in lot_events(session, lot) if e.biz_step == "shipping"] if lot is not None else []
    mine = party_ref(actor)
    if lot is None or not any(_destination(e) == canonical_id(mine) for e in shipped):
        raise NotFound(f"没有发给您的报关单号 {number} 的进口批次", message_en=f"no import lot {number} shipped to you")
    importer = session.get_one(Party, lot.importer_id)
    when = _time(body.time)
    held = [c.number for c in certificates_of(session, [lot.id]).get(lot.id, []) if c.valid_from <= when]
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": _event_id("receipt", f"{lot.declaration}/{actor.id}/{_iso(when)}"),
        "eventTime": _iso(when),
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "receiving",
        "disposition": "in_progress",
        "quantityList": [{"epcClass": lot.code, "quantity": body.quantity, "uom": _uom(session, lot)}],
        "bizTransactionList": _documents(lot, held),
        "sourceList": [{"type": "owning_party", "source": party_ref(importer)}],
        "destinationList": [{"type": "owning_party", "destination": mine}],
        "zs:originCountry": lot.country,
    }
    if body.site.strip():
        site, _ = _site(session, body.site, "site", actor)
        event |= {"readPoint": {"id": site}, "bizLocation": {"id": site}}
    record_event(session, event, actor=actor, source=f"imports:receipt:{lot.declaration}")
    _audit(session, actor, "import_receipt_recorded", lot.id, {"declaration": lot.declaration})
    return _read(session, lot)


def _destination(event: Event) -> str | None:
    for item in event.body.get("destinationList") or ():
        if isinstance(item, dict) and item.get("type") in ("owning_party", "urn:epcglobal:cbv:sdt:owning_party"):
            return canonical_id(str(item.get("destination", "")))
    return None


def _uom(session: Session, lot: ImportLot) -> str:
    first = session.scalar(select(Event).where(Event.event_id == lot.entry_event_id))
    return quantity_of(first.body, lot.code)[1] or "H87" if first is not None else "H87"


# reading


def certificates_of(session: Session, lot_ids: Sequence[str]) -> dict[str, list[ImportCertificate]]:
    found: dict[str, list[ImportCertificate]] = {}
    rows = session.scalars(
        select(ImportCertificate)
        .where(ImportCertificate.lot_id.in_(list(lot_ids)))
        .order_by(ImportCertificate.valid_from, ImportCertificate.number)
    )
    for row in rows:
        found.setdefault(row.lot_id, []).append(row)
    return found


def lot_events(session: Session, lot: ImportLot) -> list[Event]:
    """The stored events naming the lot's code (as a quantity), oldest first."""
    return list(
        session.scalars(
            select(Event)
            .join(EventEpc, EventEpc.event_pk == Event.id)
            .where(EventEpc.value == lot.code, EventEpc.role == "quantity")
            .order_by(Event.event_time, Event.id)
            .distinct()
        )
    )


def orders_of(session: Session, lot: ImportLot) -> list[str]:
    return [n for e in lot_events(session, lot) for n in document_numbers(e.body, ORDER)]


def _read(session: Session, lot: ImportLot) -> LotRead:
    held = certificates_of(session, [lot.id]).get(lot.id, [])
    events = lot_events(session, lot)
    names = {
        p.id: p.name
        for p in session.scalars(select(Party).where(Party.id.in_({e.recorder_id for e in events} | {lot.importer_id})))
    }
    return LotRead(
        declaration=lot.declaration,
        importer_id=lot.importer_id,
        importer=names.get(lot.importer_id, ""),
        gtin=lot.gtin,
        lot=lot.lot,
        code=lot.code,
        product=lot.product,
        class_id=lot.class_id,
        country=lot.country,
        country_zh=country_name(lot.country, "zh"),
        country_en=country_name(lot.country, "en"),
        port=lot.port,
        region=lot.region,
        entry_date=lot.entry_date,
        entry_event_id=lot.entry_event_id,
        certificates=[CertificateRead(number=c.number, valid_from=c.valid_from, event_id=c.event_id) for c in held],
        certified=bool(held),
        events=[
            LotEvent(
                event_id=e.event_id,
                time=e.event_time,
                step=e.biz_step or "",
                recorder=names.get(e.recorder_id),
                quantity=quantity_of(e.body, lot.code)[0],
                uom=quantity_of(e.body, lot.code)[1],
                order=next(iter(document_numbers(e.body, ORDER)), None),
                certificates=document_numbers(e.body, CERTIFICATE),
            )
            for e in events
        ],
        orders=[n for e in events for n in document_numbers(e.body, ORDER)],
    )


def list_lots(session: Session, *, reader: Party | None) -> list[LotRead]:
    """The import lots in the reader's lane, newest entry first."""
    rows = session.scalars(
        select(ImportLot).where(permissions.lane(reader)).order_by(ImportLot.entry_date.desc(), ImportLot.declaration)
    )
    return [_read(session, lot) for lot in rows]


def get_lot(session: Session, number: str, *, reader: Party | None) -> LotRead:
    """The lot of declaration ``number`` in the reader's lane; NotFound outside it."""
    lot = session.scalar(select(ImportLot).where(ImportLot.declaration == number.strip(), permissions.lane(reader)))
    if lot is None:
        raise NotFound(f"没有报关单号为 {number} 的进口批次", message_en=f"no import lot of declaration {number}")
    return _read(session, lot)


def lots_of_codes(session: Session, codes: Sequence[str]) -> dict[str, ImportLot]:
    """Code → import lot, of those among ``codes``."""
    wanted = sorted(set(codes))
    return (
        {lot.code: lot for lot in session.scalars(select(ImportLot).where(ImportLot.code.in_(wanted)))}
        if wanted
        else {}
    )


def all_lots(session: Session) -> list[ImportLot]:
    return list(session.scalars(select(ImportLot).order_by(ImportLot.created_at)))


def certified_at(certificates: Sequence[ImportCertificate], when: datetime) -> bool:
    """Whether one of the lot's ``certificates`` was registered at or before ``when``."""
    return any(c.valid_from <= when for c in certificates)


def sale_events(
    session: Session, codes: Sequence[str], *, first_pk: int | None = None, last_pk: int | None = None
) -> list[tuple[Event, str]]:
    """(sale event, lot code) of the shipping and retail_selling events naming ``codes`` (as quantities)."""
    if not codes:
        return []
    conditions = [EventEpc.value.in_(list(codes)), EventEpc.role == "quantity", Event.biz_step.in_(SALE_STEPS)]
    if first_pk is not None and last_pk is not None:
        conditions += [Event.id >= first_pk, Event.id <= last_pk]
    return [
        (event, code)
        for event, code in session.execute(
            select(Event, EventEpc.value)
            .join(EventEpc, EventEpc.event_pk == Event.id)
            .where(*conditions)
            .order_by(Event.id)
        )
    ]
