"""The rare earth API's bodies and answers: quotas (the authority's master data), what a producer records (mining
output, separation, sales, receipts: each one EPCIS event) and the quota used per producer."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["mining", "separation"]
MassUnit = Literal["TNE", "KGM"]
Basis = Literal["reo", "gross"]


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


class QuotaCreate(Schema):
    party: str = Field(min_length=1, description="The producer: its id, 统一社会信用代码 or GLN.")
    year: int = Field(ge=2000, le=2100, description="The quota year (Beijing calendar).")
    kind: Kind = Field(description="mining (稀土矿产品) or separation (冶炼分离产品).")
    class_id: str | None = Field(
        None,
        max_length=100,
        description="What it covers: a catalog class under rare_earth.ore (mining) or rare_earth.smelted "
        "(separation); default the kind's class.",
    )
    product: str | None = Field(None, max_length=14, description="One registered product (GTIN) it covers, if any.")
    quantity: float = Field(gt=0, description="The quota.")
    uom: MassUnit = Field("TNE", description="Unit of the quota: TNE (tonnes) or KGM.")
    basis: Basis = Field("reo", description="reo: tonnes of rare earth oxide (REO, 折稀土氧化物); gross: product mass.")
    document_number: str = Field(min_length=1, max_length=100, description="The issuing document's number (文号).")
    issuer: str = Field("", max_length=200, description="The issuing authority (e.g. 工业和信息化部).")
    note: str = Field("", max_length=500, description="Why a revision replaces the quota before, for instance.")


class QuotaRead(Schema):
    id: str
    party_id: str
    party: str
    region: str | None
    year: int
    kind: Kind
    class_id: str
    product: str | None
    quantity: float
    uom: str
    basis: str
    document_number: str
    issuer: str
    note: str
    revision: int
    active: bool = Field(description="False once a later revision replaced it.")
    replaced_by_id: str | None
    replaced_at: datetime | None
    created_at: datetime


class UsageRow(Schema):
    """One producer's production and sales of one kind in one year, against its quota (None: it has none)."""

    party_id: str
    party: str
    region: str | None
    year: int
    kind: Kind
    quota_id: str | None
    document_number: str | None
    class_id: str | None
    product: str | None
    quota: float | None
    uom: str = Field(description="The unit of every amount of the row: the quota's (TNE without a quota).")
    basis: str = Field(description="reo or gross: the quota's (reo without a quota).")
    produced: float = Field(description="Produced in the year within the quota's scope.")
    sold: float = Field(description="Sold in the year within the quota's scope.")
    unquoted: float = Field(description="Produced of the kind outside any quota (no quota, or outside its scope).")
    used_percent: float | None = Field(description="produced / quota × 100.")
    remaining: float | None = Field(description="quota − produced (negative: above the quota).")
    sales_percent: float | None = Field(description="sold / quota × 100.")
    production_events: int
    sales_events: int


class Place(Schema):
    site: str = Field(min_length=1, description="The caller's site: its GLN or https://id.gs1.org/414/{gln}.")
    time: datetime | None = Field(None, description="When it happened (default: now).")
    event_id: str | None = Field(
        None, max_length=200, description="The eventID (default: a new urn:uuid); the same again is a duplicate."
    )


class MiningCreate(Place):
    """Mining output: a lot of ore or concentrate commissioned at the mine."""

    product: str = Field(min_length=1, description="A registered product (GTIN) of class rare_earth.ore.")
    lot: str = Field(min_length=1, max_length=20, description="The lot (batch) number.")
    quantity: float = Field(gt=0)
    uom: MassUnit = "TNE"
    reo_content: float = Field(gt=0, le=100, description="REO content of the lot, % by mass.")


class InputLot(Schema):
    product: str = Field(min_length=1, description="GTIN of the ore or concentrate (a rare_earth class).")
    lot: str = Field(min_length=1, max_length=20)
    quantity: float = Field(gt=0)
    uom: MassUnit = "TNE"
    reo_content: float | None = Field(
        None, gt=0, le=100, description="REO content, %; default: as its mining output here recorded it."
    )


class OutputLot(Schema):
    product: str = Field(min_length=1, description="GTIN of the separated product (class rare_earth.smelted).")
    lot: str = Field(min_length=1, max_length=20)
    quantity: float = Field(gt=0)
    uom: MassUnit = "TNE"
    reo_content: float = Field(gt=0, le=100, description="REO content (or purity as REO), %.")


class SeparationCreate(Place):
    """Smelting and separation (冶炼分离): ore or concentrate lots in, oxide (or other separated) lots out."""

    inputs: list[InputLot] = Field(min_length=1, max_length=50)
    outputs: list[OutputLot] = Field(min_length=1, max_length=50)


class GoodsLine(Schema):
    product: str = Field(min_length=1, description="GTIN of a registered rare earth product.")
    lot: str = Field(min_length=1, max_length=20)
    quantity: float = Field(gt=0)
    uom: MassUnit = "TNE"


class SaleCreate(Place):
    """A sale: the goods shipped from the caller's site to a buyer."""

    buyer: str = Field(min_length=1, description="The buyer: its id, 统一社会信用代码 or GLN.")
    goods: list[GoodsLine] = Field(min_length=1, max_length=50)
    document: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$", description="The invoice number (ASCII)."
    )


class ReceiptCreate(Place):
    """A receipt of goods a seller shipped to the caller."""

    seller: str = Field(min_length=1, description="The seller: its id, 统一社会信用代码 or GLN.")
    goods: list[GoodsLine] = Field(min_length=1, max_length=50)
    document: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$", description="The invoice number (ASCII)."
    )


class RecordedRead(Schema):
    """What became of a recording: its event, stored now (captured) or before (duplicate)."""

    event_id: str
    status: Literal["captured", "duplicate"]
    kind: Kind | None = Field(description="The quota kind a production counts under; None for sales and receipts.")
    quota: str | None = Field(description="The quota document number the event names (zs:quota), if any.")
    reo_tonnes: float = Field(description="Tonnes of REO the event's goods hold (outputs, for a separation).")
    input_reo_tonnes: float | None = Field(None, description="A separation's inputs, tonnes of REO.")
