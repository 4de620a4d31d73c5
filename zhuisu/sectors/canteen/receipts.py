"""A receipt (进货验收) as an EPCIS 2.0 ``receiving`` event, and the ledger row read back from that event.

``event`` writes what the service checked into one ObjectEvent at the canteen's site (readPoint and bizLocation);
``row_of`` reads a ``canteen_receipts`` row from the event's document alone, the ledger being derived from the events
(``docs/canteen.md``: why a table). The ``zs:`` members and the document types are in ``vocabulary``.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, unquote

from zhuisu.catalog.elements import member
from zhuisu.kit.time import BEIJING, parse_iso
from zhuisu.models import CanteenReceipt
from zhuisu.sectors.canteen import vocabulary as voc

_BOUND = {"zs": voc.ZS}


@dataclass(frozen=True)
class Supplier:
    """Who delivered: a party of this node (``party_id``) or a name and 统一社会信用代码; ``uri`` names it in the
    sourceList (its PGLN, else ``urn:zhuisu:uscc:…``)."""

    party_id: str | None
    name: str
    uscc: str | None
    uri: str


@dataclass(frozen=True)
class Certificate:
    kind: str
    number: str
    #: ``entered`` by the receiver, or the lot's ``registered`` inspection report.
    source: str
    #: ``pass`` / ``fail`` for a registered report, else None.
    result: str | None = None


@dataclass(frozen=True)
class Receipt:
    """Everything decided about one receipt, ready to be recorded."""

    event_id: str
    when: datetime
    site: str
    canteen_uri: str | None
    supplier: Supplier
    code: str
    gtin: str | None
    product_name: str
    spec: str
    product_class: str | None
    quantity: float
    uom: str
    lot: str
    production_date: date | None
    expiry: date | None
    origin: str
    licence: dict[str, Any]
    invoice_number: str
    photo: dict[str, Any] | None
    certificate: Certificate | None
    receiver: str


def lot_code(gtin: str, lot: str) -> str:
    """The GS1 Digital Link of a GTIN's lot (or of the GTIN, without a lot)."""
    return f"{voc.GTIN_PREFIX}{gtin}" + (f"/10/{quote(lot, safe='')}" if lot else "")


def item_urn(supplier: Supplier, name: str) -> str:
    """What names a product received by its name only: the supplier's key and the name, percent-encoded."""
    key = supplier.uscc or supplier.party_id or quote(supplier.name, safe="")
    return f"{voc.ITEM_URN}{key}:{quote(name, safe='')}"


def event(r: Receipt) -> dict[str, Any]:
    """The receiving event of ``r``."""
    documents = [{"type": voc.INVOICE, "bizTransaction": voc.INVOICE_URN + quote(r.invoice_number or "-", safe="")}]
    if r.certificate is not None:
        documents.append(
            {
                "type": voc.CERTIFICATES[r.certificate.kind][0],
                "bizTransaction": voc.CERTIFICATE_URN + quote(r.certificate.number, safe=""),
            }
        )
    out: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": r.event_id,
        "eventTime": r.when.astimezone(BEIJING).isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "receiving",
        "disposition": "in_progress",
        "readPoint": {"id": r.site},
        "bizLocation": {"id": r.site},
        "quantityList": [{"epcClass": r.code, "quantity": r.quantity, "uom": r.uom}],
        "sourceList": [{"type": "owning_party", "source": r.supplier.uri}],
        "bizTransactionList": documents,
        voc.M_SUPPLIER: {"name": r.supplier.name, **({"uscc": r.supplier.uscc} if r.supplier.uscc else {})},
        voc.M_PRODUCT: {
            "name": r.product_name,
            "spec": r.spec,
            **({"class": r.product_class} if r.product_class else {}),
        },
        voc.M_LICENCE: r.licence,
        voc.M_RECEIVER: r.receiver,
    }
    if r.canteen_uri:
        out["destinationList"] = [{"type": "owning_party", "destination": r.canteen_uri}]
    if r.lot:
        out[voc.M_BATCH] = r.lot
    if r.production_date:
        out[voc.M_PRODUCTION_DATE] = r.production_date.isoformat()
    if r.expiry:
        out[voc.M_EXPIRY] = r.expiry.isoformat()
    if r.origin:
        out[voc.M_ORIGIN] = r.origin
    if r.photo:
        out[voc.M_PHOTO] = r.photo
    if r.certificate is not None:
        out[voc.M_CERTIFICATE] = {
            "kind": r.certificate.kind,
            "number": r.certificate.number,
            "source": r.certificate.source,
            **({"result": r.certificate.result} if r.certificate.result else {}),
        }
    return out


def _get(body: dict[str, Any], name: str) -> Any:
    return member(body, voc.ZS + name.removeprefix("zs:"), _BOUND)


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _invoice(body: dict[str, Any]) -> str:
    for t in body.get("bizTransactionList") or ():
        if t.get("type") == voc.INVOICE:
            number = unquote(str(t.get("bizTransaction", "")).removeprefix(voc.INVOICE_URN))
            return "" if number == "-" else number
    return ""


def row_of(
    body: dict[str, Any],
    *,
    event_pk: int,
    canteen_id: str,
    supplier_id: str | None,
    region: str | None,
    class_id: str,
    recorded_by_id: str,
) -> CanteenReceipt:
    """The ledger row of a receiving event the ledger recorded (``body`` as captured), with what the node resolved:
    the canteen, the supplier's party, the canteen's region and class."""
    when = parse_iso(body["eventTime"])
    quantity = body["quantityList"][0]
    supplier = _get(body, voc.M_SUPPLIER) or {}
    product = _get(body, voc.M_PRODUCT) or {}
    licence = _get(body, voc.M_LICENCE) or {}
    certificate = _get(body, voc.M_CERTIFICATE) or {}
    photo = _get(body, voc.M_PHOTO) or {}
    code = str(quantity["epcClass"])
    gtin = code[len(voc.GTIN_PREFIX) : len(voc.GTIN_PREFIX) + 14] if code.startswith(voc.GTIN_PREFIX) else None
    lot = _get(body, voc.M_BATCH)
    return CanteenReceipt(
        event_pk=event_pk,
        event_id=body["eventID"],
        canteen_id=canteen_id,
        region=region,
        class_id=class_id,
        day=when.astimezone(BEIJING).date(),
        received_at=when,
        site=body["bizLocation"]["id"],
        supplier_id=supplier_id,
        supplier_name=str(supplier.get("name", "")),
        supplier_uscc=supplier.get("uscc"),
        product_name=str(product.get("name", "")),
        spec=str(product.get("spec", "")),
        code=code,
        gtin=gtin,
        lot=str(lot) if lot else None,
        product_class=product.get("class"),
        quantity=float(quantity["quantity"]),
        uom=str(quantity.get("uom") or ""),
        production_date=_day(_get(body, voc.M_PRODUCTION_DATE)),
        expiry=_day(_get(body, voc.M_EXPIRY)),
        origin=str(_get(body, voc.M_ORIGIN) or ""),
        licence_status=str(licence.get("status", voc.UNVERIFIED)),
        licence_type=licence.get("type"),
        licence_number=licence.get("number"),
        invoice_number=_invoice(body),
        invoice_photo=photo.get("sha256"),
        certificate_kind=certificate.get("kind"),
        certificate_number=certificate.get("number"),
        certificate_source=certificate.get("source"),
        certificate_result=certificate.get("result"),
        receiver=str(_get(body, voc.M_RECEIVER) or ""),
        recorded_by_id=recorded_by_id,
    )
