"""What the hazardous goods risk rules about waybills share: the receiving events of hazardous goods in a scope,
and the waybills they name (``zhuisu.sectors.hazardous.service``)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.epcis.identifiers import canonical_id
from zhuisu.epcis.indexed import indexed_codes
from zhuisu.models import Event
from zhuisu.oversight.rules.base import Scope, classes_of_codes
from zhuisu.sectors.hazardous.documents import WAYBILL, document_numbers, gtin_of, quantities


@dataclass(frozen=True)
class Receipt:
    pk: int
    recorder_id: str
    body: dict[str, Any]
    class_id: str
    codes: tuple[str, ...]


def receipts(session: Session, scope: Scope) -> list[Receipt]:
    """The receiving events of the scope that name a hazardous product (registered GTIN)."""
    if scope.full:
        candidates: Iterable[tuple[int, str, dict[str, Any]]] = [
            (pk, recorder, body)
            for pk, recorder, body in session.execute(
                select(Event.id, Event.recorder_id, Event.body).where(Event.biz_step == "receiving").order_by(Event.id)
            )
        ]
    else:
        candidates = [(e.pk, e.recorder_id, e.body) for e in scope.new if e.step == "receiving"]
    found = []
    listed = [
        (pk, recorder, body, tuple(sorted({c[1] for c in indexed_codes(body)}))) for pk, recorder, body in candidates
    ]
    classes = classes_of_codes(session, {code for *_rest, codes in listed for code in codes})
    for pk, recorder, body, codes in listed:
        hazardous = sorted({classes[c] for c in codes if c in classes and classes[c].startswith("hazardous")})
        if hazardous:
            found.append(Receipt(pk, recorder, body, hazardous[0], codes))
    return found


def waybill_numbers(receipt: Receipt) -> list[str]:
    return document_numbers(receipt.body, WAYBILL)


def totals(items: Iterable[tuple[str, float, str]]) -> dict[tuple[str, str], float]:
    """(GTIN, uom) → quantity."""
    found: dict[tuple[str, str], float] = {}
    for code, quantity, uom in items:
        key = (gtin_of(code) or code, uom)
        found[key] = round(found.get(key, 0.0) + quantity, 6)
    return found


#: UN/CEFACT "piece": the unit of goods an event names one by one (an SGTIN in its ``epcList``).
PIECE = "H87"


def event_totals(body: dict[str, Any]) -> dict[tuple[str, str], float]:
    """(GTIN, uom) → quantity the event moves: its ``quantityList``, and each serialised item of its ``epcList`` as
    one piece (``H87``; a waybill declares such goods in pieces). Logistic units (SSCC) name no GTIN: not counted."""
    items = [(code, 1.0, PIECE) for code in (canonical_id(str(e)) for e in body.get("epcList") or ()) if "/21/" in code]
    return totals([*quantities(body), *items])
