"""The market API's bodies and answers (``/api/v1/market``)."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


class StallCreate(Schema):
    market: str = Field(description="The market's site: its GLN (or https://id.gs1.org/414/{gln}), the operator's.")
    holder: str = Field(description="The stall holder: its id, 统一社会信用代码 or GLN.")
    site: str = Field(description="The stall's own site, registered by its holder: its GLN.")
    number: str = Field(min_length=1, max_length=32, description="The stall's number at the market (A-12).")


class StallRead(Schema):
    id: str
    number: str
    name: str = Field(description="The stall's site name.")
    site: str = Field(description="The stall's site as its events name it (https://id.gs1.org/414/{gln}).")
    region: str | None
    holder_id: str
    holder: str
    market_id: str = Field(description="The market operator (a party of role market).")
    market: str = Field(description="The market's site name.")


class PartyRef(Schema):
    id: str
    name: str
    gln: str | None


class LookupRead(Schema):
    """What a scanned or typed code is, for a purchase at a stall."""

    input: str
    code: str = Field(description="The code, canonical.")
    scheme: str
    lot_class: str = Field(description="What the purchase records (quantityList epcClass): the code's lot class.")
    gtin: str | None
    lot: str | None
    product: str | None = Field(description="The registered product's name.")
    class_id: str | None
    supplier: PartyRef | None
    supplier_basis: Literal["shipped_to_stall", "owner"] | None = Field(
        description="shipped_to_stall: the party whose shipping event of the code names this stall (or its holder) "
        "as destination; owner: no such shipment, the product's registered producer (else the code's first recorder)."
    )
    shipping_event: str | None = Field(description="The eventID of that shipment.")
    shipped_quantity: float | None
    shipped_uom: str | None
    documents: list[dict[str, str]] = Field(description="The shipment's bizTransactionList (copied to the receipt).")
    compliance_certificate: str | None = Field(description="承诺达标合格证 number found in the code's records.")
    origin: str | None = Field(description="产地 found in the code's records.")


class ScanRead(Schema):
    symbols: list[str] = Field(description="What each symbol in the image carries.")
    found: LookupRead | None = Field(description="The first symbol that is a code, looked up.")


class EntryCreate(Schema):
    client_id: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The id the phone gave the entry: sent again (after being offline), it is the same entry.",
    )
    code: str = Field(min_length=1, max_length=500, description="The code as scanned or typed.")
    quantity: float = Field(gt=0, le=1_000_000)
    unit: str = Field(description="jin (斤), kg (公斤), box (箱) or piece (件); the Chinese names are accepted.")
    unit_price: float | None = Field(None, ge=0, le=1_000_000, description="Price per unit, CNY.")
    stall: str | None = Field(None, description="The stall id (needed only by a holder of several stalls).")
    recorded_at: datetime | None = Field(
        None,
        description="When it happened (an entry kept offline); default now. Not in the future, at most 30 days ago.",
    )


class PurchaseCreate(EntryCreate):
    supplier: str | None = Field(
        None, description="The supplier (id, 统一社会信用代码 or GLN) when the lookup finds none."
    )
    compliance_certificate: str | None = Field(
        None, max_length=64, description="承诺达标合格证 number, when not found."
    )
    origin: str | None = Field(None, max_length=100, description="产地, when not found.")


class SaleCreate(EntryCreate):
    pass


class EntryRead(Schema):
    kind: Literal["purchase", "sale"]
    event_id: str
    client_id: str | None
    time: datetime
    stall_id: str
    stall: str
    code: str = Field(description="The lot class the event names.")
    product: str | None
    lot: str | None
    quantity: float = Field(description="As the event records it, in uom.")
    uom: str
    unit: str = Field(description="The unit the stall entered (jin, kg, box, piece).")
    unit_quantity: float = Field(description="The quantity in that unit.")
    unit_price: float | None = Field(description="CNY per entered unit.")
    amount: float | None = Field(description="unit_quantity × unit_price, CNY.")
    supplier: PartyRef | None = None
    receipt: str | None = None
    duplicate: bool = Field(False, description="True: the entry was recorded before (sent again); nothing new stored.")


class LotRow(Schema):
    code: str
    product: str | None
    lot: str | None
    uom: str
    purchased: float
    sold: float
    on_hand: float


class LedgerDay(Schema):
    day: date
    purchases: list[EntryRead]
    sales: list[EntryRead]
    purchased_amount: float
    sold_amount: float


class LedgerRead(Schema):
    stall: StallRead
    since: date
    until: date
    days: list[LedgerDay] = Field(description="Newest day first; days without entries left out.")
    on_hand: list[LotRow] = Field(description="Per lot and unit, over every entry until now.")


class ReceiptRead(Schema):
    """The consumer's view of a receipt (追溯小票): no prices, no parties' identifiers."""

    receipt: str
    stall: str
    stall_number: str
    market: str
    market_region: str | None
    sold_at: datetime
    product: str | None
    lot: str | None
    quantity: float
    unit: str
    story: str = Field(description="The lot's product page (the portal).")
