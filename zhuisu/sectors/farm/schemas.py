"""The farm commitment certificate API's bodies and answers."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Unit = Literal["kg", "jin", "box"]


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


class CertificateCreate(Schema):
    product: str = Field(min_length=1, max_length=100, description="The produce's name (食用农产品名称).")
    gtin: str = Field("", max_length=14, description="Its GTIN, if it has one.")
    lot: str = Field("", max_length=20, description="The lot with the GTIN (default: the certificate's number).")
    lot_code: str = Field("", max_length=64, description="Or the zhuisu lot code (追溯码, kind 2) it carries.")
    quantity: float = Field(gt=0, description="数量（重量）.")
    unit: Unit = Field("kg", description="kg (公斤), jin (斤, 500 g) or box (箱).")
    region: str = Field(min_length=6, max_length=6, description="Origin: the GB/T 2260 county code (产地).")
    place: str = Field("", max_length=200, description="Origin: the place in it (乡镇、村、基地).")
    commitments: list[str] = Field(
        default_factory=lambda: ["no_banned_substances", "residues_within_limits", "truthfulness"],
        description="The commitment items (all three of the national format).",
    )
    basis: list[str] = Field(min_length=1, description="承诺依据: entrusted_testing, self_testing, internal_control, "
                             "association_testing, self_commitment.")  # fmt: skip
    producer_name: str = Field("", max_length=100, description="生产者名称 (default: the caller's name).")
    phone: str = Field(min_length=1, max_length=32, description="联系方式.")
    show_phone: bool = Field(False, description="Whether the public page shows the phone.")
    issued_on: date | None = Field(None, description="开具日期 (default: today, Beijing); not in the future.")


class ReceiptRead(Schema):
    event_id: str
    time: datetime
    recorder_id: str | None = None
    recorder: str | None = None
    region: str | None = None
    quantity: float = Field(description="In the events' unit (uom).")
    uom: str


class CertificateRead(Schema):
    number: str
    issuer_id: str
    event_id: str
    product: str
    code: str = Field(description="The lot as events name it (canonical).")
    class_id: str
    quantity: float
    unit: str
    event_quantity: float
    uom: str
    region: str
    place: str
    commitments: list[str]
    basis: list[str]
    producer_name: str
    phone: str
    show_phone: bool
    issued_on: date
    public_url: str
    receipts: list[ReceiptRead] = Field(default_factory=list)
    received: float = Field(0.0, description="Received under it so far, in uom.")
    overused: bool = Field(False, description="Receipts exceed its quantity.")


class ReceiptCreate(Schema):
    certificate_number: str = Field(
        min_length=1, max_length=64, description="The 合格证 number the seller handed over."
    )
    quantity: float = Field(gt=0)
    unit: Unit = "kg"
    site: str = Field("", max_length=200, description="The buyer's site: its GLN (optional).")
    received_at: datetime | None = Field(None, description="Default: now.")


class ShipmentCreate(Schema):
    buyer: str = Field(min_length=1, max_length=200, description="The buyer: id, 统一社会信用代码 or GLN.")
    quantity: float = Field(gt=0)
    unit: Unit = "kg"
    shipped_at: datetime | None = Field(None, description="Default: now.")


class PublicReceipt(Schema):
    time: datetime
    region: str | None
    quantity: float
    uom: str


class PublicCertificate(Schema):
    """The consumer view: no issuer id, no phone unless the producer chose to show it."""

    number: str
    product: str
    quantity: float
    unit: str
    region: str
    place: str
    producer_name: str
    phone: str | None
    commitments: list[str]
    basis: list[str]
    issued_on: date
    receipts: list[PublicReceipt]
