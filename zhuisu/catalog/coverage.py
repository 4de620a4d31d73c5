"""Coverage (覆盖率): per top-level catalog class and region, the share of registered enterprises actively tracing.

An enterprise is *registered* under the class it is registered (备案) with (``Party.product_class``, counted
under its top-level class) in the region of its seat (``Party.region``); it is *active* when it recorded at least
one event whose record time falls within the window (``coverage_window_days``, 30 by default) ending at ``at``.
The same is reported for products: registered products of the class (region of their producer) and those named
by a GS1 identifier in an event recorded within the window. The target is the class's ``coverage_target``. On a
node with child nodes (a province over its cities), each row names the child that reported its enterprises
(``reported_by``: they are known here by their mirrors) — a region's enterprises registered at different nodes make
a row each, so every figure is the figure of one node.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from zhuisu.catalog import repository
from zhuisu.catalog import service as catalog_service
from zhuisu.catalog.rules import TOP_CLASSES, Catalog
from zhuisu.catalog.rules import region_prefix as prefix_of
from zhuisu.kit.time import utc_now


@dataclass(frozen=True)
class CoverageRow:
    class_id: str
    class_name: str
    region: str
    registered: int
    active: int
    target: float
    products_registered: int
    products_active: int
    class_name_en: str = ""
    #: The child node that reported the row's enterprises here (federation: a province's rows are its cities');
    #: None: this node's own.
    reported_by: str | None = None

    @property
    def rate(self) -> float:
        return round(self.active / self.registered, 4) if self.registered else 0.0

    def to_json(self) -> dict[str, object]:
        out = asdict(self)
        class_id = out.pop("class_id")
        return {
            "class": class_id,
            "region": self.region,
            "registered": self.registered,
            "active": self.active,
            "rate": self.rate,
            "target": self.target,
            "met": self.rate >= self.target,
            **out,
        }


def coverage(
    session: Session, *, window_days: int, at: datetime | None = None, region_prefix: str = ""
) -> list[CoverageRow]:
    """Coverage rows, ordered by class (the national order) then region; a row per class and region that has
    registered enterprises or products."""
    until = at or utc_now()
    since = until - timedelta(days=window_days)
    catalog = catalog_service.catalog_on(session, until.date())
    active_parties = repository.recorders_since(session, since, until)
    counts: dict[tuple[str, str, str | None], list[int]] = {}
    reported = reporting_nodes(session)
    for party_id, class_id, region in repository.registered_parties(session, region_prefix=region_prefix):
        cell = _cell(counts, catalog, class_id, region, reported(party_id))
        if cell is not None:
            cell[0] += 1
            cell[1] += party_id in active_parties
    traced = repository.gtins_traced_since(session, since, until)
    for _, class_id, gtin, region, producer in repository.products_by_class(session):
        if region_prefix and not (region or "").startswith(region_prefix):
            continue
        cell = _cell(counts, catalog, class_id, region, reported(producer))
        if cell is not None:
            cell[2] += 1
            cell[3] += gtin is not None and gtin in traced
    order = {c: i for i, c in enumerate(TOP_CLASSES)}
    rows = [
        CoverageRow(
            top,
            catalog.classes[top].name,
            region,
            r,
            a,
            catalog.classes[top].coverage_target,
            pr,
            pa,
            class_name_en=catalog.classes[top].name_en,
            reported_by=node,
        )
        for (top, region, node), (r, a, pr, pa) in counts.items()
    ]
    return sorted(
        rows, key=lambda row: (order.get(row.class_id, len(order)), row.class_id, row.region, row.reported_by or "")
    )


def reporting_nodes(session: Session) -> Callable[[str | None], str | None]:
    """party id → the name of the child node that reported the party here (it is known here by its mirror,
    ``exchange.federation``), or None: registered at this node."""
    mirrors = repository.mirror_nodes(session)
    return lambda party_id: mirrors.get(party_id) if party_id else None


def region_nodes(session: Session) -> Callable[[str], str | None]:
    """region → the name of the child node whose region (the longest) holds it, if any."""
    children = [(prefix_of(region), name) for region, name in repository.child_node_regions(session)]

    def reporter(region: str) -> str | None:
        matching = [(len(prefix), name) for prefix, name in children if region.startswith(prefix)]
        return max(matching)[1] if matching else None

    return reporter


def _cell(
    counts: dict[tuple[str, str, str | None], list[int]],
    catalog: Catalog,
    class_id: str,
    region: str | None,
    node: str | None,
) -> list[int] | None:
    top = catalog.top(class_id)
    if top is None:
        return None
    return counts.setdefault((top, region or "", node), [0, 0, 0, 0])
