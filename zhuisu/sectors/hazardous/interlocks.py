"""The hazardous goods sector's interlocks (``zhuisu.sectors.interlocks``), by the name catalog rules use.

- ``buyer_permit``: a sale of a controlled class (a ``shipping`` or ``retail_selling`` event whose
  ``destinationList`` names an owning party other than the seller; a ``retail_selling`` must name one) names, as a
  ``BTT-permit`` bizTransaction, a purchase permit of the buyer of a type the class needs (``PURCHASE_PERMITS``),
  valid on the event's date, confirmed by its issuing authority and covering the class. A shipping that names no
  other owning party is no sale (a transfer between one's own sites).
- ``buyer_identity``: the sale carries ``zs:buyerIdentity``, the keyed hash of an agent registered for the buyer
  (实名, ``POST /api/v1/hazardous/identities``).
- ``permit_quantity``: the quantities sold under the permit within its validity (earlier stored sales, then this
  batch in order), in the unit of its limit, stay within its ``quantity_limit``.
- ``destruction_witnessed``: a destruction names at least two witnesses (``zs:witnesses``) and what it destroys
  (its ``quantityList``, or the items one by one in its ``epcList``).
"""

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy.orm import Session

from zhuisu.auth.roles import covers
from zhuisu.kit.i18n import pair
from zhuisu.kit.time import BEIJING
from zhuisu.models import Licence, Party
from zhuisu.parties import service as parties_service
from zhuisu.sectors.checks import Failure, Interlock, Subject
from zhuisu.sectors.hazardous import repository
from zhuisu.sectors.hazardous.documents import (
    PERMIT,
    SALE_STEPS,
    document_numbers,
    extension,
    gtin_of,
    party_of,
    quantities,
    witnesses,
)

#: Controlled class → the licence types of which a buyer must hold one (the first: the purchase permit proper).
PURCHASE_PERMITS: dict[str, tuple[str, ...]] = {
    "hazardous.toxic_chemical": ("toxic_chemical_purchase",),
    "hazardous.explosive_precursor": (
        "precursor_purchase",
        "hazardous_chemical_business",
        "hazardous_chemical_production",
        "hazardous_chemical_use",
    ),
    "hazardous.civil_explosive": ("explosive_purchase", "explosive_production", "explosive_sale"),
}


def _types(class_id: str) -> tuple[str, ...]:
    parts = class_id.split(".")
    while parts:
        found = PURCHASE_PERMITS.get(".".join(parts))
        if found:
            return found
        parts.pop()
    return ()


def _fail(s: Subject, expected: str, *, zh: str, en: str, **facts: Any) -> Failure:
    return Failure(s, expected=expected, reason_zh=zh, reason_en=en, facts=facts)


def _buyer(session: Session, s: Subject, cache: dict[str, Party | None]) -> tuple[bool, Party | None, str | None]:
    """(is a sale, the buyer party, the buyer as named)."""
    named = party_of(s.event)
    seller = party_of(s.event, "sourceList")
    step = str(s.event.get("bizStep", "")).rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    if named is None:
        return step == "retail_selling", None, None
    if named not in cache:
        cache[named] = parties_service.find_party_by_identifier(session, named)
    buyer = cache[named]
    if buyer is not None and (buyer.id == s.recorder_id or (seller is not None and seller == named)):
        return False, None, named
    return True, buyer, named


def _permit(session: Session, s: Subject, buyer: Party) -> tuple[Licence | None, str | None]:
    """The buyer's permit the sale names that counts on its date, else (None, why)."""
    numbers = document_numbers(s.event, PERMIT)
    types = _types(s.class_id)
    if not numbers:
        return None, "no_permit"
    held = repository.licences_numbered(session, buyer.id, numbers, types)
    if not held:
        return None, "not_buyers"
    in_scope = [x for x in held if covers(x.classes or None, s.class_id)]
    valid = [x for x in in_scope if x.valid_from <= s.day and (x.valid_to is None or s.day <= x.valid_to)]
    confirmed = [x for x in valid if x.confirmed_at is not None]
    if confirmed:
        return confirmed[0], None
    return None, "scope" if not in_scope else "expired" if not valid else "unconfirmed"


_WHY = {
    "no_buyer": pair("the sale names no buyer (an owning_party destination)"),
    "unknown_buyer": pair("the buyer is not registered on this node"),
    "no_permit": pair("it names no purchase permit of the buyer (BTT-permit)"),
    "not_buyers": pair("the permit named is not a purchase permit of this class held by the buyer"),
    "scope": pair("the buyer's permit does not cover the class"),
    "expired": pair("the buyer's permit is not valid on the event's date"),
    "unconfirmed": pair("the buyer's permit is not confirmed by its issuing authority"),
}


def buyer_permit(session: Session, subjects: Sequence[Subject]) -> list[Failure]:
    failures: list[Failure] = []
    cache: dict[str, Party | None] = {}
    for s in subjects:
        sale, buyer, named = _buyer(session, s, cache)
        if not sale:
            continue
        why = "no_buyer" if named is None else "unknown_buyer" if buyer is None else None
        if buyer is not None:
            _licence, why = _permit(session, s, buyer)
        if why is not None:
            zh, en = _WHY[why]
            expected = f"a valid, confirmed purchase permit of the buyer ({' or '.join(_types(s.class_id))})"
            failures.append(_fail(s, expected, zh=zh, en=en, reason=why, buyer=named))
    return failures


def buyer_identity(session: Session, subjects: Sequence[Subject]) -> list[Failure]:
    failures: list[Failure] = []
    cache: dict[str, Party | None] = {}
    sales = [(s, _buyer(session, s, cache)) for s in subjects]
    hashes = [
        str(extension(s.event, "buyerIdentity"))
        for s, (sale, _b, _n) in sales
        if sale and extension(s.event, "buyerIdentity")
    ]
    known = repository.identities(session, hashes) if hashes else {}
    for s, (sale, buyer, named) in sales:
        if not sale:
            continue
        value = extension(s.event, "buyerIdentity")
        row = known.get(str(value)) if value else None
        if row is None or buyer is None or row.party_id != buyer.id:
            zh = "未注明买方经办人的实名登记（zs:buyerIdentity）" if not value else "买方经办人的实名登记不是该买方的"
            en = (
                "it names no registered agent of the buyer (zs:buyerIdentity)"
                if not value
                else ("the agent's identity named is not registered for this buyer")
            )
            failures.append(
                _fail(s, "zs:buyerIdentity of an agent registered for the buyer", zh=zh, en=en, buyer=named)
            )
    return failures


def permit_quantity(session: Session, subjects: Sequence[Subject]) -> list[Failure]:
    failures: list[Failure] = []
    cache: dict[str, Party | None] = {}
    used: dict[str, float] = {}
    for s in sorted(subjects, key=lambda x: x.index):
        sale, buyer, _named = _buyer(session, s, cache)
        if not sale or buyer is None:
            continue
        licence, _why = _permit(session, s, buyer)
        if licence is None:
            continue
        limit = repository.limits(session, [licence.id]).get(licence.id)
        if limit is None:
            continue
        if licence.id not in used:
            used[licence.id] = sold_under(session, licence, buyer, limit.quantity_unit)
        this = _under(session, licence, s.event, limit.quantity_unit)
        total = used[licence.id] + this
        used[licence.id] = total
        if total > limit.quantity_limit + 1e-9:
            unit = limit.quantity_unit
            failures.append(
                _fail(
                    s,
                    f"at most {limit.quantity_limit:g} {unit} under permit {licence.number}",
                    zh=f"许可证 {licence.number} 有效期内累计购买 {total:g} {unit}，"
                    f"超过许可数量 {limit.quantity_limit:g} {unit}",
                    en=f"{total:g} {unit} bought under permit {licence.number} in its validity, more than its limit "
                    f"{limit.quantity_limit:g} {unit}",
                    permit=licence.number,
                    total=total,
                    limit=limit.quantity_limit,
                    unit=unit,
                )
            )
    return failures


def sold_under(session: Session, licence: Licence, buyer: Party, unit: str) -> float:
    """What stored sales to ``buyer`` naming ``licence`` sold within its validity, in ``unit``."""
    since = datetime.combine(licence.valid_from, time(0), tzinfo=BEIJING)
    total = 0.0
    for event in repository.events_naming(session, licence.number, SALE_STEPS, since=since):
        body = event.body
        if licence.number not in document_numbers(body, PERMIT):
            continue
        named = party_of(body)
        found = parties_service.find_party_by_identifier(session, named) if named else None
        if found is None or found.id != buyer.id:
            continue
        day = event.event_time.astimezone(BEIJING).date()
        if licence.valid_to is not None and day > licence.valid_to:
            continue
        total += _under(session, licence, body, unit)
    return total


def _under(session: Session, licence: Licence, event: dict[str, Any], unit: str) -> float:
    """The quantities in ``unit`` an event sells of goods ``licence`` is a purchase permit for (a sale naming two
    permits counts each class's goods under its own)."""
    found = quantities(event)
    classes = repository.product_classes(session, {gtin_of(code) or "" for code, _q, _u in found})
    return sum(
        q
        for code, q, uom in found
        if uom == unit and licence.licence_type in _types(classes.get(gtin_of(code) or "", ("", ""))[0])
    )


def destruction_witnessed(session: Session, subjects: Sequence[Subject]) -> list[Failure]:
    failures = []
    for s in subjects:
        named = witnesses(s.event)
        if len(named) < 2 or not (quantities(s.event) or s.event.get("epcList")):
            failures.append(
                _fail(
                    s,
                    "zs:witnesses naming at least two witnesses, and what is destroyed (quantityList or epcList)",
                    zh=f"销毁须有至少两名见证人（zs:witnesses，现有 {len(named)} 名）和销毁数量（quantityList 或逐件的 "
                    "epcList）",
                    en=f"a destruction names at least two witnesses (zs:witnesses; it names {len(named)}) and what it "
                    "destroys (quantityList, or the items one by one in epcList)",
                    witnesses=len(named),
                )
            )
    return failures


INTERLOCKS: dict[str, tuple[str, str, Interlock]] = {
    "buyer_permit": (*pair("the buyer holds a valid purchase permit"), buyer_permit),
    "buyer_identity": (*pair("the buyer's agent is registered by name"), buyer_identity),
    "permit_quantity": (*pair("within the permit's quantity"), permit_quantity),
    "destruction_witnessed": (*pair("the destruction is witnessed"), destruction_witnessed),
}
