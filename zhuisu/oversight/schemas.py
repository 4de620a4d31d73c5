"""What the regulator desk shows: its overview, a trace drawn as a graph, a recall impact."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from zhuisu.portal.schemas import ComplaintRead
from zhuisu.trace.schemas import FindingRead, ImpactRead, TraceRead


class VolumeRead(BaseModel):
    day: str
    events: int


class FlagSummary(BaseModel):
    event_id: str
    class_id: str
    rule_id: str
    elements: list[str]
    recorder_id: str
    #: The class and the missing elements by their catalog names (a licence by its type's name), zh-CN and English.
    class_name: str = ""
    class_name_en: str = ""
    element_names: list[str] = Field(default_factory=list)
    element_names_en: list[str] = Field(default_factory=list)


class OverviewRead(BaseModel):
    coverage: list[dict[str, Any]]
    volume: list[VolumeRead]
    flags: list[FlagSummary]
    complaints: list[ComplaintRead]
    scope: str = Field(description="GB/T 2260 prefix the regulator works within (empty: every region).")
    region: str = Field(description="The region filter applied (inside the scope).")
    timezone: str = Field(description="Time zone of the local times shown.")


class GraphNode(BaseModel):
    id: str
    name: str
    category: str


class GraphEdge(BaseModel):
    source: str
    target: str
    label: str


class TraceView(BaseModel):
    trace: TraceRead
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    party_names: dict[str, str]
    findings: list[FindingRead]


class ImpactView(BaseModel):
    impact: ImpactRead
    party_names: dict[str, str]


class EvaluationRow(BaseModel):
    """One enterprise's (``party_id`` set) or one region's evaluation: the score and what it is computed from
    (``oversight.evaluation``). Shares are 0–1; None when there is nothing to divide by."""

    rank: int = 0
    party_id: str | None
    name: str | None
    region: str
    enterprises: int = Field(description="Enterprises counted (1 for an enterprise's row).")
    events: int = Field(description="Events recorded in the window.")
    products: int = Field(description="Registered products.")
    products_traced: int = Field(description="Registered products named by an event recorded in the window.")
    coverage: float | None = Field(description="products_traced / products (覆盖率).")
    median_delay_hours: float | None = Field(description="Median hours from event time to record time.")
    p90_delay_hours: float | None = Field(description="90th percentile of the same (nearest rank).")
    within_24h: float | None = Field(description="Share of events recorded within 24 hours (及时性).")
    completeness: float | None = Field(description="Share of events with every required data element (完整性).")
    shipments: int = Field(description="Shipments naming a destination party.")
    shipments_received: int = Field(description="Of which some code was received at or after the shipment.")
    linkage: float | None = Field(description="shipments_received / shipments (链接率).")
    flags_per_10k: float = Field(description="Catalog flags per 10,000 events.")
    alerts: int = Field(default=0, description="Risk alerts about it first seen in the window.")
    alerts_per_10k: float = Field(default=0.0, description="Risk alerts per 10,000 events.")
    score: float | None = Field(
        description="0–100: 100 × mean of the shares, less flags and alerts per 10,000 (at most 20)."
    )
    reported_by: str | None = Field(
        default=None,
        description="The child node that reported the enterprise here (its mirror's, federation), or whose region "
        "holds the region's row; None: this node's own.",
    )


class EvaluationRead(BaseModel):
    """The evaluation of the enterprises in the reader's lane over a window of record times, ranked."""

    since: datetime
    until: datetime
    window_days: int
    region: str = Field(description="The region filter applied (inside the reader's scope).")
    enterprises: list[EvaluationRow]
    regions: list[EvaluationRow]
    nodes: list[EvaluationRow] = Field(
        default_factory=list,
        description="On a node with child nodes: a row per reporting node (``reported_by``: the child that reported "
        "the enterprises; None: this node's own), aggregating its enterprises as a region's row does, ranked.",
    )


class BlacklistCreate(BaseModel):
    party: str = Field(max_length=32, description="The party's id or 统一社会信用代码.")
    reason: str = Field(max_length=2000)
    legal_basis: str = Field(max_length=500, description="The provision it rests on.")
    starts_on: date
    ends_on: date | None = Field(default=None, description="The last day of the term; none: until removed.")


class ReasonBody(BaseModel):
    reason: str = Field(max_length=2000)


class BlacklistEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    party_id: str
    reason: str
    legal_basis: str
    starts_on: date
    ends_on: date | None
    added_by: str
    revoked_at: datetime | None
    revoke_reason: str
    in_force: bool = False


class PublicBlacklistRead(BaseModel):
    """An entry of the public 失信名单: who, why, on what basis, for how long (nothing else of the party)."""

    name: str
    uscc: str | None
    region: str | None
    reason: str
    legal_basis: str
    starts_on: date
    ends_on: date | None


class AppealCreate(BaseModel):
    note: str = Field(max_length=4000)
    entry_id: str | None = Field(default=None, max_length=32, description="The blacklist entry appealed, if one.")


class AppealAnswer(BaseModel):
    answer: str = Field(max_length=4000)


class AppealRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    party_id: str
    entry_id: str | None
    note: str
    filed_at: datetime
    status: str
    answer: str
    answered_at: datetime | None


class CreditRecordRead(BaseModel):
    """A party's credit record: its grade (A 守信 … D 严重失信) with the reasons, and every input."""

    party_id: str
    name: str
    grade: str
    grade_zh: str
    grade_en: str
    reasons: list[tuple[str, str]] = Field(description="(中文, English) of each reason for the grade.")
    blacklist: list[BlacklistEntryRead]
    licences_valid: int
    licences_expired: int
    complaints: int = Field(description="Complaints and reports about its products.")
    complaints_open: int
    events: int = Field(description="Events it recorded in the last year.")
    flagged: int = Field(description="Of which flagged (catalog rules, the blacklist).")
    alerts_open: int = Field(description="Risk alerts about it not closed.")
    alerts_high: int = Field(description="Of which high severity.")
    inspections_failed: int = Field(description="Failed inspections of its products in the last year.")
    recalls_ordered: int = Field(description="Recalls a regulator ordered of its products in the last year.")
    recall_lines_overdue: int = Field(description="Recalls it holds goods of, not confirmed by the deadline.")
    appeals: list[AppealRead]
