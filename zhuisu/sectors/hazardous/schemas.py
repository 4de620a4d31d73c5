"""The hazardous goods API's bodies and answers."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


class PermitCreate(Schema):
    party: str = Field(description="The holder: its id, 统一社会信用代码 or GLN.")
    licence_type: str = Field(
        description="A licence type (parties.vocabulary.LICENCE_TYPES), e.g. toxic_chemical_purchase."
    )
    number: str = Field(min_length=1, max_length=64)
    issuer: str = Field("", max_length=200)
    scope: str = Field("", max_length=500)
    valid_from: date
    valid_to: date | None = None
    quantity_limit: float | None = Field(None, gt=0, description="What the permit allows over its validity.")
    quantity_unit: str | None = Field(None, max_length=16, description="UN/CEFACT unit of the limit, e.g. KGM.")


class PermitRead(Schema):
    id: str
    party_id: str
    licence_type: str
    number: str
    issuer: str
    valid_from: date
    valid_to: date | None
    classes: list[str] | None
    confirmed: bool
    quantity_limit: float | None
    quantity_unit: str | None
    quantity_used: float | None = Field(description="Sold under it within its validity, in its unit.")


class IdentityCreate(Schema):
    buyer: str = Field(description="The buyer party: id, 统一社会信用代码 or GLN.")
    name: str = Field(min_length=1, max_length=100, description="The agent's name.")
    id_number: str = Field(min_length=1, max_length=32, description="Resident ID number (kept only as a keyed hash).")


class IdentityRead(Schema):
    identity: str = Field(description="What sale events carry as zs:buyerIdentity.")
    masked: str
    buyer_id: str


class CrewMember(Schema):
    name: str = Field(min_length=1, max_length=100)
    qualification: str = Field("", max_length=64, description="从业资格证 number.")
    qualification_valid_to: date | None = None


class Goods(Schema):
    code: str = Field(description="epcClass (GTIN Digital Link, optionally with a lot).")
    quantity: float = Field(gt=0)
    uom: str = Field("KGM", max_length=16)


class WaybillCreate(Schema):
    number: str = Field(min_length=1, max_length=64)
    carrier: str
    consignee: str
    origin: str = Field(description="The origin site: its GLN or https://id.gs1.org/414/{gln}.")
    destination: str
    vehicle_plate: str = Field(min_length=1, max_length=16)
    driver: CrewMember
    escort: CrewMember
    goods: list[Goods] = Field(min_length=1)
    route: str = Field("", max_length=500)
    window_start: datetime
    window_end: datetime
    permit_number: str = Field("", max_length=64, description="The carrier's road transport permit.")


class WaybillCancel(Schema):
    reason: str = Field("", max_length=500, description="Why it is cancelled (kept in the audit log).")


State = Literal["planned", "on_road", "received", "cancelled"]


class WaybillRead(Schema):
    number: str
    consignor_id: str
    consignor: str
    carrier_id: str
    carrier: str
    consignee_id: str
    consignee: str
    origin: str
    origin_region: str | None
    destination: str
    destination_region: str | None
    vehicle_plate: str
    driver: str
    escort: str
    goods: list[dict[str, object]]
    classes: list[str]
    route: str
    window_start: datetime
    window_end: datetime
    cancelled_at: datetime | None = None
    state: State
    overdue: bool
    shipped_event: str | None
    received_event: str | None


class StockRow(Schema):
    warehouse: str = Field(description="The site, as events name it.")
    warehouse_name: str
    party_id: str
    party: str
    region: str | None
    code: str = Field(description="The product's GTIN.")
    product: str
    class_id: str
    uom: str
    received: float
    issued: float
    destroyed: float
    on_hand: float
    counted: float | None = Field(description="The latest reported count.")
    counted_at: datetime | None
    difference: float | None = Field(description="The latest count less the balance at its time.")
