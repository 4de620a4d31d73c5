"""Pydantic I/O of the catalog endpoints."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FlagRead(Schema):
    id: int
    event_id: str = Field(description="eventID of the flagged event.")
    recorder_id: str
    class_id: str = Field(description="Catalog class the rule applied to.")
    rule_id: str
    release: str = Field(description="Catalog release (scope:region:version) the rule came from.")
    elements: list[str] = Field(description="Keys of the missing data elements.")
    created_at: datetime


class ReleaseRead(Schema):
    scope: str
    region: str | None
    version: str
    effective_from: date
    digest: str
    builtin: bool = Field(description="Shipped with zhuisu (package data) rather than loaded later.")
