"""What the recall API takes and answers (``POST /recalls``, ``GET /recalls``, ``GET /recalls/{id}``)."""

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

RecallKind = Literal["voluntary", "ordered"]
HolderStatus = Literal["pending", "partial", "confirmed", "overdue"]


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RecallCreate(BaseModel):
    """A recall order. Its kind follows from who issues it (the brand owner: voluntary; a supervising regulator:
    ordered); ``kind`` may say it, and must agree."""

    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(
        None, min_length=1, max_length=500, description="The recalled code: an item or a lot, any form."
    )
    product: str | None = Field(
        None,
        min_length=8,
        max_length=14,
        description="Instead of a code: a product (its GTIN), every item and lot of it made in [since, until).",
    )
    since: AwareDatetime | None = Field(None, description="With product: made at or after this time.")
    until: AwareDatetime | None = Field(None, description="With product: made before this time.")
    reason: str = Field(min_length=1, max_length=2000, description="Why (shown on the product page).")
    level: Literal[1, 2, 3] = Field(description="1, 2 or 3 (一级/二级/三级召回): 1 is the most serious.")
    deadline: AwareDatetime = Field(description="By when holders must confirm (a time with its UTC offset).")
    kind: RecallKind | None = Field(None, description="voluntary (主动召回) or ordered (责令召回).")
    advice: str = Field("", max_length=2000, description="What consumers should do; a default per level if empty.")

    @model_validator(mode="after")
    def _one_scope(self) -> "RecallCreate":
        if (self.code is None) == (self.product is None):
            raise ValueError("give either code (an item or a lot) or product (a GTIN, with since/until)")
        if self.code is not None and (self.since or self.until):
            raise ValueError("since and until go with product, not with code")
        return self


class RecallClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=2000, description="Why it is closed, what remains.")


class PartyRef(Schema):
    id: str | None
    name: str


class ImpactSummary(Schema):
    """The impact snapshotted when the recall was issued (the things, their quantity, holders and regions)."""

    things: int
    quantity_out: float
    uom: str | None
    holders: int
    regions: list[str]


class HolderRead(Schema):
    party: str = Field(description="The holder as the trace names it (a PGLN Digital Link).")
    party_id: str | None
    name: str
    region: str | None
    things: int
    quantity_out: float
    quantity_confirmed: float
    uom: str | None
    status: HolderStatus
    events: list[str] = Field(description="The holder's confirmation events (eventIDs).")


class RegionCompletion(Schema):
    region: str
    quantity_out: float
    quantity_confirmed: float


class CompletionRead(Schema):
    quantity_out: float
    quantity_confirmed: float
    ratio: float = Field(description="quantity_confirmed / quantity_out (1 when nothing was out).")
    percent: float = Field(description="The ratio in percent, one decimal.")
    holders: int
    holders_confirmed: int
    holders_overdue: int
    regions: list[RegionCompletion]


class TimelineEntry(Schema):
    time: datetime
    kind: Literal["issued", "quarantined", "returned", "destroyed", "closed"]
    party: str
    event_id: str | None = None
    things: int = 0
    quantity: float = 0


class IgnoredEvent(Schema):
    """A quarantine, return or destruction of a recalled thing by a party that did not hold it: it does not count."""

    event_id: str
    recorder_id: str
    reason: Literal["not_a_holder"] = "not_a_holder"


class RecallSummary(Schema):
    id: str
    kind: RecallKind
    level: int
    status: Literal["open", "closed"]
    code: str
    reason: str
    deadline: datetime
    created_at: datetime
    closed_at: datetime | None
    issuer: PartyRef
    completion: CompletionRead


class RecallRead(RecallSummary):
    """A recall as its reader may see it: ``view`` all (the issuer, the brand owner, the regulators over it, the
    admin) or holder (a holder sees its own lines; the impact and completion are of those lines)."""

    view: Literal["all", "holder"]
    since: datetime | None = Field(description="A product's recall: its items and lots made at or after this time.")
    until: datetime | None = Field(description="A product's recall: made before this time.")
    advice: str
    owner: PartyRef | None
    class_id: str | None
    impact: ImpactSummary
    holders: list[HolderRead]
    timeline: list[TimelineEntry]
    ignored: list[IgnoredEvent]
    close_note: str
