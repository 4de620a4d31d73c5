"""A stall's books, read from its events: each purchase (``receiving``) and sale (``retail_selling``) at the stall's
site as an entry, the entries by day, and the balance per lot (bought, out, on hand). Events recorded at the stall
by other means (``POST /capture``, a spreadsheet) count too: an event without the market's own extension members
shows its recorded quantity and unit and no price."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from zhuisu.codes.canonical import canonical_id
from zhuisu.kit.time import BEIJING
from zhuisu.models import Party
from zhuisu.sectors.market import permissions, repository
from zhuisu.sectors.market.lookup import extension, gtin_and_lot, parties_named
from zhuisu.sectors.market.schemas import EntryRead, LedgerDay, LotRow, PartyRef, StallRead
from zhuisu.sectors.market.vocabulary import BY_UOM, OUT_STEPS, PARTY, PURCHASE_STEPS, SITE

EPSILON = 1e-9


def stall_read(stall: repository.Stall) -> StallRead:
    return StallRead(
        id=stall.row.id,
        number=stall.row.number,
        name=stall.site.name,
        site=site_of(stall),
        region=stall.site.region or stall.holder.region,
        holder_id=stall.holder.id,
        holder=stall.holder.name,
        market_id=stall.operator.id,
        market=stall.market_site.name,
    )


def site_of(stall: repository.Stall) -> str:
    return SITE + str(stall.site.gln)


def story_path(code: str) -> str:
    """The portal page of a code (the Digital Link path of a GS1 key, else ``/c/{code}``).

    >>> story_path("https://id.gs1.org/01/06901234567892/10/L1"), story_path("urn:zhuisu:code:X")
    ('/01/06901234567892/10/L1', '/c/urn%3Azhuisu%3Acode%3AX')
    """
    if code.startswith("https://id.gs1.org/"):
        return code.removeprefix("https://id.gs1.org")
    return "/c/" + quote(code, safe="")


def day_bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """The instants of Beijing midnight at ``since`` and after ``until``."""
    start = datetime.combine(since, time(), tzinfo=BEIJING)
    return start, datetime.combine(until + timedelta(days=1), time(), tzinfo=BEIJING)


class Reader:
    """Turns stored events into entries, reading the products, suppliers and receipts they name in a few batches."""

    def __init__(self, session: Session, stored: list[repository.Stored]) -> None:
        bodies = [s.event.body for s in stored]
        codes = {canonical_id(str(q.get("epcClass", ""))) for b in bodies for q in _quantities(b)}
        gtins = {g for c in codes if (g := gtin_and_lot(c)[0])}
        self.products = repository.products(session, gtins)
        sources = {s.removeprefix(PARTY) for b in bodies for s in parties_named(b, "sourceList", "owning_party")}
        self.suppliers = repository.parties_by_gln(session, {s for s in sources if s.isdigit()})
        self.receipts = repository.receipts_of(session, [s.event.event_id for s in stored])

    def class_of(self, code: str) -> str | None:
        gtin = gtin_and_lot(code)[0]
        product = self.products.get(gtin) if gtin else None
        return product.class_id if product else None

    def entries(self, stored: repository.Stored, stall: repository.Stall) -> list[EntryRead]:
        body, context = stored.event.body, stored.context
        given = extension(body, context, "marketEntry")
        given = given if isinstance(given, dict) else {}
        kind = "purchase" if stored.event.biz_step in PURCHASE_STEPS else "sale"
        supplier = next(
            (
                self.suppliers[s.removeprefix(PARTY)]
                for s in parties_named(body, "sourceList", "owning_party")
                if s.removeprefix(PARTY) in self.suppliers
            ),
            None,
        )
        supplier = supplier if kind == "purchase" else None
        out = []
        for q in _quantities(body):
            code = canonical_id(str(q.get("epcClass", "")))
            gtin, lot = gtin_and_lot(code)
            product = self.products.get(gtin) if gtin else None
            quantity, uom = float(q["quantity"]), str(q.get("uom") or "")
            unit = str(given.get("unit") or BY_UOM.get(uom, uom))
            unit_quantity = float(given.get("quantity", quantity)) if given else quantity
            price = given.get("unitPrice") if given else None
            unit_price = float(price) if isinstance(price, int | float) else None
            out.append(
                EntryRead(
                    kind=kind,
                    event_id=stored.event.event_id,
                    client_id=str(given["clientId"]) if given.get("clientId") else None,
                    time=stored.event.event_time,
                    stall_id=stall.row.id,
                    stall=stall.site.name,
                    code=code,
                    product=product.name if product else None,
                    lot=lot,
                    quantity=quantity,
                    uom=uom,
                    unit=unit,
                    unit_quantity=unit_quantity,
                    unit_price=unit_price,
                    amount=round(unit_quantity * unit_price, 2) if unit_price is not None else None,
                    supplier=PartyRef(id=supplier.id, name=supplier.name, gln=supplier.gln) if supplier else None,
                    receipt=self.receipts.get(stored.event.event_id),
                )
            )
        return out


def _quantities(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        q
        for q in body.get("quantityList") or ()
        if isinstance(q, dict) and q.get("epcClass") and isinstance(q.get("quantity"), int | float)
    ]


def stall_entries(
    session: Session,
    stalls: Iterable[repository.Stall],
    *,
    reader: Party | None,
    steps: tuple[str, ...],
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[EntryRead]:
    """The entries of ``steps`` at ``stalls`` within [since, until), of the classes ``reader`` sees, oldest first."""
    by_site = {site_of(s): s for s in stalls}
    stored = repository.events_at(session, sorted(by_site), steps, since=since, until=until)
    reading = Reader(session, stored)
    return [
        entry
        for s in stored
        for entry in reading.entries(s, by_site[str(s.event.biz_location)])
        if permissions.sees_class(reader, reading.class_of(entry.code))
    ]


def supplied_entries(
    session: Session, supplier: Party, *, since: datetime | None, until: datetime | None
) -> list[EntryRead]:
    """The purchases at any stall naming ``supplier`` as the owning party of their source, oldest first."""
    if not supplier.gln:
        return []
    name = PARTY + supplier.gln
    every = repository.stalls(session)
    by_site = {site_of(s): s for s in every}
    stored = [
        s
        for s in repository.events_at(
            session, sorted(by_site), PURCHASE_STEPS, since=since, until=until, mentioning=name
        )
        if name in parties_named(s.event.body, "sourceList", "owning_party")
    ]
    reading = Reader(session, stored)
    return [entry for s in stored for entry in reading.entries(s, by_site[str(s.event.biz_location)])]


def days(entries: Iterable[EntryRead]) -> list[LedgerDay]:
    """The entries by Beijing day, newest day first (each day's entries in time order)."""
    grouped: dict[date, list[EntryRead]] = defaultdict(list)
    for entry in entries:
        grouped[entry.time.astimezone(BEIJING).date()].append(entry)
    out = []
    for day in sorted(grouped, reverse=True):
        bought = [e for e in grouped[day] if e.kind == "purchase"]
        sold = [e for e in grouped[day] if e.kind == "sale"]
        out.append(
            LedgerDay(
                day=day,
                purchases=bought,
                sales=sold,
                purchased_amount=round(sum(e.amount or 0.0 for e in bought), 2),
                sold_amount=round(sum(e.amount or 0.0 for e in sold), 2),
            )
        )
    return out


def on_hand(session: Session, stall: repository.Stall, *, reader: Party | None) -> list[LotRow]:
    """Per lot and unit at ``stall``, over every event until now: bought (received), out (sold, shipped on,
    destroyed) and on hand; lots with nothing left and nothing bought left out."""
    site = site_of(stall)
    stored = repository.events_at(session, [site], (*PURCHASE_STEPS, *OUT_STEPS))
    reading = Reader(session, stored)
    flows: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for s in stored:
        incoming = s.event.biz_step in PURCHASE_STEPS
        for q in _quantities(s.event.body):
            code = canonical_id(str(q["epcClass"]))
            if not permissions.sees_class(reader, reading.class_of(code)):
                continue
            flows[(code, str(q.get("uom") or ""))][0 if incoming else 1] += float(q["quantity"])
    rows = []
    for (code, uom), (bought, out) in sorted(flows.items()):
        gtin, lot = gtin_and_lot(code)
        product = reading.products.get(gtin) if gtin else None
        rows.append(
            LotRow(
                code=code,
                product=product.name if product else None,
                lot=lot,
                uom=uom,
                purchased=round(bought, 6),
                sold=round(out, 6),
                on_hand=round(bought - out, 6),
            )
        )
    return [r for r in rows if r.purchased > EPSILON]
