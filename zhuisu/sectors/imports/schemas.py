"""The import lots API's bodies and answers."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


class LotCreate(Schema):
    gtin: str = Field(min_length=8, max_length=14, description="The product's GTIN (registered under imported.*).")
    lot: str = Field(min_length=1, max_length=20, description="Its lot (批号).")
    country: str = Field(min_length=2, max_length=2, description="Country of origin, ISO 3166-1 alpha-2 (IT, FR …).")
    declaration: str = Field(min_length=1, max_length=32, description="报关单号: 18 digits.")
    certificate: str = Field("", max_length=64, description="入境货物检验检疫证明 number, when already issued.")
    port: str = Field(min_length=1, max_length=200, description="The port of entry (口岸): its GLN or …/414/{gln}.")
    port_region: str = Field("", max_length=6, description="The port's GB/T 2260 region when the site has none here.")
    entry_date: date = Field(description="入境日期.")
    quantity: float = Field(gt=0)
    uom: str = Field("H87", max_length=16, description="UN/CEFACT unit (H87 pieces, KGM, LTR).")


class CertificateCreate(Schema):
    number: str = Field(min_length=1, max_length=64, description="入境货物检验检疫证明 / 卫生证书 number.")


class SaleCreate(Schema):
    kind: Literal["shipping", "retail_selling"] = Field(description="A sale to a domestic buyer, or at retail.")
    buyer: str = Field("", max_length=200, description="shipping: the buyer (id, 统一社会信用代码 or GLN).")
    quantity: float = Field(gt=0)
    site: str = Field("", max_length=200, description="retail_selling: the shop (GLN), optional.")
    time: datetime | None = Field(None, description="Default: now.")


class ReceiptCreate(Schema):
    quantity: float = Field(gt=0)
    site: str = Field("", max_length=200, description="The buyer's site (GLN), optional.")
    time: datetime | None = None


class OrderCreate(Schema):
    order_number: str = Field(min_length=1, max_length=64, description="跨境电商订单号.")
    quantity: float = Field(gt=0)
    platform: str = Field("", max_length=100, description="The e-commerce platform's name.")
    time: datetime | None = None


class LotEvent(Schema):
    event_id: str
    time: datetime
    step: str
    recorder: str | None
    quantity: float
    uom: str
    order: str | None = None
    certificates: list[str] = Field(default_factory=list)


class CertificateRead(Schema):
    number: str
    valid_from: datetime
    event_id: str


class LotRead(Schema):
    declaration: str
    importer_id: str
    importer: str
    gtin: str
    lot: str
    code: str
    product: str
    class_id: str
    country: str
    country_zh: str
    country_en: str
    port: str
    region: str | None
    entry_date: date
    entry_event_id: str
    certificates: list[CertificateRead]
    certified: bool
    events: list[LotEvent] = Field(default_factory=list)
    orders: list[str] = Field(default_factory=list)
