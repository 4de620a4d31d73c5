"""追溯体系建设评价: how well each enterprise, and each region, traces — scores with the inputs they come from.

Over a window of record times (``coverage_window_days`` by default) ending now, per enterprise (a party that
recorded events in the window, or has registered products):

- **coverage** 覆盖率: the share of its registered products (``products.producer_id``) named by a GTIN in an event
  recorded in the window (as ``catalog.coverage`` counts products);
- **timeliness** 及时性: the delay from each event's time to its record time — median and 90th percentile in hours,
  and the share recorded within 24 hours (what the score takes); for an event a child node reported, its record time
  there (``event_origins``), so a province rates its cities' enterprises, not the federation's lag;
- **completeness** 完整性: the share of its events recorded with every data element its class's catalog rules
  require (``event_flags`` holds those accepted with elements missing);
- **linkage** 链接率: the share of its shipments (bizStep ``shipping`` naming a destination party) of which some code
  was received (bizStep ``receiving``) by anyone at or after the shipment;
- **flags and alerts per 10,000 events** 风险率: catalog flags on its events, and risk alerts about it first seen
  in the window (``oversight.rules``), each per 10,000 of its events.

The score is 100 × the mean of the shares it has (a share with no denominator — no products, no shipments — is left
out, not counted as zero), less one point per flag or alert per 10,000 events, at most 20; rounded to one decimal.
A region's row aggregates its enterprises' inputs (its shares are of the region's totals, its delays over all its
events). Everything is computed on read; nothing is stored.
"""

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from openpyxl import Workbook
from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import Session

from zhuisu.auth import roles
from zhuisu.catalog import coverage
from zhuisu.config import Settings
from zhuisu.kit.i18n import cpair
from zhuisu.kit.time import utc_now
from zhuisu.models import Alert, Event, EventEpc, EventFlag, EventOrigin, Party, Product, TraceCustody
from zhuisu.oversight import permissions
from zhuisu.oversight.rules import custody
from zhuisu.oversight.schemas import EvaluationRead, EvaluationRow

_DL_GTIN = "https://id.gs1.org/01/"
_DAY_HOURS = 24.0
_MAX_PENALTY = 20.0


@dataclass
class _Inputs:
    """What one enterprise's (or region's) scores are computed from."""

    events: int = 0
    products: int = 0
    products_traced: int = 0
    delays: list[float] = field(default_factory=list)
    flagged: int = 0
    shipments: int = 0
    shipments_received: int = 0
    alerts: int = 0

    def add(self, other: "_Inputs") -> None:
        self.events += other.events
        self.products += other.products
        self.products_traced += other.products_traced
        self.delays += other.delays
        self.flagged += other.flagged
        self.shipments += other.shipments
        self.shipments_received += other.shipments_received
        self.alerts += other.alerts


def evaluate(
    session: Session,
    *,
    parties: ColumnElement[bool] = true(),
    window_days: int,
    region_prefix: str = "",
    at: datetime | None = None,
) -> EvaluationRead:
    """The evaluation of the enterprises ``parties`` selects (the reader's lane: ``oversight.permissions``) in
    regions under ``region_prefix``, ranked by score (best first), and of their regions."""
    until = at or utc_now()
    since = until - timedelta(days=window_days)
    in_region = [Party.region.startswith(region_prefix, autoescape=True)] if region_prefix else []
    scope = and_(parties, Party.actor == "enterprise", *in_region)
    known = {p.id: p for p in session.scalars(select(Party).where(scope))}
    inputs: dict[str, _Inputs] = defaultdict(_Inputs)
    in_window = and_(Event.record_time >= since, Event.record_time < until)
    # An event a child node reported was recorded when its recorder recorded it there (its provenance), not when it
    # arrived here: the delay is the enterprise's, not the federation's.
    recorded = func.coalesce(EventOrigin.record_time, Event.record_time)
    for recorder, event_time, record_time in session.execute(
        select(Event.recorder_id, Event.event_time, recorded)
        .outerjoin(EventOrigin, EventOrigin.event_pk == Event.id)
        .where(in_window)
    ):
        if recorder in known:
            inputs[recorder].events += 1
            inputs[recorder].delays.append(max(0.0, (record_time - event_time).total_seconds() / 3600))
    for recorder, n in session.execute(
        select(Event.recorder_id, func.count()).join(EventFlag, EventFlag.event_pk == Event.id).where(in_window)
        .group_by(Event.recorder_id)
    ):  # fmt: skip
        if recorder in known:
            inputs[recorder].flagged = int(n)
    for party_id, n in session.execute(
        select(Alert.party_id, func.count())
        .where(Alert.first_seen >= since, Alert.first_seen < until, Alert.party_id.is_not(None))
        .group_by(Alert.party_id)
    ):
        if party_id in known:
            inputs[party_id].alerts = int(n)
    _products(session, known, inputs, in_window)
    _shipments(session, known, inputs, in_window)
    # An enterprise registered at a child node is known here by its mirror: the child that reported it. A region's
    # row names the child whose region holds it.
    reported = coverage.reporting_nodes(session)
    reporter = coverage.region_nodes(session)
    rows = [
        _row(known[pid], known[pid].region or "", facts, reported_by=reported(pid))
        for pid, facts in inputs.items()
        if pid in known
    ]
    regions: dict[str, _Inputs] = defaultdict(_Inputs)
    nodes: dict[str | None, _Inputs] = defaultdict(_Inputs)
    members: dict[str, int] = defaultdict(int)
    node_members: dict[str | None, int] = defaultdict(int)
    for pid, facts in inputs.items():
        region = known[pid].region or ""
        regions[region].add(facts)
        members[region] += 1
        node = reported(pid)
        nodes[node].add(facts)
        node_members[node] += 1
    region_rows = [
        _row(None, region, facts, enterprises=members[region], reported_by=reporter(region))
        for region, facts in regions.items()
    ]
    # A node with children ranks them (and its own enterprises, reported_by None) as it ranks regions.
    node_rows = (
        [_row(None, "", facts, enterprises=node_members[n], reported_by=n) for n, facts in nodes.items()]
        if any(n is not None for n in nodes)
        else []
    )
    return EvaluationRead(
        since=since,
        until=until,
        window_days=window_days,
        region=region_prefix,
        enterprises=_ranked(rows),
        regions=_ranked(region_rows),
        nodes=_ranked(node_rows),
    )


def evaluate_for(
    session: Session, reader: Party, settings: Settings, *, region: str = "", window_days: int | None = None
) -> EvaluationRead:
    """``evaluate`` in ``reader``'s lane (``permissions.evaluated``), a ``region`` outside its scope narrowed back,
    over ``window_days`` (default: ``coverage_window_days``): what the route, the workbook and the desk page show."""
    return evaluate(
        session,
        parties=permissions.evaluated(reader, settings),
        window_days=window_days or settings.coverage_window_days,
        region_prefix=roles.within(permissions.region_scope(reader, settings), region),
    )


def _products(
    session: Session, known: dict[str, Party], inputs: dict[str, _Inputs], in_window: ColumnElement[bool]
) -> None:
    gtins: dict[str, str] = {}
    products = select(Product.producer_id, Product.gtin).where(Product.producer_id.in_(list(known)))
    for producer, gtin in session.execute(products):
        if producer is None:
            continue
        inputs[producer].products += 1
        if gtin:
            gtins[gtin.zfill(14)] = producer
    if not gtins:
        return
    traced = set(
        session.scalars(
            select(func.substr(EventEpc.value, len(_DL_GTIN) + 1, 14))
            .distinct()
            .join(Event, Event.id == EventEpc.event_pk)
            .where(in_window, EventEpc.value.startswith(_DL_GTIN))
        )
    )
    for gtin, producer in gtins.items():
        inputs[producer].products_traced += gtin in traced


def _shipments(
    session: Session, known: dict[str, Party], inputs: dict[str, _Inputs], in_window: ColumnElement[bool]
) -> None:
    """Shipments naming a destination party, and whether some code of each was received at or after it (the
    latest receipt of each code: ``rules.custody.latest``, as ``shipped_not_received`` decides)."""
    ships = (
        select(Event.recorder_id, Event.id, Event.event_time, EventEpc.value)
        .join(TraceCustody, TraceCustody.event_pk == Event.id)
        .join(EventEpc, EventEpc.event_pk == Event.id)
        .where(
            in_window,
            Event.biz_step == "shipping",
            TraceCustody.destination.is_not(None),
            EventEpc.role.in_(custody.ROLES),
        )
    )
    codes: dict[int, list[str]] = defaultdict(list)
    shipments: dict[int, tuple[str, datetime]] = {}
    for recorder, pk, when, code in session.execute(ships):
        if recorder in known:
            shipments[pk] = (recorder, when)
            codes[pk].append(code)
    last = custody.latest(session, sorted({c for found in codes.values() for c in found}), "receiving")
    for pk, (recorder, when) in shipments.items():
        inputs[recorder].shipments += 1
        inputs[recorder].shipments_received += any(c in last and last[c] >= when for c in codes[pk])


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _row(
    party: Party | None, region: str, facts: _Inputs, *, enterprises: int = 1, reported_by: str | None = None
) -> EvaluationRow:
    delays = sorted(facts.delays)
    timely = _share(sum(1 for d in delays if d <= _DAY_HOURS), len(delays))
    coverage = _share(facts.products_traced, facts.products)
    completeness = _share(facts.events - facts.flagged, facts.events)
    linkage = _share(facts.shipments_received, facts.shipments)
    flags_rate = round(facts.flagged * 10_000 / facts.events, 1) if facts.events else 0.0
    alerts_rate = round(facts.alerts * 10_000 / facts.events, 1) if facts.events else 0.0
    penalty = min(_MAX_PENALTY, flags_rate + alerts_rate)
    shares = [s for s in (coverage, timely, completeness, linkage) if s is not None]
    score = round(max(0.0, 100 * sum(shares) / len(shares) - penalty), 1) if shares else None
    return EvaluationRow(
        party_id=party.id if party else None,
        name=party.name if party else None,
        region=region,
        enterprises=enterprises,
        events=facts.events,
        products=facts.products,
        products_traced=facts.products_traced,
        coverage=coverage,
        median_delay_hours=round(median(delays), 2) if delays else None,
        p90_delay_hours=round(_quantile(delays, 0.9), 2) if delays else None,
        within_24h=timely,
        completeness=completeness,
        shipments=facts.shipments,
        shipments_received=facts.shipments_received,
        linkage=linkage,
        flags_per_10k=flags_rate,
        alerts=facts.alerts,
        alerts_per_10k=alerts_rate,
        score=score,
        reported_by=reported_by,
    )


def _quantile(ordered: Sequence[float], q: float) -> float:
    """The ``q`` quantile of sorted values (nearest rank: the smallest value with at least ``q`` of them at or
    below it)."""
    rank = max(1, -(-len(ordered) * q // 1))
    return ordered[int(rank) - 1]


def _ranked(rows: Iterable[EvaluationRow]) -> list[EvaluationRow]:
    ranked = sorted(
        rows, key=lambda r: (r.score is None, -(r.score or 0.0), r.region, r.name or "", r.reported_by or "")
    )
    return [r.model_copy(update={"rank": n}) for n, r in enumerate(ranked, 1)]


#: The spreadsheet's columns: ((zh, en) header, row field). Headers and sheet names carry both languages, so that a
#: workbook passed between departments reads in either.
XLSX_COLUMNS = (
    (cpair("evaluation column", "Rank"), "rank"),
    (cpair("evaluation column", "Enterprise"), "name"),
    (cpair("evaluation column", "Region"), "region"),
    (cpair("evaluation column", "Enterprises"), "enterprises"),
    (cpair("evaluation column", "Score"), "score"),
    (cpair("evaluation column", "Events"), "events"),
    (cpair("evaluation column", "Products"), "products"),
    (cpair("evaluation column", "Products traced"), "products_traced"),
    (cpair("evaluation column", "Coverage"), "coverage"),
    (cpair("evaluation column", "Median delay (h)"), "median_delay_hours"),
    (cpair("evaluation column", "P90 delay (h)"), "p90_delay_hours"),
    (cpair("evaluation column", "Within 24 h"), "within_24h"),
    (cpair("evaluation column", "Completeness"), "completeness"),
    (cpair("evaluation column", "Shipments"), "shipments"),
    (cpair("evaluation column", "Received"), "shipments_received"),
    (cpair("evaluation column", "Linkage"), "linkage"),
    (cpair("evaluation column", "Flags per 10,000"), "flags_per_10k"),
    (cpair("evaluation column", "Alerts"), "alerts"),
    (cpair("evaluation column", "Alerts per 10,000"), "alerts_per_10k"),
    (cpair("evaluation column", "Reported by"), "reported_by"),
)


def to_xlsx(view: EvaluationRead) -> bytes:
    """The evaluation as a workbook: 企业 Enterprises and 地区 Regions, one row each, ranked; 节点 Nodes too on a node
    with child nodes."""
    book = Workbook()
    sheets = [
        (cpair("evaluation sheet", "Enterprises"), view.enterprises),
        (cpair("evaluation sheet", "Regions"), view.regions),
    ]
    if view.nodes:
        sheets.append((cpair("evaluation sheet", "Nodes"), view.nodes))
    for n, (names, rows) in enumerate(sheets):
        sheet = book.active if n == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = " ".join(names)
        sheet.append([" ".join(header) for header, _ in XLSX_COLUMNS])
        for row in rows:
            values = [getattr(row, name) for _, name in XLSX_COLUMNS]
            if rows is view.nodes and row.reported_by is None:
                values[-1] = " ".join(cpair("evaluation node", "This node"))
            sheet.append(values)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
