"""Pydantic I/O of code issuance: the issue request, batches, and the check of one code."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class IssueCreate(BaseModel):
    """What to issue codes for: a GTIN (GS1 scheme) or an internal product code (``zhuisu`` scheme)."""

    model_config = ConfigDict(extra="forbid")

    gtin: str | None = Field(
        default=None, description="GTIN-8/12/13/14 under the party's GS1 company prefix: SGTIN Digital Links."
    )
    product: str | None = Field(
        default=None, description="Internal product code (when there is no GTIN): codes of the zhuisu scheme."
    )
    product_name: str | None = Field(default=None, description="Product name printed on the labels, e.g. 五常大米 5kg.")
    lot: str | None = Field(default=None, description="Lot/batch number (1–20 of A–Z a–z 0–9 . _ -), optional.")
    production_date: date | None = Field(
        default=None, description="Production date (生产日期), recorded with the commissioning (ILMD)."
    )
    expiry: date | None = Field(
        default=None, description="Expiry date (保质期至), recorded with the commissioning (ILMD)."
    )
    count: int = Field(description="How many item codes to issue (at most the node's issue_max_count).")


class BatchRead(BaseModel):
    """One issue of codes: a contiguous range of serials of one product (and lot)."""

    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="Batch id.")
    party_id: str = Field(description="The issuing party.")
    issued_by_id: str = Field(description="The party that asked for the codes.")
    scheme: str = Field(description="gs1 (SGTIN Digital Links) or zhuisu.")
    gtin: str | None = Field(description="GTIN-14, for gs1 batches.")
    product_code: str | None = Field(description="Internal product code, for zhuisu batches.")
    product_name: str | None = Field(description="Product name on the labels.")
    lot: str | None = Field(description="Lot number.")
    lot_code: str | None = Field(description="The lot's own code: …/01/{gtin}/10/{lot}, or a zhuisu code of kind 2.")
    first_serial: int = Field(description="First serial of the range.")
    last_serial: int = Field(description="Last serial of the range (inclusive).")
    count: int = Field(description="Number of codes.")
    created_at: datetime = Field(description="When the codes were issued.")
    capture_id: str | None = Field(description="Capture job that recorded the commissioning events.")
    event_count: int = Field(description="Number of commissioning events recorded.")


class IssuedBatchRead(BatchRead):
    codes: list[str] = Field(description="The codes, in serial order, exactly as labels carry them.")


class CodeCheckRead(BaseModel):
    """What a code is (as ``zhuisu codes check --json`` prints it) and whether this node issued it."""

    input: str
    scheme: str
    valid: bool
    value: str
    parts: dict[str, Any]
    error: str | None
    candidates: list[str]
    issued_here: bool = Field(description="Whether this node issued the code (item or lot code).")
    batch: BatchRead | None = Field(description="The batch it was issued in, when issued here.")
