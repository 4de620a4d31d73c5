"""What the regulator desk shows: its overview, a trace drawn as a graph, a recall impact."""

from typing import Any

from pydantic import BaseModel, Field

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
