"""What every risk rule shares: the rule's description, the scope it runs over, what it finds (``Hit``), and the
per-class thresholds (``RiskConfig``, from the ``risk_*`` settings).

A rule is a function of a session and a ``Scope``. Over the whole store (``Scope.everything``: the full scan) it
finds every anomaly; over a capture's events (``Scope.of_events``: the pk range of the batch) it looks only at the
codes and parties those events name, by index probes, so it can run in the capture transaction. A hit names its
evidence events by pk and gives ``key``: what makes this anomaly this one (a code and a decisive event, a
transformation, a party and a class), so finding it again adds to the same alert.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlalchemy.orm import Session

from zhuisu.config import Settings
from zhuisu.epcis.identifiers import cbv_short, named_codes
from zhuisu.models import Event, EventEpc, Party, Product

T = TypeVar("T")
Severity = Literal["high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low")
GTIN_PREFIX = "https://id.gs1.org/01/"
#: Values per ``IN (…)`` list.
CHUNK = 500


@dataclass(frozen=True)
class RiskConfig:
    """The thresholds the rules read, per catalog class (the longest class prefix wins, ``*`` the rest)."""

    receipt_window_hours: Mapping[str, float]
    mass_balance_tolerance: Mapping[str, float]
    temperature_ranges: Mapping[str, tuple[float, float]]
    licence_rules: Mapping[str, list[str]]
    gap_days: int
    gap_daily_days: int

    @classmethod
    def of(cls, settings: Settings | None) -> "RiskConfig":
        """From the node's settings; None: the documented defaults (the settings' own)."""
        s = settings if settings is not None else Settings.model_construct()
        return cls(
            receipt_window_hours=dict(s.risk_receipt_window_hours),
            mass_balance_tolerance=dict(s.risk_mass_balance_tolerance),
            temperature_ranges={k: (float(v[0]), float(v[1])) for k, v in s.risk_temperature_ranges.items()},
            licence_rules={k: list(v) for k, v in s.risk_licence_rules.items()},
            gap_days=s.risk_gap_days,
            gap_daily_days=s.risk_gap_daily_days,
        )


@dataclass(frozen=True)
class NewEvent:
    """An event a capture just stored, as the incremental rules see it (no query needed to read it)."""

    pk: int
    recorder_id: str
    body: dict[str, Any]

    @cached_property
    def codes(self) -> list[str]:
        """The canonical codes it names."""
        return named_codes(self.body)

    @property
    def step(self) -> str | None:
        return cbv_short(self.body.get("bizStep"))

    @property
    def disposition(self) -> str | None:
        return cbv_short(self.body.get("disposition"))


@dataclass(frozen=True)
class Scope:
    """What a rule looks at: every event (``first_pk`` None), or the events with pk in [first_pk, last_pk] (``new``:
    the events themselves) and the codes they name; ``now`` is the clock of the time-based rules. A rule may decide
    from ``new`` alone that the batch cannot concern it (no sale, no transformation, no sensor report)."""

    now: datetime
    config: RiskConfig
    first_pk: int | None = None
    last_pk: int | None = None
    new: tuple[NewEvent, ...] = ()

    @classmethod
    def everything(cls, now: datetime, config: RiskConfig) -> "Scope":
        return cls(now, config)

    @classmethod
    def of_events(cls, events: Iterable[NewEvent], now: datetime, config: RiskConfig) -> "Scope":
        found = tuple(events)
        return cls(now, config, min(e.pk for e in found), max(e.pk for e in found), found)

    def new_codes(self, where: Callable[[NewEvent], bool] = lambda _: True) -> list[str]:
        """The codes the new events that meet ``where`` name, sorted."""
        return sorted({code for event in self.new if where(event) for code in event.codes})

    @property
    def full(self) -> bool:
        return self.first_pk is None

    def new_events(self, column: Any = Event.id) -> ColumnElement[bool]:
        """``column`` (an event pk) is one of the scope's events (always true for a full scan)."""
        if self.first_pk is None:
            return true()
        return and_(column >= self.first_pk, column <= self.last_pk)

    def named_codes(self) -> Select[Any]:
        """The codes the scope's events name (a subquery, for ``value IN``)."""
        return select(EventEpc.value).where(self.new_events(EventEpc.event_pk))

    def codes(self, column: Any) -> ColumnElement[bool]:
        """``column`` (a code) is named by one of the scope's events (always true for a full scan)."""
        if self.first_pk is None:
            return true()
        return column.in_(self.named_codes())


@dataclass(frozen=True)
class Hit:
    """One anomaly: its identity within the rule, the evidence events (pks), the codes, what it says and measured.
    ``party_id`` is the answerable party (default: the recorder of the last evidence event); ``class_id`` its class
    (default: the class of a product its codes name, else the party's); ``region`` where it is (default: the
    party's region); ``addressed`` who else reads it."""

    key: str
    events: tuple[int, ...]
    codes: tuple[str, ...]
    detail_zh: str
    detail_en: str
    party_id: str | None = None
    class_id: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    #: Where the anomaly is (a GB/T 2260 code), when not the answerable party's region (a piece of equipment's).
    region: str | None = None
    #: Parties the alert is addressed to besides the answerable one (they read it as it does).
    addressed: tuple[str, ...] = ()


@dataclass(frozen=True)
class RiskRule:
    """A risk rule: its id, severity, what it means (zh-CN and English), whether it needs the clock (then only the
    scans run it), and the function that finds its hits."""

    id: str
    severity: Severity
    name_zh: str
    name_en: str
    explanation_zh: str
    explanation_en: str
    timed: bool
    find: Callable[[Session, Scope], list[Hit]]


def gtin_of(code: str) -> str | None:
    """The GTIN-14 of a canonical Digital Link code.

    >>> gtin_of("https://id.gs1.org/01/06901234123456/21/1"), gtin_of("https://id.gs1.org/00/069012340000000017")
    ('06901234123456', None)
    """
    if code.startswith(GTIN_PREFIX):
        return code[len(GTIN_PREFIX) : len(GTIN_PREFIX) + 14]
    return None


def classes_of_codes(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """Code → catalog class of the registered product it names (codes of no registered GTIN are left out)."""
    by_gtin: dict[str, list[str]] = {}
    for code in codes:
        gtin = gtin_of(code)
        if gtin:
            by_gtin.setdefault(gtin, []).append(code)
    found: dict[str, str] = {}
    wanted = sorted(by_gtin)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for gtin, class_id in session.execute(select(Product.gtin, Product.class_id).where(Product.gtin.in_(chunk))):
            for code in by_gtin[str(gtin)]:
                found[code] = class_id
    return found


def party_classes(session: Session, party_ids: Iterable[str]) -> dict[str, str | None]:
    """Party id → the class it is registered under."""
    wanted = sorted(set(party_ids))
    found: dict[str, str | None] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            (pid, cls) for pid, cls in session.execute(select(Party.id, Party.product_class).where(Party.id.in_(chunk)))
        )
    return found


def day_count(session: Session, column: Any) -> Any:
    """The calendar day (UTC) of a datetime column, as text on both databases."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM-DD")
    return func.substr(column, 1, 10)
