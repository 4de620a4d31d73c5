"""The canteen ledger API's bodies and answers."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CertificateKind = Literal["inspection_report", "compliance_certificate", "quarantine_certificate"]


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


class ReceiptCreate(Schema):
    """进货验收: one receipt of goods at the canteen (the caller, a party with the ``canteen`` role)."""

    supplier: str = Field(
        "", max_length=200, description="A supplier on this node: its id, 统一社会信用代码, GLN or exact name."
    )
    supplier_name: str = Field("", max_length=200, description="A supplier not on this node: its name …")
    supplier_uscc: str = Field("", max_length=32, description="… and its 统一社会信用代码.")
    code: str = Field(
        "",
        max_length=500,
        description="The product's code as scanned or typed: a GTIN, a lot (GTIN + AI 10), a zhuisu code; the "
        "product and lot are filled from it when known.",
    )
    product_name: str = Field("", max_length=200, description="品名 (from the code when blank and known).")
    spec: str = Field("", max_length=200, description="规格.")
    quantity: float = Field(gt=0, le=1e9)
    unit: str = Field(max_length=16, description="UN/CEFACT unit: KGM, GRM, LTR, H87, XBX, XBG, XBO.")
    lot: str = Field("", max_length=64, description="批号 (from the code when it names a lot).")
    production_date: date | None = None
    expiry: date | None = Field(None, description="保质期至 (the expiry date).")
    origin: str = Field("", max_length=200, description="产地 (edible agricultural products).")
    invoice_number: str = Field("", max_length=64, description="票据号 (an invoice photo may stand in for it).")
    invoice_photo: str = Field(
        "", max_length=64, description="SHA-256 of an invoice photo uploaded before (POST /api/v1/canteen/photos)."
    )
    certificate_kind: CertificateKind = Field("inspection_report", description="What the certificate is.")
    certificate_number: str = Field(
        "", max_length=100, description="检验合格证明 number; blank: the lot's registered inspection report, if any."
    )
    receiver: str = Field(max_length=100, description="验收人.")
    site: str = Field("", max_length=200, description="The canteen's site (GLN); blank: its first site.")
    received_at: datetime | None = Field(None, description="When it was received; blank: now.")


class LicenceCheck(Schema):
    status: Literal["verified", "unverified"]
    status_name: str
    licence_type: str | None
    licence_number: str | None
    valid_to: date | None = None
    issuer: str = ""
    class_id: str = Field(description="The class the licence had to cover.")
    checked_on: date
    reason: str = Field("", description="Why it is not verified.")


class PhotoRead(Schema):
    sha256: str
    content_type: str
    size: int
    filename: str


class ProductHint(Schema):
    """What a code tells of the product (the form fills itself with it)."""

    code: str = Field(description="The code, canonical.")
    product_name: str = ""
    spec: str = ""
    gtin: str | None = None
    lot: str = ""
    class_id: str | None = None
    inspection: str | None = Field(None, description="The lot's registered inspection report: lab and number.")
    inspection_result: str | None = None


class ReceiptRead(Schema):
    """One row of the ledger."""

    id: str
    event_id: str
    canteen_id: str
    canteen: str
    region: str | None
    day: date
    received_at: datetime
    supplier_id: str | None
    supplier_name: str
    supplier_uscc: str | None
    product_name: str
    spec: str
    code: str
    gtin: str | None
    lot: str | None
    quantity: float
    uom: str
    unit_name: str
    production_date: date | None
    expiry: date | None
    origin: str
    licence_status: str
    licence_status_name: str
    licence_type: str | None
    licence_number: str | None
    invoice_number: str
    invoice_photo: str | None
    certificate_kind: str | None
    certificate_number: str | None
    certificate_source: str | None
    certificate_result: str | None
    receiver: str


class LedgerRead(Schema):
    since: date
    until: date
    rows: list[ReceiptRead]
