"""What a trace and a recall impact return (JSON API, CLI ``--json`` and pages share these)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FindingRead(Schema):
    kind: str = Field(
        description="shipped_not_received, received_without_shipment, times_out_of_order, "
        "mass_balance or used_after_destroyed."
    )
    thing: str | None = Field(description="The code concerned (a transformationID for mass balance), if any.")
    events: list[str] = Field(description="eventIDs that are the evidence.")
    message_zh: str
    message_en: str


class StepRead(Schema):
    """One event of the journey: when, what, where, and who was responsible."""

    time: str = Field(description="eventTime, RFC 3339 UTC.")
    event_id: str
    type: str
    biz_step: str | None
    disposition: str | None
    location: str | None = Field(description="bizLocation, else readPoint (canonical).")
    things: list[str] = Field(description="The codes of the trace this event names.")
    source: str | None = Field(description="Source party (owning, else possessing).")
    destination: str | None = Field(description="Destination party (owning, else possessing).")
    recorder: str = Field(description="Id of the registered party that captured the event.")


class ResponsibilityRead(Schema):
    """A party that held or handled the thing, with the evidence."""

    party: str = Field(description="The party as events name it (PGLN Digital Link), or the recorder's id.")
    role: Literal["source", "destination", "recorder"]
    first: str
    last: str
    events: list[str]


class TraceRead(Schema):
    code: str = Field(description="The code traced, in canonical form.")
    direction: Literal["back", "forward", "both"]
    things: list[str] = Field(description="Canonical codes reached, sorted.")
    events: list[str] = Field(description="eventIDs linking them, in time order.")
    parties: list[str] = Field(description="Party identifiers the events name (PGLN Digital Links), sorted.")
    findings: list[FindingRead]
    timeline: list[StepRead] = Field(default_factory=list, description="The journey, in time order.")
    responsibility: list[ResponsibilityRead] = Field(default_factory=list)
    depth: int = Field(default=0, description="Levels of the graph walked (one query each).")
    view: Literal["all", "lane"] = Field(
        default="all",
        description="all: every party and place by name; lane: the caller's own and its direct trading partners' "
        "(a regulator's: its jurisdiction's) by name, every other as its region, region:370102 "
        "(GB/T 2260; region:unknown when unregistered).",
    )

    def contract(self) -> dict[str, object]:
        """The ``zhuisu trace --json`` shape."""
        return self.model_dump(include={"code", "direction", "things", "events", "parties", "findings"})


class QuantityRead(Schema):
    value: float
    uom: str | None


class ImpactRead(Schema):
    code: str
    things: list[str] = Field(description="Everything downstream of the code (itself included), sorted.")
    quantities: dict[str, QuantityRead] = Field(description="Quantity of each class/lot reached.")
    holders: list[str] = Field(description="Current holders (last custody) of the things: parties to notify.")
    regions: list[str] = Field(description="GB/T 2260 codes of the registered holders.")
    holder_of: dict[str, str] = Field(default_factory=dict, description="Current holder of each thing.")
    view: Literal["all", "lane"] = Field(
        default="all",
        description="all: every holder by name; lane: the caller's own and its direct trading partners' (a "
        "regulator's: its jurisdiction's) by name, every other as its region (region:370102, region:unknown).",
    )

    def contract(self) -> dict[str, object]:
        """The ``zhuisu trace impact --json`` shape."""
        return self.model_dump(include={"code", "things", "quantities", "holders", "regions"})
