"""Walk the trace graph from one code, level by level, with time windows (frontier expansion).

Each level is one SQL statement (``repository.links_from``) for the codes first seen at that level (and the
contents of those first reached with ``down``), so a trace costs as many queries as the graph is deep; each link
is read once per walk, from the end the walk comes from. A thing is reached with a window ``[lo, hi]`` (POSIX seconds)
of the time it matters to the trace, and two flags: whether its contents (``down``) and its containers (``up``)
are followed. The rules, forward (backward mirrors them):

- transformation input → output at ``t`` within the window: the output, from ``t`` on, with contents and
  containers;
- a container the thing was in during ``[a, d]`` (pack … unpack, emptied, or the item packed elsewhere): the
  container during the overlap, its containers but not its other contents;
- when ``down``: each child in the thing during ``[a, d]``: the child from ``a`` on. A class-level lot reached
  this way does not go up to the other cases holding other parts of the same lot.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from sqlalchemy.orm import Session

from zhuisu.trace import repository

Direction = Literal["back", "forward"]
NEG, POS = float("-inf"), float("inf")


class Reach(NamedTuple):
    """How a thing is reached: its time window and which of its aggregation links are followed."""

    lo: float
    hi: float
    down: bool
    up: bool

    def merged(self, other: "Reach") -> "Reach":
        return Reach(min(self.lo, other.lo), max(self.hi, other.hi), self.down or other.down, self.up or other.up)

    def contains(self, other: "Reach") -> bool:
        """Whether merging ``other`` would change nothing."""
        return (
            self.lo <= other.lo and self.hi >= other.hi and (self.down or not other.down) and (self.up or not other.up)
        )

    def covers(self, t: float) -> bool:
        return self.lo <= t <= self.hi


def is_class(code: str) -> bool:
    """Whether a canonical code names a class or lot (quantities) rather than one instance."""
    if code.startswith("urn:epc:class:") or code.startswith("urn:epc:idpat:"):
        return True
    return code.startswith("https://id.gs1.org/01/") and "/21/" not in code


@dataclass
class Links:
    """The links fetched so far, indexed by thing. A thing's transformations (in the walk's direction) and
    containers are fetched once per walk, when it is first reached; its contents only if it is reached with
    ``down`` (a case reached from one of its items does not need its other items)."""

    direction: Direction
    outputs: dict[str, list[tuple[str, float]]] = field(default_factory=lambda: defaultdict(list))
    inputs: dict[str, list[tuple[str, float]]] = field(default_factory=lambda: defaultdict(list))
    as_child: dict[str, list[tuple[str, str, float]]] = field(default_factory=lambda: defaultdict(list))
    as_parent: dict[str, list[tuple[str, str | None, float]]] = field(default_factory=lambda: defaultdict(list))
    emptied: dict[str, set[float]] = field(default_factory=lambda: defaultdict(set))
    fetched: set[str] = field(default_factory=set)
    fetched_down: set[str] = field(default_factory=set)
    queries: int = 0
    _memberships: dict[str, list[tuple[str, float, float]]] = field(default_factory=dict)

    def fetch(self, session: Session, things: list[str], down: list[str]) -> None:
        self.queries += 1
        self.fetched.update(things)
        self.fetched_down.update(down)
        outputs, inputs, as_child, as_parent, emptied = (
            self.outputs,
            self.inputs,
            self.as_child,
            self.as_parent,
            self.emptied,
        )
        for kind, src, dst, t, part in repository.links_from(session, self.direction, things, down):
            if part == 0:
                outputs[src].append((dst, t))
                inputs[dst].append((src, t))
            elif part == 1:
                as_parent[src].append((kind, dst, t))
                if dst is None:
                    emptied[src].add(t)
            elif part == 2:
                as_child[dst].append((kind, src, t))
            else:
                emptied[src].add(t)

    def memberships(self, child: str) -> list[tuple[str, float, float]]:
        """(parent, from, to) for each time ``child`` was inside a parent (final once ``child`` is fetched)."""
        found = self._memberships.get(child)
        if found is None:
            found = self._memberships[child] = self._compute_memberships(child)
        return found

    def _compute_memberships(self, child: str) -> list[tuple[str, float, float]]:
        links = self.as_child.get(child)
        if not links:
            return []
        if len(links) == 1 and links[0][0] == "pack" and not self.emptied.get(links[0][1]):
            return [(links[0][1], links[0][2], POS)]  # the common case: packed once, still there
        rows = [(t, 1 if kind == "pack" else 0, kind, parent) for kind, parent, t in self.as_child.get(child, ())]
        for parent in {p for _, p, _ in self.as_child.get(child, ())}:
            rows += [(t, 0, "unpack", parent) for t in self.emptied.get(parent, ())]
        opened: dict[str, float] = {}
        found: list[tuple[str, float, float]] = []
        for t, _, kind, parent in sorted(rows):
            if kind == "pack":
                if not is_class(child):  # an instance is in one place at a time: packing elsewhere moves it
                    for other in [p for p in opened if p != parent]:
                        found.append((other, opened.pop(other), t))
                opened.setdefault(parent, t)
            elif parent in opened:
                found.append((parent, opened.pop(parent), t))
        return found + [(p, a, POS) for p, a in opened.items()]

    def contents(self, parent: str) -> list[tuple[str, float, float]]:
        """(child, from, to) for each time something was inside ``parent``."""
        links = self.as_parent.get(parent)
        if not links:
            return []
        opened: dict[str, float] = {}
        found: list[tuple[str, float, float]] = []
        rows = [(t, 1 if kind == "pack" else 0, kind, child or "") for kind, child, t in links]
        for t, _, kind, child in sorted(rows):
            if kind == "pack":
                opened.setdefault(child, t)
            elif child == "":
                found += [(c, a, t) for c, a in opened.items()]
                opened.clear()
            elif child in opened:
                found.append((child, opened.pop(child), t))
        return found + [(c, a, POS) for c, a in opened.items()]


@dataclass
class Walk:
    """The things a walk reached, with their windows, and the links it read."""

    start: str
    reach: dict[str, Reach]
    links: Links
    depth: int


def walk(session: Session, start: str, direction: Direction) -> Walk:
    reach = {start: Reach(NEG, POS, True, True)}
    links = Links(direction)
    frontier = [start]
    depth = 0
    while frontier:
        need = [t for t in frontier if t not in links.fetched]
        down = [t for t in frontier if reach[t].down and t not in links.fetched_down]
        if need or down:
            links.fetch(session, need, down)
            depth += 1
        grown: set[str] = set()
        for thing in frontier:
            for other, new in _steps(links, thing, reach[thing], direction):
                old = reach.get(other)
                if old is None:
                    reach[other] = new
                    grown.add(other)
                elif not old.contains(new):
                    reach[other] = old.merged(new)
                    grown.add(other)
        frontier = sorted(grown)
    return Walk(start, reach, links, depth)


def _steps(links: Links, thing: str, r: Reach, direction: Direction) -> Iterator[tuple[str, Reach]]:
    forward = direction == "forward"
    for other, t in (links.outputs if forward else links.inputs).get(thing, ()):
        if r.covers(t):
            yield other, (Reach(t, POS, True, True) if forward else Reach(NEG, t, True, True))
    if r.up:
        for parent, a, d in links.memberships(thing):
            if a <= r.hi and d >= r.lo:
                yield parent, Reach(max(a, r.lo), min(d, r.hi), False, True)
    if r.down:
        for child, a, d in links.contents(thing):
            if a <= r.hi and d >= r.lo:
                window = (max(a, r.lo), POS) if forward else (NEG, min(d, r.hi))
                yield child, Reach(*window, True, not is_class(child))
