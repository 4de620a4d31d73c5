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

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

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


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a walk of 100,000 things allocates millions of small tuples (none in
    a cycle), and the collections they trigger would scan them all again and again (a quarter of the time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_CLASS_URNS = ("urn:epc:class:", "urn:epc:idpat:")


def is_class(code: str) -> bool:
    """Whether a canonical code names a class or lot (quantities) rather than one instance."""
    if code.startswith("https://id.gs1.org/01/"):
        return "/21/" not in code
    return code.startswith(_CLASS_URNS)


@dataclass
class Links:
    """The links fetched so far, indexed by thing. A thing's transformations (in the walk's direction) and
    containers are fetched once per walk, when it is first reached; its contents only if it is reached with
    ``down`` (a case reached from one of its items does not need its other items)."""

    direction: Direction
    #: The transformations of each thing as (time, [the things on the other end]): a lot made into 100,000
    #: items in one event is one entry, as the level gives it. ``outputs`` by input; ``inputs`` by output (read
    #: by back walks only: forward walks read only the outputs).
    outputs: dict[str, list[tuple[float, list[str]]]] = field(default_factory=lambda: defaultdict(list))
    inputs: dict[str, list[tuple[float, list[str]]]] = field(default_factory=lambda: defaultdict(list))
    as_child: dict[str, list[tuple[str, str, float]]] = field(default_factory=lambda: defaultdict(list))
    as_parent: dict[str, list[tuple[str, str | None, float]]] = field(default_factory=lambda: defaultdict(list))
    emptied: dict[str, set[float]] = field(default_factory=lambda: defaultdict(set))
    fetched: set[str] = field(default_factory=set)
    fetched_down: set[str] = field(default_factory=set)
    queries: int = 0
    #: Whether each level also reads the parties holding its things (recall impact), into ``held``.
    with_holdings: bool = False
    held: dict[str, list[tuple[float, str]]] = field(default_factory=lambda: defaultdict(list))
    #: Whether ``ingest`` settles the memberships of things packed once into a parent never emptied a group at a
    #: time (their links then not in ``as_child``); without, every link takes the general path.
    settle: bool = True
    #: ``memberships`` of the things asked for so far, and of those ``ingest`` settled in bulk.
    known_memberships: dict[str, list[tuple[str, float, float]]] = field(default_factory=dict)
    #: (membership, children) of the groups ingested: children packed once into a parent never emptied, sharing
    #: that one membership list; ``advanced`` of them were expanded already.
    groups: list[tuple[list[tuple[str, float, float]], list[str]]] = field(default_factory=list)
    advanced: int = 0

    def fetch(self, session: Session, things: list[str], down: list[str]) -> None:
        rows = repository.links_from(session, self.direction, things, down, holdings=self.with_holdings)
        self.ingest(things, down, rows)

    def ingest(self, things: list[str], down: list[str], rows: Iterable[Sequence[Any]]) -> None:
        """Index the (part, src, ts, [dst, …]) rows of one level read for ``things`` (and the contents of
        ``down``)."""
        self.queries += 1
        self.fetched.update(things)
        self.fetched_down.update(down)
        outputs, inputs, as_parent, emptied = self.outputs, self.inputs, self.as_parent, self.emptied
        both_ends = self.direction == "back"  # forward walks read only outputs (``inputs`` serves the back walk)
        packed: list[tuple[str, float, list[str]]] = []
        unpacked: list[tuple[str, float, list[str]]] = []
        for part, src, t, dsts in rows:
            if part == 0:
                outputs[src].append((t, dsts))
                if both_ends:
                    for dst in dsts:
                        inputs[dst].append((t, [src]))
            elif part == 3:
                packed.append((src, t, dsts))
            elif part == 4:
                unpacked.append((src, t, dsts))
            elif part == 5:
                emptied[src].add(t)
            elif part == 6:
                self.held[src].extend([(t, party) for party in dsts])
            else:
                kind = "pack" if part == 1 else "unpack"
                as_parent[src].extend([(kind, dst, t) for dst in dsts])
                if None in dsts:
                    emptied[src].add(t)
        self._index_containers(packed, unpacked)

    def _index_containers(
        self, packed: list[tuple[str, float, list[str]]], unpacked: list[tuple[str, float, list[str]]]
    ) -> None:
        """Index the container links of a level's things (each thing's come all in the level it is read in,
        with the "emptied" unpacks of those containers). The common case is settled here once per group, without
        indexing its links one by one: a thing packed once into a parent never emptied is in it from then on."""
        as_child, emptied = self.as_child, self.emptied
        several: set[str] = set()  # children with more than one container link: their memberships computed
        if self.settle:
            count = sum(len(dsts) for _, _, dsts in packed) + sum(len(dsts) for _, _, dsts in unpacked)
            if len(set().union(*(d for _, _, d in packed), *(d for _, _, d in unpacked))) < count:
                seen: set[str] = set()
                for _, _, dsts in packed + unpacked:
                    several.update(c for c in dsts if c in seen)
                    seen.update(dsts)
        for parent, t, dsts in unpacked:
            link = ("unpack", parent, t)
            for child in dsts:
                as_child.setdefault(child, []).append(link)
        known = self.known_memberships
        for parent, t, dsts in packed:
            link = ("pack", parent, t)  # one tuple shared by the children
            if not self.settle or parent in emptied:  # every child's memberships computed from its links
                for child in dsts:
                    as_child.setdefault(child, []).append(link)
                continue
            settled = dsts if not several or several.isdisjoint(dsts) else [c for c in dsts if c not in several]
            for child in several.intersection(dsts) if len(settled) < len(dsts) else ():
                as_child.setdefault(child, []).append(link)
            if settled:
                shared = [(parent, t, POS)]
                known.update(dict.fromkeys(settled, shared))
                self.groups.append((shared, settled))

    def memberships(self, child: str) -> list[tuple[str, float, float]]:
        """(parent, from, to) for each time ``child`` was inside a parent (final once ``child`` is fetched)."""
        found = self.known_memberships.get(child)
        if found is None:
            found = self.known_memberships[child] = self._compute_memberships(child)
        return found

    def _compute_memberships(self, child: str) -> list[tuple[str, float, float]]:
        links = self.as_child.get(child)
        if not links:
            return []
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


class _Walker:
    """One walk in progress: the reach so far and the frontier of things to expand next."""

    def __init__(self, start: str, direction: Direction, *, holdings: bool = False) -> None:
        self.start, self.forward = start, direction == "forward"
        self.reach = {start: Reach(NEG, POS, True, True)}
        self.links = Links(direction, with_holdings=holdings)
        self.frontier: dict[str, None] = {start: None}
        self.depth = 0

    def level(self) -> tuple[list[str], list[str]] | None:
        """(things, containers followed down) the frontier still needs links of; None when it needs none.
        Sorted: probed in key order, neighbouring index pages are read together (a third faster)."""
        reach, fetched, fetched_down = self.reach, self.links.fetched, self.links.fetched_down
        frontier = self.frontier
        # read before (their reach grew since); from the smaller side: a lot's 100,000 items are all new
        stale = (
            {t for t in fetched if t in frontier} if len(fetched) < len(frontier) else fetched.intersection(frontier)
        )
        need = sorted([t for t in self.frontier if t not in stale] if stale else self.frontier)  # runs: fast
        down = [t for t in need if reach[t].down]
        again = [t for t in stale - fetched_down if reach[t].down]  # read before, not their contents
        if again:
            down = sorted(down + again)
        return (need, down) if need or down else None

    def advance(self) -> None:
        """Expand the frontier (its links fetched) into the next one: ``_expand`` of each thing, with two fast
        paths for a lot's 100,000 items (no transformation, no contents, one container): a group of children
        of one parent reached alike merges into the parent once; other such things inline."""
        grown: dict[str, None] = {}  # ordered: things reached in the order read, mostly key order already
        links, reach, forward = self.links, self.reach, self.forward
        transformed, as_parent = (links.outputs if forward else links.inputs), links.as_parent
        frontier = self.frontier
        # the few things with transformations or contents, found from the smaller side (not a set of the frontier)
        special = {t for t in transformed if t in frontier} | {t for t in as_parent if t in frontier}
        done: list[list[str]] = []
        fresh, links.advanced = links.groups[links.advanced :], len(links.groups)
        for shared, children in fresh:
            # the children are this level's things (ingest grouped them from its rows): all in the frontier
            if not children or (special and not special.isdisjoint(children)):
                continue
            first = reach[children[0]]  # reached alike: mostly one shared Reach (a transformation's outputs)
            if not all(map(first.__eq__, map(reach.__getitem__, children))):
                continue
            lo, hi, _, up = first
            if up:
                _up_steps(reach, shared, lo, hi, grown)
            done.append(children)
        if sum(map(len, done)) + len(special) < len(frontier):  # things left to expand one by one
            skip = special.union(*done)
            known, memberships = links.known_memberships, links.memberships
            for thing in frontier:
                if thing in skip:
                    continue
                lo, hi, _, up = reach[thing]
                if up:
                    found = known.get(thing)
                    _up_steps(reach, memberships(thing) if found is None else found, lo, hi, grown)
        for thing in special:
            _expand(links, reach, thing, forward, grown)
        self.frontier = grown

    def result(self) -> Walk:
        return Walk(self.start, self.reach, self.links, self.depth)


def walk(session: Session, start: str, direction: Direction, *, holdings: bool = False) -> Walk:
    """The least fixpoint of the steps from ``start``: a thing whose reach grows is expanded again; the order
    things are expanded in does not change the result (merging reaches and every step are monotone). With
    ``holdings``, every level also reads the parties holding its things (``Links.held``: recall impact)."""
    walker = _Walker(start, direction, holdings=holdings)
    while walker.frontier:
        level = walker.level()
        if level:
            walker.links.fetch(session, *level)
            walker.depth += 1
        walker.advance()
    return walker.result()


def walk_both(session: Session, start: str) -> tuple[Walk, Walk]:
    """The back and the forward walks from ``start`` (each exactly as ``walk`` finds it), in step: on PostgreSQL
    a level of both is ONE statement (``repository.links_both``), so a trace both ways costs as many round trips
    as its deeper side, not the sum of both depths."""
    walkers = (_Walker(start, "back"), _Walker(start, "forward"))
    together = session.get_bind().dialect.name == "postgresql"
    while walkers[0].frontier or walkers[1].frontier:
        moving = [w for w in walkers if w.frontier]
        fetching = [(w, level) for w in moving if (level := w.level())]
        if together and len(fetching) == 2:
            (back, back_level), (forward, forward_level) = fetching
            rows = repository.links_both(session, back_level, forward_level)
            back.links.ingest(*back_level, (r[1:] for r in rows if r[0] == 0))
            forward.links.ingest(*forward_level, (r[1:] for r in rows if r[0] == 1))
        else:
            for w, needed in fetching:
                w.links.fetch(session, *needed)
        for w, _ in fetching:
            w.depth += 1
        for w in moving:
            w.advance()
    return walkers[0].result(), walkers[1].result()


def _merge(
    reach: dict[str, Reach], other: str, lo: float, hi: float, down: bool, up: bool, grown: dict[str, None]
) -> None:
    """Merge the reach (lo, hi, down, up) into ``other``'s, noting it in ``grown`` when it changes."""
    old = reach.get(other)
    if old is None:
        reach[other] = Reach(lo, hi, down, up)
    elif old.lo <= lo and old.hi >= hi and (old.down or not down) and (old.up or not up):
        return
    else:
        reach[other] = Reach(min(old.lo, lo), max(old.hi, hi), old.down or down, old.up or up)
    grown[other] = None


def _expand(links: Links, reach: dict[str, Reach], thing: str, forward: bool, grown: dict[str, None]) -> None:
    """Merge every step from ``thing`` (with its current reach) into the reach of the things it leads to."""
    lo, hi, down, up = reach[thing]
    transformed = (links.outputs if forward else links.inputs).get(thing)
    if transformed:
        _transform_steps(reach, transformed, lo, hi, forward, grown)
    if up:
        _up_steps(reach, links.memberships(thing), lo, hi, grown)
    if down and thing in links.as_parent:
        for child, a, d in links.contents(thing):
            if a <= hi and d >= lo:
                if forward:
                    _merge(reach, child, max(a, lo), POS, True, not is_class(child), grown)
                else:
                    _merge(reach, child, NEG, min(d, hi), True, not is_class(child), grown)


def _up_steps(
    reach: dict[str, Reach], memberships: list[tuple[str, float, float]], lo: float, hi: float, grown: dict[str, None]
) -> None:
    """Container steps: each container the thing was in during its window, for the overlap, followed up."""
    for parent, a, d in memberships:
        if a <= hi and d >= lo:
            a, d = max(a, lo), min(d, hi)
            old = reach.get(parent)  # 100,000 items in a few cases: mostly already covered, no call
            if old is None or not (old.lo <= a and old.hi >= d and old.up):
                _merge(reach, parent, a, d, False, True, grown)


def _transform_steps(
    reach: dict[str, Reach],
    links: list[tuple[float, list[str]]],
    lo: float,
    hi: float,
    forward: bool,
    grown: dict[str, None],
) -> None:
    """Transformation steps: the other end from ``t`` on (forward) or up to ``t`` (back). A Reach is built once
    per time, not per thing; the things of a group none of which was reached before (a lot made into 100,000
    items) are reached all at once."""
    made: dict[float, Reach] = {}
    for t, others in links:
        if not lo <= t <= hi:
            continue
        new = made.get(t)
        if new is None:
            new = made[t] = Reach(t, POS, True, True) if forward else Reach(NEG, t, True, True)
        if len(others) > 1 and reach.keys().isdisjoint(others):
            reach.update(dict.fromkeys(others, new))
            grown.update(dict.fromkeys(others))
            continue
        for other in others:
            old = reach.get(other)
            if old is None:
                reach[other] = new
                grown[other] = None
            elif old is not new and not old.contains(new):
                reach[other] = old.merged(new)
                grown[other] = None
