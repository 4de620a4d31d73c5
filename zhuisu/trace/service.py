"""Trace a code back (where it came from), forward (where it went) or both (the recall impact: ``zhuisu.recall``).

Reads only. The graph is walked level by level (``walk.py``, one query per level); then one query reads the
events naming the things reached, kept when they fall in each thing's time window; one more reads the
transformations' quantities for the mass-balance check. A code may be given as stored (canonical), as an EPC
URN, a GS1 Digital Link on any domain, or anything ``zhuisu.codes.recognize`` reads (GS1 element strings,
GTIN, SSCC, GLN are turned into their Digital Link).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.orm import Session

from zhuisu.codes.canonical import canonical_code
from zhuisu.events.stored import StoredEvent
from zhuisu.kit.time import format_iso
from zhuisu.models import Party
from zhuisu.trace import findings, graph, permissions, repository
from zhuisu.trace.findings import Occurrence
from zhuisu.trace.schemas import ResponsibilityRead, StepRead, TraceRead
from zhuisu.trace.walk import Reach, Walk, gc_paused, walk, walk_both

TraceDirection = Literal["back", "forward", "both"]


def record_events(session: Session, stored: Sequence[StoredEvent]) -> None:
    """Keep the trace graph in step with newly captured events (a step of capture's write path)."""
    graph.record_events(session, stored)


def trace(session: Session, code: str, *, direction: TraceDirection = "both", viewer: Party | None = None) -> TraceRead:
    """The things, events, parties, journey and findings of a trace of ``code``, as ``viewer`` may see them
    (``permissions``; None: the local operator, who sees everything)."""
    start = canonical_code(code)
    with gc_paused():
        walks = list(walk_both(session, start)) if direction == "both" else [walk(session, start, direction)]
    reach = walks[0].reach.copy()
    for other in walks[1:]:
        for thing, r in other.reach.items():
            reach[thing] = reach[thing].merged(r) if thing in reach else r
    occurrences = _occurrences(session, reach)
    lens = permissions.lens(
        session,
        viewer,
        (permissions.Named(o.pk, (o.source, o.destination, o.location, o.recorder_id)) for o in occurrences),
    )
    if lens.nothing:
        # as for a code nobody recorded: its existence is not told
        return TraceRead(
            code=start,
            direction=direction,
            things=[start],
            events=[],
            parties=[],
            findings=[],
            depth=len(walks),
            view="lane",
        )
    if not lens.everything:
        occurrences = [_through(lens, o) for o in occurrences]
    transforms = _transforms(session, walks, reach)
    transform_pks = sorted({o.pk for o in occurrences if o.type == "TransformationEvent"})
    balances = repository.transformation_balances(session, transform_pks) if transform_pks else []
    ordered = sorted({(o.t, o.event_id) for o in occurrences})
    parties = {p for o in occurrences for p in (o.source, o.destination) if p}
    return TraceRead(
        code=start,
        direction=direction,
        things=sorted(reach),
        events=[e for _, e in ordered],
        parties=sorted(parties),
        findings=findings.find(occurrences, transforms, balances),
        timeline=_timeline(occurrences),
        responsibility=_responsibility(occurrences),
        depth=sum(w.depth for w in walks),
        view="all" if lens.everything else "lane",
    )


def _through(lens: permissions.Lens, o: Occurrence) -> Occurrence:
    """``o`` with the parties and places the lens hides replaced by their regions."""
    recorder = lens.show(o.recorder_id)
    assert recorder is not None
    return replace(
        o,
        source=lens.show(o.source),
        destination=lens.show(o.destination),
        location=lens.show(o.location),
        recorder_id=recorder,
    )


def _occurrences(session: Session, reach: dict[str, Reach]) -> list[Occurrence]:
    found: list[Occurrence] = []
    for row in repository.events_of(session, sorted(reach)):
        t = float(row.ts)
        if not reach[row.value].covers(t):
            continue
        found.append(
            Occurrence(
                thing=row.value,
                role=row.role,
                quantity=row.quantity,
                uom=row.uom,
                pk=row.id,
                event_id=row.event_id,
                t=t,
                record_t=float(row.rts),
                type=row.type,
                action=row.action,
                biz_step=row.biz_step,
                disposition=row.disposition,
                location=row.biz_location or row.read_point,
                recorder_id=row.recorder_id,
                source=row.source,
                destination=row.destination,
            )
        )
    return found


def _transforms(session: Session, walks: list[Walk], reach: dict[str, Reach]) -> list[tuple[str, str, float]]:
    """(input, output, time) of every transformation link between things reached. Each walk read the links on
    its side; a link from a thing only the back walk reached to one only the forward walk reached is read here
    (one query, only for a trace both ways)."""
    found: set[tuple[str, str, float]] = set()
    for w in walks:
        for src, made in w.links.outputs.items():
            if src in reach:
                found.update((src, out, t) for t, outs in made for out in outs if out in reach)
    if len(walks) == 2:
        back, forward = walks[0].reach, walks[1].reach
        sources = sorted(t for t in back if t not in forward)
        outputs = sorted(t for t in forward if t not in back)
        if sources and outputs:
            found.update(
                (src, dst, float(ts)) for src, dst, ts in repository.transforms_into(session, outputs, sources)
            )
    return sorted(found)


def _timeline(occurrences: list[Occurrence]) -> list[StepRead]:
    by_event: dict[str, list[Occurrence]] = defaultdict(list)
    for o in occurrences:
        by_event[o.event_id].append(o)
    steps = []
    for event_id, rows in sorted(by_event.items(), key=lambda item: (item[1][0].t, item[0])):
        o = rows[0]
        steps.append(
            StepRead(
                time=format_iso(_utc(o.t)),
                event_id=event_id,
                type=o.type,
                biz_step=o.biz_step,
                disposition=o.disposition,
                location=o.location,
                things=sorted({r.thing for r in rows}),
                source=o.source,
                destination=o.destination,
                recorder=o.recorder_id,
            )
        )
    return steps


def _responsibility(occurrences: list[Occurrence]) -> list[ResponsibilityRead]:
    seen: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for o in occurrences:
        for role, party in (("source", o.source), ("destination", o.destination), ("recorder", o.recorder_id)):
            if party:
                seen[(party, role)].append((o.t, o.event_id))
    entries = []
    for (party, role), hits in seen.items():
        hits.sort()
        entries.append(
            ResponsibilityRead(
                party=party,
                role=role,
                first=format_iso(_utc(hits[0][0])),
                last=format_iso(_utc(hits[-1][0])),
                events=list(dict.fromkeys(e for _, e in hits)),
            )
        )
    return sorted(entries, key=lambda e: (e.first, e.party, e.role))


def _utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)
