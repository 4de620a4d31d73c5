"""Risk alerts as the API gives them (``GET /alerts``), and what a scan reports."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    rule: str
    severity: str = Field(description="high, medium or low (the rule's).")
    party_id: str | None = Field(description="The party answerable for it.")
    region: str | None = Field(description="The party's GB/T 2260 region.")
    class_id: str | None = Field(description="The catalog class concerned.")
    evidence: list[str] = Field(description="eventIDs of the evidence events.")
    codes: list[str] = Field(description="The codes concerned (canonical).")
    detail_zh: str
    detail_en: str
    first_seen: datetime
    last_seen: datetime
    status: str = Field(description="new, acknowledged or closed.")
    acknowledged_by_id: str | None
    acknowledged_at: datetime | None
    closed_by_id: str | None
    closed_at: datetime | None
    note: str
    facts: dict[str, Any]
    trace: list[str] = Field(default_factory=list, description="Paths of the trace of each code (GET /trace/…).")


class CloseAlert(BaseModel):
    note: str = Field(default="", description="How the alert was handled (required).")


class ScanRead(BaseModel):
    scan: int | None
    now: str
    hits: dict[str, int]
    total: int
    created: int
    updated: int
