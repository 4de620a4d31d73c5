"""I/O of inspections, certificates and licence confirmations (``/inspections``, ``/certificates``,
``/licences/{id}/confirm``)."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Result = Literal["pass", "fail"]


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ReportItem(Schema):
    """One test of a report: what was measured, the value found and the limit it is judged against."""

    name: str = Field(min_length=1, max_length=200, description="检验项目, e.g. 毒死蜱 (chlorpyrifos).")
    value: str = Field(min_length=1, max_length=100, description="The value found (a number, or 未检出).")
    unit: str = Field(default="", max_length=40, description="mg/kg …")
    limit: str = Field(default="", max_length=100, description="The limit or standard value, e.g. ≤0.02.")
    result: Result = Field(description="pass (合格) or fail (不合格).")


class InspectionCreate(Schema):
    lab: str = Field(min_length=1, max_length=200, description="The inspection body (检验检测机构).")
    report_number: str = Field(min_length=1, max_length=100, description="报告编号, unique per lab.")
    sample: str = Field(default="", max_length=200, description="样品: the sample's name or number.")
    code: str = Field(
        min_length=1,
        max_length=500,
        description="The lot (GTIN + lot: LGTIN, Digital Link /01/…/10/…, (01)…(10)…) or code inspected; a report "
        "on a lot applies to every item of the lot.",
    )
    items: list[ReportItem] = Field(min_length=1, max_length=500)
    result: Result = Field(description="Overall: fail when any item fails, else pass.")
    inspected_on: date


class InspectionRead(InspectionCreate):
    id: str
    gtin: str | None = Field(description="GTIN-14 of the product inspected, for GS1 codes.")
    lot: str | None = Field(description="The lot, when the report is on a lot.")
    producer_id: str | None
    class_id: str | None
    recorded_by_id: str
    recorded_at: datetime


class CertificateCreate(Schema):
    kind: str = Field(description="organic, green_food, gap, haccp, compliance, geographical_indication, other.")
    number: str = Field(min_length=1, max_length=100)
    issuer: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=500, description="A product (GTIN), a lot or an item.")
    valid_from: date
    valid_to: date | None = None


class CertificateRead(CertificateCreate):
    id: str
    gtin: str | None
    lot: str | None
    producer_id: str | None
    class_id: str | None
    recorded_by_id: str
    recorded_at: datetime


class LicenceConfirm(Schema):
    classes: list[str] | None = Field(
        default=None, description="The catalog classes the licence covers (its scope); null: keep what it states."
    )


class LicenceConfirmed(Schema):
    id: str
    party_id: str
    licence_type: str
    number: str
    valid_from: date
    valid_to: date | None
    classes: list[str] | None
    confirmed_by_id: str | None
    confirmed_at: datetime | None


class ImportRead(Schema):
    imported: int = Field(description="Reports imported.")
    ids: list[str]
