"""Market scan trading (扫码交易): a stall holder's purchases by scanning the supplier's code and its retail sales
with a receipt code (追溯小票), recorded as EPCIS events at the stall's site; the stalls of a market; each stall's
books (``books``); and the consumer's view of a receipt (``docs/market.md``).

Writes: ``register_stall``, ``record_purchase`` and ``record_sale`` (each with its audit row; the events through
capture, ``recording``). An entry carries the id the phone gave it (``client_id``): its eventID derives from it, so
an entry sent again after being offline is the same event — answered as a duplicate, never stored twice. A reader or
actor of None is the local operator (the command line).
"""

import secrets
from base64 import b32encode
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from zhuisu.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.labels.scan import read_image
from zhuisu.models import AuditEntry, MarketReceipt, MarketStall, Party
from zhuisu.parties import service as parties_service
from zhuisu.sectors import recording
from zhuisu.sectors.market import books, lookup, permissions, repository
from zhuisu.sectors.market.schemas import (
    EntryRead,
    LedgerRead,
    LookupRead,
    PurchaseCreate,
    ReceiptRead,
    SaleCreate,
    ScanRead,
    StallCreate,
    StallRead,
)
from zhuisu.sectors.market.vocabulary import (
    COMPLIANCE_CERTIFICATE,
    CURRENCY,
    ENTRY,
    ORIGIN,
    PARTY,
    PURCHASE_STEPS,
    RECEIPT,
    SALE_STEPS,
    SHIPPING_EVENT,
    SITE,
    SUPPLIER_NAME,
    UNIT_PRICE,
    Unit,
    event_id,
    unit_of,
)

#: How long a phone may keep an entry offline before sending it.
OFFLINE_DAYS = 30
#: How far ahead of the node's clock an entry's time may be (phones' clocks drift).
CLOCK_SKEW = timedelta(minutes=5)
LEDGER_DAYS = 7


def _invalid(field_name: str, *, zh: str, en: str) -> InvalidInput:
    return InvalidInput(f"{field_name}：{zh}", message_en=f"{field_name}: {en}", field=field_name)


def _audit(session: Session, actor: Party | None, action: str, subject: str, payload: dict[str, Any]) -> None:
    session.add(AuditEntry(actor_id=actor.id if actor else None, action=action, subject=subject, payload=payload))


# stalls


def list_stalls(session: Session, *, reader: Party | None) -> list[StallRead]:
    """The stalls in the reader's lane (``permissions.stalls_lane``), by market and number."""
    return [books.stall_read(s) for s in repository.stalls(session, permissions.stalls_lane(reader))]


def _gln(value: str, field_name: str) -> str:
    gln = value.strip().removeprefix(SITE)
    if not (gln.isdigit() and len(gln) == 13):
        raise _invalid(field_name, zh="应为 13 位 GLN", en="a 13-digit GLN")
    return gln


def register_stall(session: Session, body: StallCreate, *, actor: Party | None) -> StallRead:
    """A stall at a market: by the market's operator (or the admin). Raises InvalidInput naming the field (an
    unknown market site or holder, a site that is not the holder's), PermissionDenied, AlreadyExists."""
    market = repository.location_by_gln(session, _gln(body.market, "market"))
    if market is None:
        raise _invalid("market", zh="本节点没有登记该市场位置", en="no such market site is registered here")
    operator = repository.parties(session, [market.party_id]).get(market.party_id)
    if operator is None or not permissions.may_register_stall(actor, operator.id, operator.roles):
        raise PermissionDenied(
            "仅市场开办者（拥有该市场位置、角色为市场的主体）或管理员可以登记摊位",
            message_en="only the market's operator (owner of the market site, role market) or the admin registers "
            "its stalls",
        )
    holder = parties_service.find_party_by_identifier(session, body.holder)
    if holder is None:
        raise _invalid("holder", zh=f"本节点没有主体 {body.holder}", en=f"no party {body.holder} on this node")
    site = repository.location_by_gln(session, _gln(body.site, "site"))
    if site is None or site.party_id != holder.id:
        raise _invalid("site", zh="摊位位置应为摊主登记的位置", en="the stall's site must be one its holder registered")
    if repository.stalls(session, (MarketStall.site_id == site.id)):
        raise AlreadyExists("该位置已是一个摊位", message_en="this site is a stall already", field="site")
    number = body.number.strip()
    if repository.stalls(session, MarketStall.market_site_id == market.id, MarketStall.number == number):
        raise AlreadyExists(f"摊位号 {number} 已存在", message_en=f"stall {number} exists", field="number")
    row = MarketStall(market_site_id=market.id, site_id=site.id, holder_id=holder.id, number=number)
    session.add(row)
    session.flush()
    _audit(
        session, actor, "market_stall_registered", row.id, {"market": market.id, "holder": holder.id, "number": number}
    )
    return books.stall_read(repository.stalls(session, MarketStall.id == row.id)[0])


def _stall(session: Session, actor: Party, stall_id: str | None) -> repository.Stall:
    """The actor's stall (``stall_id``, needed only by a holder of several). Raises InvalidInput (field stall)."""
    mine = repository.stalls(session, MarketStall.holder_id == actor.id)
    if stall_id:
        found = next((s for s in mine if s.row.id == stall_id), None)
        if found is None:
            raise _invalid("stall", zh="不是您的摊位", en="not a stall of yours")
        return found
    if not mine:
        raise _invalid(
            "stall", zh="您还没有登记摊位：请联系市场开办者", en="you hold no stall: ask the market's operator"
        )
    if len(mine) > 1:
        raise _invalid("stall", zh="您有多个摊位：请选择一个", en="you hold several stalls: choose one")
    return mine[0]


def _reading_stall(session: Session, reader: Party | None, stall_id: str | None) -> repository.Stall:
    """A stall the reader sees (``stall_id``; else the reader's only stall). Raises NotFound, InvalidInput."""
    if stall_id:
        found = repository.stalls(session, MarketStall.id == stall_id, permissions.stalls_lane(reader))
        if not found:
            raise NotFound(f"没有摊位 {stall_id}", message_en=f"no stall {stall_id}")
        return found[0]
    if reader is None:
        raise _invalid("stall", zh="请指定摊位", en="name the stall")
    return _stall(session, reader, None)


# scanning


def _ids(stall: repository.Stall) -> lookup.StallIds:
    return lookup.StallIds(stall.holder, stall.site.gln)


def look_up(session: Session, text: str, *, actor: Party, stall: str | None = None) -> LookupRead:
    """What a scanned or typed code is, for a purchase at the actor's stall. Raises InvalidInput (code, stall)."""
    return lookup.look_up(session, text, _ids(_stall(session, actor, stall)))


def scan(session: Session, image: bytes, *, actor: Party, stall: str | None = None) -> ScanRead:
    """The codes in a photo of a label (zxing-cpp), the first valid one looked up. Raises InvalidInput (image,
    stall)."""
    found = _stall(session, actor, stall)
    symbols = read_image(image)
    first = next((s for s in symbols if s.recognition.valid), None)
    looked = lookup.look_up(session, first.text, _ids(found)) if first is not None else None
    return ScanRead(symbols=[s.text for s in symbols], found=looked)


# recording


def _when(value: datetime | None) -> datetime:
    now = utc_now()
    if value is None:
        return now.astimezone(BEIJING)
    moment = value if value.tzinfo is not None else value.replace(tzinfo=BEIJING)
    if moment > now + CLOCK_SKEW:
        raise _invalid("recorded_at", zh="时间晚于现在", en="in the future")
    if moment < now - timedelta(days=OFFLINE_DAYS):
        raise _invalid(
            "recorded_at", zh=f"早于 {OFFLINE_DAYS} 天前：请补录为新记录", en=f"more than {OFFLINE_DAYS} days ago"
        )
    return moment.astimezone(BEIJING)


def _unit(text: str) -> Unit:
    found = unit_of(text)
    if found is None:
        raise _invalid("unit", zh="应为 斤、公斤、箱 或 件", en="one of jin (斤), kg (公斤), box (箱), piece (件)")
    return found


def _entry(unit: Unit, body: PurchaseCreate | SaleCreate) -> dict[str, Any]:
    members: dict[str, Any] = {
        "zs:" + ENTRY: {
            "clientId": body.client_id,
            "unit": unit.key,
            "quantity": body.quantity,
            **({"unitPrice": round(body.unit_price, 2)} if body.unit_price is not None else {}),
        }
    }
    if body.unit_price is not None:
        members["zs:" + UNIT_PRICE] = {
            "value": round(body.unit_price / unit.factor, 4),
            "currency": CURRENCY,
            "uom": unit.uom,
        }
    return members


def _event(
    eid: str, when: datetime, step: str, disposition: str, site: str, klass: str, unit: Unit, qty: float
) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventID": eid,
        "eventTime": when.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": step,
        "disposition": disposition,
        "readPoint": {"id": site},
        "bizLocation": {"id": site},
        "quantityList": [{"epcClass": klass, "quantity": round(qty * unit.factor, 6), "uom": unit.uom}],
    }


def _capture(session: Session, event: dict[str, Any], actor: Party, source: str) -> str:
    """Capture ``event`` as ``actor``'s (``sectors.recording``): its status. Raises InvalidInput naming the field for
    an event capture rejects (a data element the product's class asks for that the entry lacks)."""
    created = utc_now().astimezone(BEIJING).isoformat(timespec="milliseconds")
    entry = recording.record(
        session, recording.Recording(recording.document([event], created=created), actor=actor, source=source)
    )
    status = entry.statuses[0] if entry.statuses else "rejected"
    if status != "rejected":
        return status
    first = entry.errors[0] if entry.errors else None
    element = (first.expected if first else "").split(":", 1)[0]
    field_name = element if element in ("compliance_certificate", "origin") else "code"
    raise InvalidInput(
        f"{field_name}：{first.message_zh if first else '记录被拒绝'}",
        message_en=f"{field_name}: {first.message_en if first else 'the entry was rejected'}",
        field=field_name,
        errors=[e.to_json("zh") for e in entry.errors],
    )


def _stored_entry(session: Session, eid: str, stall: repository.Stall) -> EntryRead | None:
    stored = repository.stored_event(session, eid)
    if stored is None:
        return None
    found = books.Reader(session, [stored]).entries(stored, stall)
    return found[0].model_copy(update={"duplicate": True}) if found else None


def record_purchase(session: Session, body: PurchaseCreate, *, actor: Party) -> EntryRead:
    """A purchase by scan (进货): a ``receiving`` event at the actor's stall of the code's lot class, from the
    supplier (the lookup's, or ``body.supplier``), with the supplier's shipment's documents and link, the 合格证 and
    产地, the price. The same ``client_id`` again answers the stored entry (``duplicate``). Raises InvalidInput naming
    the field; nothing is stored then."""
    stall = _stall(session, actor, body.stall)
    eid = event_id(actor.id, "purchase", body.client_id)
    if (known := _stored_entry(session, eid, stall)) is not None:
        return known
    unit, when = _unit(body.unit), _when(body.recorded_at)
    found = lookup.look_up(session, body.code, _ids(stall))
    supplier = _supplier(session, body, found)
    shipped = found.supplier is not None and found.supplier.id == supplier.id and found.shipping_event is not None
    certificate = (body.compliance_certificate or "").strip() or found.compliance_certificate
    origin = (body.origin or "").strip() or found.origin
    site = books.site_of(stall)
    event = _event(eid, when, "receiving", "sellable_accessible", site, found.lot_class, unit, body.quantity)
    event["sourceList"] = [{"type": "owning_party", "source": PARTY + supplier.gln}] if supplier.gln else []
    event["destinationList"] = [
        *([{"type": "owning_party", "destination": PARTY + str(actor.gln)}] if actor.gln else []),
        {"type": "location", "destination": site},
    ]
    documents = [d for d in found.documents if d.get("type") != COMPLIANCE_CERTIFICATE] if shipped else []
    if certificate:
        documents.append({"type": COMPLIANCE_CERTIFICATE, "bizTransaction": lookup.CERTIFICATE_URN + certificate})
    if documents:
        event["bizTransactionList"] = documents
    if not event["sourceList"]:
        del event["sourceList"]
        event["zs:" + SUPPLIER_NAME] = supplier.name
    if shipped:
        event["zs:" + SHIPPING_EVENT] = found.shipping_event
    if origin:
        event["zs:" + ORIGIN] = origin
    event.update(_entry(unit, body))
    status = _capture(session, event, actor, "market:purchase")
    _audit(session, actor, "market_purchase_recorded", eid, {"stall": stall.row.id, "client_id": body.client_id})
    read = _stored_entry(session, eid, stall)
    if read is None:  # pragma: no cover - captured events are readable in the same transaction
        raise NotFound(f"没有事件 {eid}", message_en=f"no event {eid}")
    return read.model_copy(update={"duplicate": status == "duplicate"})


def _supplier(session: Session, body: PurchaseCreate, found: LookupRead) -> Party:
    if body.supplier and body.supplier.strip():
        given = parties_service.find_party_by_identifier(session, body.supplier)
        if given is None:
            raise _invalid(
                "supplier", zh=f"本节点没有主体 {body.supplier}", en=f"no party {body.supplier} on this node"
            )
        return given
    known = repository.parties(session, [found.supplier.id]).get(found.supplier.id) if found.supplier else None
    if known is None:
        raise _invalid(
            "supplier", zh="找不到该追溯码的供货方：请指明供货方", en="no supplier is known for this code: name it"
        )
    return known


def _receipt_number() -> str:
    """A receipt's public number: 80 random bits in base 32 (16 characters; not guessable, so not enumerable)."""
    return b32encode(secrets.token_bytes(10)).decode()


def record_sale(session: Session, body: SaleCreate, *, actor: Party) -> EntryRead:
    """A retail sale (销售): a ``retail_selling`` event at the actor's stall of a lot it bought, with a receipt
    number (``zs:receipt``) the consumer's receipt code resolves. The same ``client_id`` again answers the stored
    entry (``duplicate``). Raises InvalidInput naming the field (a lot never bought here, a unit other than the one
    it was bought in); selling more than is on hand is recorded (the risk rules judge it)."""
    stall = _stall(session, actor, body.stall)
    eid = event_id(actor.id, "sale", body.client_id)
    if (known := _stored_entry(session, eid, stall)) is not None:
        return known
    unit, when = _unit(body.unit), _when(body.recorded_at)
    code, _scheme = lookup.read_code(body.code)
    klass = lookup.lot_class(code)
    held = [r for r in books.on_hand(session, stall, reader=None) if r.code == klass]
    if not held:
        raise _invalid(
            "code",
            zh="本摊位没有该批次的进货记录：请先记录进货",
            en="never bought at this stall: record its purchase first",
        )
    if unit.uom not in {r.uom for r in held}:
        raise _invalid(
            "unit",
            zh=f"该批次按 {'、'.join(sorted({r.uom for r in held}))} 进货：请用相同单位销售",
            en=f"this lot was bought in {', '.join(sorted({r.uom for r in held}))}: sell it in the same unit",
        )
    number = _receipt_number()
    event = _event(eid, when, "retail_selling", "retail_sold", books.site_of(stall), klass, unit, body.quantity)
    if actor.gln:
        event["sourceList"] = [{"type": "owning_party", "source": PARTY + actor.gln}]
    event.update(_entry(unit, body))
    event["zs:" + RECEIPT] = number
    status = _capture(session, event, actor, "market:sale")
    if status == "captured":
        session.add(MarketReceipt(number=number, event_id=eid, stall_id=stall.row.id))
        session.flush()
    _audit(session, actor, "market_sale_recorded", eid, {"stall": stall.row.id, "client_id": body.client_id})
    read = _stored_entry(session, eid, stall)
    if read is None:  # pragma: no cover
        raise NotFound(f"没有事件 {eid}", message_en=f"no event {eid}")
    return read.model_copy(update={"duplicate": status == "duplicate"})


# reading


def _range(since: date | None, until: date | None) -> tuple[date, date]:
    last = until or utc_now().astimezone(BEIJING).date()
    first = since or last - timedelta(days=LEDGER_DAYS - 1)
    if first > last:
        raise _invalid("since", zh="起始日期晚于结束日期", en="after until")
    return first, last


def list_entries(
    session: Session,
    *,
    reader: Party | None,
    kind: str,
    since: date | None = None,
    until: date | None = None,
    stall: str | None = None,
) -> list[EntryRead]:
    """The purchases (``kind`` purchase) or sales in the reader's lane within the days (Beijing), newest first; a
    supplier also sees the purchases of its goods at any stall."""
    first, last = _range(since, until)
    start, end = books.day_bounds(first, last)
    conditions = [permissions.stalls_lane(reader)] + ([MarketStall.id == stall] if stall else [])
    steps = PURCHASE_STEPS if kind == "purchase" else SALE_STEPS
    found = books.stall_entries(
        session, repository.stalls(session, *conditions), reader=reader, steps=steps, since=start, until=end
    )
    if kind == "purchase" and reader is not None and not permissions.regulates(reader) and not stall:
        seen = {(e.event_id, e.code) for e in found}
        found += [
            e
            for e in books.supplied_entries(session, reader, since=start, until=end)
            if (e.event_id, e.code) not in seen
        ]
    return sorted(found, key=lambda e: (e.time, e.event_id), reverse=True)


def ledger(
    session: Session,
    *,
    reader: Party | None,
    stall: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> LedgerRead:
    """A stall's books: its purchases and sales by day (Beijing) within [since, until] (default the last 7 days) and
    its balance per lot until now. Raises NotFound (a stall outside the reader's lane), InvalidInput."""
    found = _reading_stall(session, reader, stall)
    first, last = _range(since, until)
    start, end = books.day_bounds(first, last)
    entries = books.stall_entries(
        session, [found], reader=reader, steps=(*PURCHASE_STEPS, *SALE_STEPS), since=start, until=end
    )
    return LedgerRead(
        stall=books.stall_read(found),
        since=first,
        until=last,
        days=books.days(entries),
        on_hand=books.on_hand(session, found, reader=reader),
    )


def receipt(session: Session, number: str) -> ReceiptRead:
    """The consumer's view of a receipt. Raises NotFound."""
    row = repository.receipt(session, number.strip().upper())
    stored = repository.stored_event(session, row.event_id) if row is not None else None
    stalls = repository.stalls(session, MarketStall.id == row.stall_id) if row is not None else []
    if row is None or stored is None or not stalls:
        raise NotFound(f"没有小票 {number}", message_en=f"no receipt {number}")
    entry = books.Reader(session, [stored]).entries(stored, stalls[0])[0]
    stall = stalls[0]
    return ReceiptRead(
        receipt=row.number,
        stall=stall.site.name,
        stall_number=stall.row.number,
        market=stall.market_site.name,
        market_region=stall.market_site.region or stall.operator.region,
        sold_at=entry.time,
        product=entry.product,
        lot=entry.lot,
        quantity=entry.unit_quantity,
        unit=entry.unit,
        story=books.story_path(entry.code),
    )


def stall_receipt(session: Session, number: str, *, reader: Party) -> tuple[ReceiptRead, EntryRead]:
    """A receipt of a stall the reader sees, with its sale (the price): what the stall prints. Raises NotFound."""
    read = receipt(session, number)
    row = repository.receipt(session, read.receipt)
    visible = repository.stalls(
        session, MarketStall.id == (row.stall_id if row else ""), permissions.stalls_lane(reader)
    )
    stored = repository.stored_event(session, row.event_id) if row is not None else None
    if not visible or stored is None:
        raise NotFound(f"没有小票 {number}", message_en=f"no receipt {number}")
    return read, books.Reader(session, [stored]).entries(stored, visible[0])[0]
