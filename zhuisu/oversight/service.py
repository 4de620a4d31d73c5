"""The regulator desk, composed from the domains: coverage (catalog), flags (catalog), traces and recall impact
(trace), complaints (portal), event volume (its own aggregate).

A regulator works within its jurisdiction: ``auth.roles.region_scope`` is its GB/T 2260 prefix
(``parties.jurisdiction``), and a ``?region=`` filter outside it is narrowed back to it; complaints are listed for that
region only (see ``portal.complaints``).
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from zhuisu.auth import roles
from zhuisu.catalog import coverage as coverage_service
from zhuisu.catalog import service as catalog_service
from zhuisu.catalog.permissions import FlagScope
from zhuisu.catalog.rules import Catalog
from zhuisu.codes._regions import region_label
from zhuisu.kit.time import utc_now
from zhuisu.models import EventFlag, Party
from zhuisu.oversight import repository
from zhuisu.oversight.schemas import FlagSummary, GraphEdge, GraphNode, ImpactView, OverviewRead, TraceView, VolumeRead
from zhuisu.parties import service as parties_service
from zhuisu.parties.vocabulary import LICENCE_TYPES, licence_type_name
from zhuisu.portal import complaints
from zhuisu.portal.vocabulary import step_label
from zhuisu.recall import service as recall_service
from zhuisu.trace import service as trace_service
from zhuisu.trace.permissions import MASK_PREFIX

VOLUME_DAYS = 365
BEIJING_ZONE = ZoneInfo("Asia/Shanghai")


def overview(
    session: Session,
    *,
    window_days: int,
    region_prefix: str = "",
    scope_prefix: str = "",
    zone: ZoneInfo | None = None,
) -> OverviewRead:
    """The desk's overview within ``scope_prefix``, filtered to ``region_prefix`` (narrowed into the scope)."""
    region_prefix = roles.within(scope_prefix, region_prefix)
    rows = coverage_service.coverage(session, window_days=window_days, region_prefix=region_prefix)
    now = utc_now()
    offset = (zone or BEIJING_ZONE).utcoffset(now) or timedelta(hours=8)
    volume = repository.events_per_day(session, since=now - timedelta(days=VOLUME_DAYS), offset=offset)
    flags = catalog_service.list_flags(session, scope=FlagScope(region_prefix=region_prefix or None), limit=50)
    catalog = catalog_service.catalog_on(session)
    return OverviewRead(
        coverage=[row.to_json() for row in rows],
        volume=[VolumeRead(day=d, events=n) for d, n in volume],
        flags=[_flag(catalog, f, event_id) for f, event_id in flags],
        complaints=[
            complaints.complaint_read(c, zone) for c in complaints.list_complaints(session, region_prefix=region_prefix)
        ],
        scope=scope_prefix,
        region=region_prefix,
        timezone=str(zone or complaints.DEFAULT_TIMEZONE),
    )


def _flag(catalog: Catalog, flag: EventFlag, event_id: str) -> FlagSummary:
    """A flag with its class and missing elements named as the catalog names them (a ``licence:<type>`` element
    by its licence type); what the catalog no longer has keeps its key."""
    cls = catalog.classes.get(flag.class_id)
    names = [_element_name(catalog, key) for key in flag.elements]
    return FlagSummary(
        event_id=event_id,
        class_id=flag.class_id,
        rule_id=flag.rule_id,
        elements=list(flag.elements),
        recorder_id=flag.recorder_id,
        class_name=cls.name if cls else flag.class_id,
        class_name_en=cls.name_en if cls else flag.class_id,
        element_names=[zh for zh, _ in names],
        element_names_en=[en for _, en in names],
    )


def _element_name(catalog: Catalog, key: str) -> tuple[str, str]:
    if key.startswith("licence:"):
        kind = key.removeprefix("licence:")
        return licence_type_name(kind) if kind in LICENCE_TYPES else (key, key)
    element = catalog.elements.get(key)
    return (element.name, element.name_en) if element else (key, key)


def _names(session: Session, identifiers: set[str], same: dict[str, str] | None = None) -> dict[str, str]:
    """Each party's registered name; a party shown only as its region (``trace.permissions``): 地区 370102.
    ``same`` (when given) is filled with identifier → the first identifier of the same registered party (a party
    named by its PGLN in one event and by a site's GLN in another is one party)."""
    names = {}
    first: dict[str, str] = {}
    for identifier in sorted(identifiers):
        if identifier.startswith(MASK_PREFIX):
            region = identifier.removeprefix(MASK_PREFIX)
            names[identifier] = "地区未知" if region == "unknown" else f"地区 {region_label(region)}"
            continue
        party = parties_service.find_party_by_identifier(session, identifier)
        names[identifier] = party.name if party else identifier.rsplit("/", 1)[-1]
        if same is not None:
            same[identifier] = first.setdefault(party.id, identifier) if party else identifier
    return names


def trace_view(session: Session, code: str, *, viewer: Party | None = None, lang: str = "zh") -> TraceView:
    """A trace back and forward as a graph: things and parties as nodes, each event linking them (by its step's
    name in ``lang``); parties outside ``viewer``'s lane as their regions."""
    traced = trace_service.trace(session, code, direction="both", viewer=viewer)
    parties = {p for step in traced.timeline for p in (step.source, step.destination) if p}
    parties |= {r.party for r in traced.responsibility}
    same: dict[str, str] = {}
    names = _names(session, parties, same)

    def one(identifier: str) -> str:  # one node per registered party
        return same.get(identifier, identifier)

    nodes = [
        GraphNode(id=t, name="/".join(t.split("/")[-4:]), category="code" if t == traced.code else "thing")
        for t in traced.things
    ]
    nodes += [GraphNode(id=p, name=names[p], category="party") for p in sorted({one(p) for p in parties})]
    edges: dict[tuple[str, str], str] = {}
    for step in traced.timeline:
        label = step_label(step.biz_step)[0 if lang == "zh" else 1] if step.biz_step else step.type
        for thing in step.things:
            for party in (step.source, step.destination):
                if party:
                    edges.setdefault((thing, one(party)), label)
        if step.source and step.destination and one(step.source) != one(step.destination):
            edges.setdefault((one(step.source), one(step.destination)), label)
    return TraceView(
        trace=traced,
        nodes=nodes,
        party_names=names,
        findings=traced.findings,
        edges=[GraphEdge(source=s, target=t, label=label) for (s, t), label in edges.items()],
    )


def impact_view(session: Session, code: str, *, viewer: Party | None = None) -> ImpactView:
    impact = recall_service.recall_impact(session, code, viewer=viewer)
    return ImpactView(impact=impact, party_names=_names(session, set(impact.holders)))
