"""The hazardous goods sector: permits with quantity limits, buyers' identities (实名), electronic waybills and
the stock of each warehouse, all read from the EPCIS events and the master data (``docs/hazardous.md``).

Risk rules (``zhuisu.oversight.rules.hazardous_*``) read through ``waybill_events``, ``waybill_states`` and
``balances``; nothing here writes but ``register_permit``, ``register_identity``, ``create_waybill`` and
``cancel_waybill``, each with its audit row in the same transaction. A reader or actor of None is the local operator
(the command line, no token): it sees everything and may act for any party.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.auth.roles import covers, is_admin
from zhuisu.config import Settings
from zhuisu.epcis.identifiers import canonical_id
from zhuisu.errors import AlreadyExists, Conflict, InvalidInput, NotFound, PermissionDenied
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import AuditEntry, BuyerIdentity, Event, Licence, Location, Party, PermitLimit, Waybill
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.sectors.hazardous import identity, permissions, repository
from zhuisu.sectors.hazardous.documents import (
    COUNT_STEPS,
    DESTROYED_STEPS,
    ISSUED_STEPS,
    RECEIVED_STEPS,
    WAYBILL,
    document_numbers,
    gtin_of,
)
from zhuisu.sectors.hazardous.interlocks import sold_under
from zhuisu.sectors.hazardous.schemas import (
    IdentityCreate,
    IdentityRead,
    PermitCreate,
    PermitRead,
    StockRow,
    WaybillCancel,
    WaybillCreate,
    WaybillRead,
)

SITE = "https://id.gs1.org/414/"


def _invalid(field_name: str, *, zh: str, en: str) -> InvalidInput:
    return InvalidInput(f"{field_name}：{zh}", message_en=f"{field_name}: {en}", field=field_name)


def _audit(session: Session, actor: Party | None, action: str, subject: str, payload: dict[str, Any]) -> None:
    session.add(AuditEntry(actor_id=actor.id if actor else None, action=action, subject=subject, payload=payload))


def _party(session: Session, value: str, field_name: str) -> Party:
    found = parties_service.find_party_by_identifier(session, value)
    if found is None:
        raise _invalid(field_name, zh=f"本节点没有主体 {value}", en=f"no party {value} on this node")
    return found


# permits


def register_permit(session: Session, body: PermitCreate, *, actor: Party | None) -> PermitRead:
    """A permit (a ``licences`` row) and its quantity limit; the holder or the admin. Raises InvalidInput naming the
    field, AlreadyExists, NotYourParty."""
    if (body.quantity_limit is None) != (body.quantity_unit is None):
        raise _invalid(
            "quantity_unit", zh="数量限额须同时给出数量和单位", en="a quantity limit needs both its quantity and unit"
        )
    holder = _party(session, body.party, "party")
    licence = masterdata.add_licence(
        session,
        holder,
        licence_type=body.licence_type,
        number=body.number,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        issuer=body.issuer,
        scope=body.scope,
        actor=actor,
    )
    if body.quantity_limit is not None and body.quantity_unit:
        session.add(
            PermitLimit(licence_id=licence.id, quantity_limit=body.quantity_limit, quantity_unit=body.quantity_unit)
        )
        session.flush()
        _audit(
            session,
            actor,
            "hazardous_permit_limit_set",
            licence.id,
            {
                "party": holder.id,
                "number": licence.number,
                "quantity_limit": body.quantity_limit,
                "quantity_unit": body.quantity_unit,
            },
        )
    return _permit_read(session, licence, holder)


def _permit_read(session: Session, licence: Licence, holder: Party) -> PermitRead:
    limit = repository.limits(session, [licence.id]).get(licence.id)
    return PermitRead(
        id=licence.id,
        party_id=licence.party_id,
        licence_type=licence.licence_type,
        number=licence.number,
        issuer=licence.issuer,
        valid_from=licence.valid_from,
        valid_to=licence.valid_to,
        classes=licence.classes,
        confirmed=licence.confirmed_at is not None,
        quantity_limit=limit.quantity_limit if limit else None,
        quantity_unit=limit.quantity_unit if limit else None,
        quantity_used=sold_under(session, licence, holder, limit.quantity_unit) if limit else None,
    )


def list_permits(session: Session, *, reader: Party | None) -> list[PermitRead]:
    """The permits with a quantity limit in the reader's lane (None: every one), by number."""
    rows = session.execute(
        select(Licence, Party)
        .join(Party, Party.id == Licence.party_id)
        .join(PermitLimit, PermitLimit.licence_id == Licence.id)
        .where(permissions.parties_lane(reader))
        .order_by(Licence.number)
    )
    return [_permit_read(session, licence, holder) for licence, holder in rows]


# identities


def register_identity(
    session: Session, settings: Settings, body: IdentityCreate, *, actor: Party | None
) -> IdentityRead:
    """Register a buyer's agent by name: the ID number kept as its keyed hash only. The same person registered again
    for the same buyer gets the same answer; for another buyer, AlreadyExists."""
    buyer = _party(session, body.buyer, "buyer")
    number = identity.check_id_number(body.id_number)
    digest = identity.digest(settings, number)
    known = session.scalar(select(BuyerIdentity).where(BuyerIdentity.id_hash == digest))
    if known is not None and known.party_id != buyer.id:
        raise AlreadyExists(
            "该身份已登记为其他买方的经办人", message_en="this identity is registered for another buyer"
        )
    if known is None:
        known = BuyerIdentity(
            party_id=buyer.id,
            id_hash=digest,
            id_masked=identity.mask(number),
            name=body.name.strip(),
            registered_by_id=actor.id if actor else None,
        )
        session.add(known)
        session.flush()
        _audit(
            session, actor, "hazardous_identity_registered", known.id, {"buyer": buyer.id, "masked": known.id_masked}
        )
    return IdentityRead(identity=known.id_hash, masked=known.id_masked, buyer_id=buyer.id)


# waybills


def _site(session: Session, value: str, field_name: str) -> tuple[str, Location]:
    text = value.strip()
    gln = text.removeprefix(SITE) if text.startswith(SITE) else text
    location = session.scalar(select(Location).where(Location.gln == gln)) if gln.isdigit() else None
    if location is None:
        raise _invalid(
            field_name, zh=f"本节点没有登记 GLN 为 {gln} 的位置", en=f"no site with GLN {gln} is registered here"
        )
    return SITE + gln, location


def _check_crew(role: str, member: Any, body: WaybillCreate) -> None:
    if not member.qualification.strip():
        raise _invalid(
            f"{role}.qualification", zh="缺少从业资格证号", en="no qualification certificate (从业资格证) number"
        )
    if (
        member.qualification_valid_to is None
        or member.qualification_valid_to < body.window_end.astimezone(BEIJING).date()
    ):
        raise _invalid(
            f"{role}.qualification_valid_to",
            zh="从业资格证在运输时间窗内无效（已过期或未注明有效期）",
            en="the qualification certificate is not valid through the time window (expired, or no validity given)",
        )


def _carrier_permit(session: Session, carrier: Party, classes: list[str], body: WaybillCreate) -> None:
    first, last = body.window_start.astimezone(BEIJING).date(), body.window_end.astimezone(BEIJING).date()
    for licence in masterdata.list_licences(session, party=carrier):
        if (
            licence.licence_type == "dangerous_goods_transport"
            and licence.confirmed_at is not None
            and licence.valid_from <= first
            and (licence.valid_to is None or last <= licence.valid_to)
            and all(covers(licence.classes or None, c) for c in classes)
        ):
            return
    raise _invalid(
        "carrier",
        zh=f"承运人 {carrier.name} 无覆盖运输时间窗和货物类别的有效道路危险货物运输许可证",
        en=f"the carrier {carrier.name} holds no confirmed road dangerous goods transport permit valid through the "
        "window for these goods",
    )


def create_waybill(session: Session, body: WaybillCreate, *, actor: Party | None) -> WaybillRead:
    """An electronic waybill sent by ``actor`` (the consignor; the local operator (None) and the admin send it for
    the owner of the origin). Raises InvalidInput naming the field (an unknown party or site, goods that are not
    hazardous, a crew member without a valid qualification, a carrier without a valid transport permit, a bad
    window), AlreadyExists for a number in use. Writes its audit row."""
    if body.window_end <= body.window_start:
        raise _invalid("window_end", zh="时间窗结束早于开始", en="the window ends before it starts")
    carrier = _party(session, body.carrier, "carrier")
    consignee = _party(session, body.consignee, "consignee")
    origin, origin_site = _site(session, body.origin, "origin")
    destination, destination_site = _site(session, body.destination, "destination")
    acting_for_anyone = actor is None or is_admin(actor)
    consignor_id = origin_site.party_id if acting_for_anyone else actor.id if actor else None
    if origin_site.party_id is None or origin_site.party_id != consignor_id:
        raise _invalid("origin", zh="起运地不是发货人自己的位置", en="the origin is not a site of the consignor")
    goods, classes = _goods(session, body)
    _check_crew("driver", body.driver, body)
    _check_crew("escort", body.escort, body)
    _carrier_permit(session, carrier, classes, body)
    if session.scalar(select(Waybill.id).where(Waybill.number == body.number.strip())) is not None:
        raise AlreadyExists(f"运单号 {body.number} 已存在", message_en=f"waybill {body.number} exists", field="number")
    waybill = Waybill(
        number=body.number.strip(),
        consignor_id=consignor_id,
        carrier_id=carrier.id,
        consignee_id=consignee.id,
        origin=origin,
        origin_region=origin_site.region or _region_of(session, origin_site.party_id),
        destination=destination,
        destination_region=destination_site.region or _region_of(session, destination_site.party_id),
        vehicle_plate=body.vehicle_plate.strip(),
        crew={"driver": body.driver.model_dump(mode="json"), "escort": body.escort.model_dump(mode="json")},
        goods=goods,
        classes=classes,
        route=body.route,
        window_start=body.window_start,
        window_end=body.window_end,
        permit_number=body.permit_number,
        created_by_id=actor.id if actor else None,
    )
    session.add(waybill)
    session.flush()
    _audit(
        session,
        actor,
        "hazardous_waybill_created",
        waybill.id,
        {
            "number": waybill.number,
            "consignor": consignor_id,
            "carrier": carrier.id,
            "consignee": consignee.id,
            "goods": goods,
            "window_start": body.window_start.isoformat(),
            "window_end": body.window_end.isoformat(),
        },
    )
    return waybill_states(session, [waybill], now=utc_now())[0]


def may_cancel(actor: Party | None, waybill: Waybill) -> bool:
    """The local operator, the admin, the waybill's carrier, its consignor or the party that created it."""
    return (
        actor is None
        or is_admin(actor)
        or actor.id in (waybill.carrier_id, waybill.consignor_id, waybill.created_by_id)
    )


def cancel_waybill(
    session: Session, number: str, body: WaybillCancel | None = None, *, actor: Party | None
) -> WaybillRead:
    """Cancel (作废) a waybill not received: it is no longer open (no never-closed alert; a receipt naming it is
    unmatched). Raises NotFound (also for a caller outside its lane: its existence is not told), PermissionDenied (a
    caller that sees it but neither carries nor sent it), Conflict (received, or already cancelled). Writes its
    audit row."""
    waybill = repository.waybills_numbered(session, [number.strip()]).get(number.strip())
    if waybill is None or not (may_cancel(actor, waybill) or _sees(session, actor, waybill)):
        raise NotFound(f"没有运单 {number}", message_en=f"no waybill {number}")
    if not may_cancel(actor, waybill):
        raise PermissionDenied(
            "仅承运人、发货人（运单创建者）或管理员可以作废运单",
            message_en="only the carrier, the consignor that created it or the admin may cancel a waybill",
        )
    if waybill.cancelled_at is not None:
        raise Conflict(
            f"运单 {waybill.number} 已于 {waybill.cancelled_at.astimezone(BEIJING):%Y-%m-%d %H:%M} 作废",
            message_en=f"waybill {waybill.number} was already cancelled "
            f"({waybill.cancelled_at.astimezone(BEIJING):%Y-%m-%d %H:%M} Beijing time)",
        )
    received = waybill_events(session, waybill).received
    if received:
        raise Conflict(
            f"运单 {waybill.number} 已收货（事件 {received[0].event_id}），不能作废",
            message_en=f"waybill {waybill.number} was received (event {received[0].event_id}): it cannot be cancelled",
        )
    waybill.cancelled_at = utc_now()
    session.flush()
    reason = body.reason.strip() if body else ""
    _audit(session, actor, "hazardous_waybill_cancelled", waybill.id, {"number": waybill.number, "reason": reason})
    return waybill_states(session, [waybill], now=utc_now())[0]


def _sees(session: Session, reader: Party | None, waybill: Waybill) -> bool:
    lane = permissions.waybills_lane(reader)
    visible = session.scalar(select(Waybill.id).where(Waybill.id == waybill.id, lane)) is not None
    return visible and any(permissions.sees_class(reader, c) for c in waybill.classes)


def _region_of(session: Session, party_id: str) -> str | None:
    party = session.get(Party, party_id)
    return party.region if party else None


def _goods(session: Session, body: WaybillCreate) -> tuple[list[dict[str, Any]], list[str]]:
    goods, classes = [], set()
    gtins = {n: gtin_of(canonical_id(g.code)) for n, g in enumerate(body.goods)}
    known = repository.product_classes(session, [g for g in gtins.values() if g])
    for n, item in enumerate(body.goods):
        found = known.get(gtins[n] or "")
        if found is None or not found[0].startswith("hazardous"):
            raise _invalid(
                f"goods[{n}].code", zh="不是本节点登记的危险品", en="not a hazardous product registered here"
            )
        goods.append(
            {"code": canonical_id(item.code), "class_id": found[0], "quantity": item.quantity, "uom": item.uom}
        )
        classes.add(found[0])
    return goods, sorted(classes)


@dataclass
class WaybillEvents:
    shipped: list[Event] = field(default_factory=list)
    received: list[Event] = field(default_factory=list)


def waybill_events(session: Session, waybill: Waybill) -> WaybillEvents:
    """The stored shipping and receiving events that name the waybill."""
    found = WaybillEvents()
    since = waybill.window_start - timedelta(days=1)
    for event in repository.events_naming(session, waybill.number, ("shipping", "receiving"), since=since):
        if waybill.number in document_numbers(event.body, WAYBILL):
            (found.shipped if event.biz_step == "shipping" else found.received).append(event)
    return found


def waybills_events(session: Session, waybills: Sequence[Waybill]) -> dict[str, WaybillEvents]:
    """``waybill_events`` of many waybills (number → events) in one read of the events naming any waybill since the
    earliest window: a scan over every waybill reads the store once, not once per waybill."""
    found = {w.number: WaybillEvents() for w in waybills}
    if not waybills:
        return found
    since = {w.number: w.window_start - timedelta(days=1) for w in waybills}
    earliest = min(since.values())
    for event in repository.events_naming(session, "e_waybill", ("shipping", "receiving"), since=earliest):
        for number in dict.fromkeys(document_numbers(event.body, WAYBILL)):
            if number in found and event.event_time >= since[number]:
                events = found[number]
                (events.shipped if event.biz_step == "shipping" else events.received).append(event)
    return found


def waybill_states(session: Session, waybills: Sequence[Waybill], *, now: datetime) -> list[WaybillRead]:
    names = {
        p.id: p.name
        for p in session.scalars(
            select(Party).where(
                Party.id.in_(
                    {w.consignor_id for w in waybills}
                    | {w.carrier_id for w in waybills}
                    | {w.consignee_id for w in waybills}
                )
            )
        )
    }
    out = []
    read = waybills_events(session, waybills)
    for w in waybills:
        events = read[w.number]
        state = (
            "cancelled"
            if w.cancelled_at
            else "received"
            if events.received
            else "on_road"
            if events.shipped
            else "planned"
        )
        out.append(
            WaybillRead(
                number=w.number,
                consignor_id=w.consignor_id,
                consignor=names.get(w.consignor_id, ""),
                carrier_id=w.carrier_id,
                carrier=names.get(w.carrier_id, ""),
                consignee_id=w.consignee_id,
                consignee=names.get(w.consignee_id, ""),
                origin=w.origin,
                origin_region=w.origin_region,
                destination=w.destination,
                destination_region=w.destination_region,
                vehicle_plate=w.vehicle_plate,
                driver=str(w.crew.get("driver", {}).get("name", "")),
                escort=str(w.crew.get("escort", {}).get("name", "")),
                goods=list(w.goods),
                classes=list(w.classes),
                route=w.route,
                window_start=w.window_start,
                window_end=w.window_end,
                cancelled_at=w.cancelled_at,
                state=state,
                overdue=state in ("planned", "on_road") and w.window_end < now,
                shipped_event=events.shipped[0].event_id if events.shipped else None,
                received_event=events.received[0].event_id if events.received else None,
            )
        )
    return out


def list_waybills(
    session: Session, *, reader: Party | None, state: str | None = None, now: datetime | None = None
) -> list[WaybillRead]:
    """The waybills in the reader's lane (None: every one; ``state``: only those in it, ``open`` those planned or
    on the road), by window."""
    rows = [
        w
        for w in repository.waybills(session, permissions.waybills_lane(reader))
        if any(permissions.sees_class(reader, c) for c in w.classes)
    ]
    found = waybill_states(session, rows, now=now or utc_now())
    if state == "open":
        return [w for w in found if w.state in ("planned", "on_road")]
    return [w for w in found if state is None or w.state == state]


def find_waybills(session: Session, numbers: Sequence[str]) -> dict[str, Waybill]:
    """Number → waybill, of those among ``numbers`` known here."""
    return repository.waybills_numbered(session, numbers) if numbers else {}


def received_waybills(session: Session) -> list[Waybill]:
    """Every waybill not cancelled (the full scan checks which were received)."""
    return repository.waybills(session, Waybill.cancelled_at.is_(None))


def overdue_waybills(session: Session, *, now: datetime) -> list[Waybill]:
    """The waybills not cancelled whose window ended before ``now``."""
    return repository.waybills(session, Waybill.cancelled_at.is_(None), Waybill.window_end < now)


def get_waybill(session: Session, number: str) -> Waybill:
    found = repository.waybills_numbered(session, [number]).get(number)
    if found is None:
        raise NotFound(f"没有运单 {number}", message_en=f"no waybill {number}")
    return found


# stock


@dataclass
class Balance:
    """One product at one warehouse: its flows and counts in time order."""

    site: str
    gtin: str
    uom: str
    received: float = 0.0
    issued: float = 0.0
    destroyed: float = 0.0
    #: (count event pk, time, counted, balance at that time)
    counts: list[tuple[int, datetime, float, float]] = field(default_factory=list)

    @property
    def on_hand(self) -> float:
        return self.received - self.issued - self.destroyed


def balances(session: Session, sites: Sequence[str]) -> dict[tuple[str, str, str], tuple[Balance, str, str]]:
    """(site, GTIN, uom) → the balance of each hazardous product at ``sites``, with its class and name."""
    rows = repository.flows_at(session, sites, (*RECEIVED_STEPS, *ISSUED_STEPS, *DESTROYED_STEPS, *COUNT_STEPS))
    classes = repository.product_classes(session, {gtin_of(r[4]) or "" for r in rows})
    found: dict[tuple[str, str, str], tuple[Balance, str, str]] = {}
    for pk, when, step, site, code, qty, uom in rows:
        gtin = gtin_of(code) or ""
        known = classes.get(gtin)
        if known is None or not known[0].startswith("hazardous"):
            continue
        key = (site, gtin, uom or "")
        if key not in found:
            found[key] = (Balance(site, gtin, uom or ""), known[0], known[1])
        balance = found[key][0]
        amount = float(qty)
        if step in COUNT_STEPS:
            balance.counts.append((pk, when, amount, balance.on_hand))
        elif step in RECEIVED_STEPS:
            balance.received += amount
        elif step in ISSUED_STEPS:
            balance.issued += amount
        else:
            balance.destroyed += amount
    return found


def stock(session: Session, *, reader: Party | None, region: str = "") -> list[StockRow]:
    """Hazardous stock on hand per warehouse and product, in the reader's lane (None: every warehouse), of the
    warehouses in ``region`` (a GB/T 2260 prefix; the site's region, else its owner's) when given."""
    sites = {
        SITE + str(loc.gln): (loc, party)
        for loc, party in repository.locations(session, permissions.sites_lane(reader))
    }
    out = []
    for (site, gtin, uom), (b, class_id, name) in sorted(balances(session, sorted(sites)).items()):
        loc, party = sites[site]
        if not permissions.sees_class(reader, class_id) or not (loc.region or party.region or "").startswith(region):
            continue
        last = b.counts[-1] if b.counts else None
        out.append(
            StockRow(
                warehouse=site,
                warehouse_name=loc.name,
                party_id=party.id,
                party=party.name,
                region=loc.region or party.region,
                code=gtin,
                product=name,
                class_id=class_id,
                uom=uom,
                received=b.received,
                issued=b.issued,
                destroyed=b.destroyed,
                on_hand=b.on_hand,
                counted=last[2] if last else None,
                counted_at=last[1] if last else None,
                difference=round(last[2] - last[3], 6) if last else None,
            )
        )
    return out
