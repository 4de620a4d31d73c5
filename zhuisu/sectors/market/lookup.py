"""What a scanned or typed code is, for a stall buying it: the product, the lot, the supplier (the party whose
shipment of the code names this stall, else the code's owner), the shipment's documents, and the 合格证 and 产地
its records carry (``docs/market.md``, "Scan")."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from sqlalchemy.orm import Session

from zhuisu.catalog.elements import member, prefixes
from zhuisu.codes.canonical import canonical_code, canonical_id
from zhuisu.codes.recognize import recognize
from zhuisu.errors import InvalidInput
from zhuisu.models import Event, Party
from zhuisu.sectors.market import repository
from zhuisu.sectors.market.schemas import LookupRead, PartyRef
from zhuisu.sectors.market.vocabulary import COMPLIANCE_CERTIFICATE, GTIN_DL, PARTY, SITE, ZS

_GTIN_LOT = re.compile(r"^https://id\.gs1\.org/01/(\d{14})(?:/10/([^/]+))?")
CERTIFICATE_URN = "urn:zhuisu:compliance_certificate:"


def _invalid(zh: str, en: str) -> InvalidInput:
    return InvalidInput(f"code：{zh}", message_en=f"code: {en}", field="code")


def read_code(text: str) -> tuple[str, str]:
    """(canonical code, scheme) of what a stall scanned or typed. Raises InvalidInput (field ``code``) for text that
    is not a valid code, and for a logistic unit (SSCC: its contents are what a stall buys)."""
    if not text.strip():
        raise _invalid(zh="请扫描或输入追溯码", en="scan or type a code")
    found = recognize(text)
    if not found.valid:
        raise _invalid(
            f"「{text.strip()[:60]}」不是有效的追溯码（{found.error_zh or found.error or '无法识别'}）",
            f"{text.strip()[:60]!r} is not a valid code ({found.error or 'not recognised'})",
        )
    code = canonical_code(text)
    if code.startswith("https://id.gs1.org/00/"):
        raise _invalid(
            zh="这是物流单元（SSCC）码：请扫描商品本身的标签", en="a logistic unit (SSCC): scan the goods' own label"
        )
    return code, found.scheme


def lot_class(code: str) -> str:
    """What a stall's entry records of a code: a GS1 item's lot class (its serial dropped), else the code itself.

    >>> lot_class("https://id.gs1.org/01/06901234567892/10/L1/21/7"), lot_class("urn:zhuisu:code:X")
    ('https://id.gs1.org/01/06901234567892/10/L1', 'urn:zhuisu:code:X')
    """
    return code.split("/21/", 1)[0] if code.startswith(GTIN_DL) else code


def gtin_and_lot(code: str) -> tuple[str | None, str | None]:
    """The GTIN and the lot of a GS1 Digital Link (percent-decoded), else None, None.

    >>> gtin_and_lot("https://id.gs1.org/01/06901234567892/10/A%2F1")
    ('06901234567892', 'A/1')
    """
    found = _GTIN_LOT.match(code)
    if found is None:
        return None, None
    return found.group(1), unquote(found.group(2)) if found.group(2) else None


def extension(event: Mapping[str, Any], context: Any, name: str) -> Any:
    """A ``zs:`` member of a stored event (or of its ILMD), whatever prefix its document bound."""
    bound = {"zs": ZS, **prefixes(context)} if context is not None else {"zs": ZS}
    found = member(event, ZS + name, bound)
    if found is None:
        found = member(event.get("ilmd"), ZS + name, bound)
    return found


def number_of(value: str) -> str:
    """A document's number: what follows the last ``:`` or ``/`` of a URN or URL, else the value itself.

    >>> number_of("urn:zhuisu:compliance_certificate:HG-1"), number_of("https://x.cn/hg/N1"), number_of("N2")
    ('HG-1', 'N1', 'N2')
    """
    value = value.strip().rstrip("/")
    return value.rsplit(":", 1)[-1].rsplit("/", 1)[-1] if ("/" in value or ":" in value) else value


def certificates(event: Mapping[str, Any], context: Any) -> list[str]:
    """The 合格证 numbers an event names (bizTransaction, else the ``zs:complianceCertificate`` extension)."""
    found = [
        number_of(str(t.get("bizTransaction", "")))
        for t in event.get("bizTransactionList") or ()
        if isinstance(t, dict) and t.get("type") == COMPLIANCE_CERTIFICATE and t.get("bizTransaction")
    ]
    given = extension(event, context, "complianceCertificate")
    return found or ([str(given)] if isinstance(given, str) and given.strip() else [])


def parties_named(event: Mapping[str, Any], key: str, kind: str) -> list[str]:
    """The canonical ids of a ``sourceList``/``destinationList`` (``key``) entries of ``kind``'s element name."""
    element = "source" if key == "sourceList" else "destination"
    return [
        canonical_id(str(entry.get(element)))
        for entry in event.get(key) or ()
        if isinstance(entry, dict) and entry.get(element) and (not kind or entry.get("type") == kind)
    ]


@dataclass(frozen=True)
class StallIds:
    """How events name a stall: its site, its holder's party GLN (and the same number as a site)."""

    holder: Party
    site_gln: str | None

    def names(self) -> set[str]:
        found = {SITE + self.site_gln} if self.site_gln else set()
        if self.holder.gln:
            found |= {PARTY + self.holder.gln, SITE + self.holder.gln}
        return found


def look_up(session: Session, text: str, stall: StallIds) -> LookupRead:
    """What ``text`` is, for a purchase at ``stall``. Raises InvalidInput (field ``code``)."""
    code, scheme = read_code(text)
    klass = lot_class(code)
    gtin, lot = gtin_and_lot(klass)
    product = repository.products(session, [gtin]).get(gtin) if gtin else None
    history = repository.events_naming(session, {code, klass})
    shipment = _shipment_to(history, {code, klass}, stall.names())
    supplier_id, basis = (shipment.event.recorder_id, "shipped_to_stall") if shipment else (None, None)
    if supplier_id is None:
        supplier_id = (product.producer_id if product else None) or repository.first_recorder(session, {code, klass})
        basis = "owner" if supplier_id else None
    supplier = repository.parties(session, [supplier_id]).get(supplier_id) if supplier_id else None
    quantity, uom = _shipped(shipment.event.body, {code, klass}) if shipment else (None, None)
    ordered = ([shipment] if shipment else []) + history
    certificate = next((c for s in ordered for c in certificates(s.event.body, s.context)), None)
    origin = next((str(o) for s in ordered if (o := extension(s.event.body, s.context, "origin"))), None)
    return LookupRead(
        input=text.strip(),
        code=code,
        scheme=scheme,
        lot_class=klass,
        gtin=gtin,
        lot=lot,
        product=product.name if product else None,
        class_id=product.class_id if product else None,
        supplier=PartyRef(id=supplier.id, name=supplier.name, gln=supplier.gln) if supplier else None,
        supplier_basis=basis if supplier else None,
        shipping_event=shipment.event.event_id if shipment else None,
        shipped_quantity=quantity,
        shipped_uom=uom,
        documents=_documents(shipment.event) if shipment else [],
        compliance_certificate=certificate,
        origin=origin,
    )


def _shipment_to(history: Iterable[repository.Stored], codes: set[str], names: set[str]) -> repository.Stored | None:
    """The latest shipping event of ``codes`` whose destinations name the stall."""
    for stored in history:
        body = stored.event.body
        if stored.event.biz_step == "shipping" and names & set(parties_named(body, "destinationList", "")):
            return stored
    return None


def _shipped(body: Mapping[str, Any], codes: set[str]) -> tuple[float | None, str | None]:
    rows = [
        q
        for q in body.get("quantityList") or ()
        if isinstance(q, dict) and canonical_id(str(q.get("epcClass", ""))) in codes and q.get("quantity") is not None
    ]
    if not rows:
        return None, None
    return float(sum(float(q["quantity"]) for q in rows)), str(rows[0].get("uom") or "") or None


def _documents(event: Event) -> list[dict[str, str]]:
    return [
        {k: str(v) for k, v in t.items() if k in ("type", "bizTransaction")}
        for t in event.body.get("bizTransactionList") or ()
        if isinstance(t, dict) and t.get("bizTransaction")
    ]
