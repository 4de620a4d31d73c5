"""Check the trace graph against the verified events it is derived from (a receiver of the ledger's replay).

``zhuisu ledger verify`` and the background verifier hand over each batch of events whose rows match their leaves
(``ledger.signals.events_verified``); the graph's rows of those events — links, transformation members, custody and
holdings — are derived again from the bodies exactly as capture derives them (``graph``) and compared as multisets.
Links of a transformation shared by several events (one ``transformationID``) are attributed to whichever event
arrived later, so they are compared for the whole transformation at once: every input of each member event to
every output of each, dated by the later of the two. Holding rows have no index by event (capture does not keep one
nothing else reads), so they are read by the things the batch names, and a forged holding row of an event that does
not name its thing is found by the count at the end of the replay (``finish``).
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhuisu.kit.time import parse_iso
from zhuisu.ledger.signals import DerivedCheck, VerifiedEvent
from zhuisu.models import Event, TraceCustody, TraceHolding, TraceLink, TraceTransformMember
from zhuisu.trace.graph import member_rows, members, plain_rows

_IN_CHUNK = 500
_HOLDINGS = "trace.holdings"
_GROUPS = "trace.transformations"

Rows = Counter[tuple[Any, ...]]


def check_events(session: Session, check: DerivedCheck) -> None:
    """Receiver of ``events_verified``: report each event whose graph rows are not what its body gives."""
    events = list(check.events)
    pks = [e.pk for e in events]
    links = _links(session, pks)
    members = _by_event(
        session,
        pks,
        TraceTransformMember.event_pk,
        TraceTransformMember.transformation_id,
        TraceTransformMember.role,
        TraceTransformMember.thing,
        TraceTransformMember.quantity,
        TraceTransformMember.uom,
    )
    custody = _by_event(
        session,
        pks,
        TraceCustody.event_pk,
        TraceCustody.event_time,
        TraceCustody.source,
        TraceCustody.destination,
        TraceCustody.source_location,
        TraceCustody.destination_location,
    )
    expected = {e.pk: _derive(e) for e in events}
    holdings = _holdings(session, {row[1] for rows in expected.values() for row in rows["trace_holdings"]})
    seen = check.memo.setdefault(_HOLDINGS, [0])
    for event in events:
        want = expected[event.pk]
        seen[0] += sum(want["trace_holdings"].values())
        stored = {
            "trace_links": links.get(event.pk, Counter()),
            "trace_transform_members": members.get(event.pk, Counter()),
            "trace_custody": custody.get(event.pk, Counter()),
            "trace_holdings": holdings.get(event.pk, Counter()),
        }
        if _transformation_id(event.body) is not None:  # compared for the whole transformation below
            stored["trace_links"] = Counter({k: n for k, n in stored["trace_links"].items() if k[0] != "transform"})
        for table, rows in want.items():
            if stored[table] != rows:
                check.mismatch(event.event_id, table)
    _check_transformations(session, check, [e for e in events if _transformation_id(e.body) is not None])


def finish(session: Session, check: DerivedCheck) -> None:
    """Receiver of ``replay_finished``: after a full replay, the holding rows (but those of the events that did not
    verify) are exactly those the verified events give."""
    seen = check.memo.get(_HOLDINGS)
    if seen is None or check.sample_rate is not None:  # a sample gives no total to compare with
        return
    stored = session.scalar(select(func.count()).select_from(TraceHolding)) or 0
    failed = sorted(set(check.failed))
    for start in range(0, len(failed), _IN_CHUNK):
        chunk = failed[start : start + _IN_CHUNK]
        stored -= session.scalar(select(func.count()).where(TraceHolding.event_pk.in_(chunk))) or 0
    if stored != seen[0]:
        check.mismatch(None, f"trace_holdings holds {stored} rows, the verified events give {seen[0]}")


def _derive(event: VerifiedEvent) -> dict[str, Rows]:
    links, custody, holdings = plain_rows(event.pk, event.body)
    if _transformation_id(event.body) is not None:
        links = [row for row in links if row["kind"] != "transform"]
    return {
        "trace_links": Counter(_link(r) for r in links),
        "trace_transform_members": Counter(
            (r["transformation_id"], r["role"], r["thing"], _number(r["quantity"]), r["uom"])
            for r in member_rows(event.pk, event.body)
        ),
        "trace_custody": Counter(
            (_utc(r["event_time"]), r["source"], r["destination"], r["source_location"], r["destination_location"])
            for r in custody
        ),
        "trace_holdings": Counter((_utc(r["event_time"]), r["thing"], r["party"]) for r in holdings),
    }


def _check_transformations(session: Session, check: DerivedCheck, events: Sequence[VerifiedEvent]) -> None:
    """The transform links of each transformation (events sharing a transformationID) as one multiset."""
    done: set[str] = check.memo.setdefault(_GROUPS, set())
    for tid in sorted({tid for e in events if (tid := _transformation_id(e.body)) is not None} - done):
        done.add(tid)
        pks = set(
            session.scalars(select(TraceTransformMember.event_pk).where(TraceTransformMember.transformation_id == tid))
        ) | {e.pk for e in events if _transformation_id(e.body) == tid}
        bodies = {
            pk: (event_id, body)
            for pk, event_id, body in session.execute(
                select(Event.id, Event.event_id, Event.body).where(Event.id.in_(sorted(pks)))
            )
        }
        sides = []
        for event_id, body in bodies.values():
            if body.get("type") != "TransformationEvent" or _transformation_id(body) != tid:
                check.mismatch(event_id, "trace_transform_members")  # a member row naming another event
                continue
            sides.append((_utc(parse_iso(body["eventTime"])), _side(body, "input"), _side(body, "output")))
        want: Rows = Counter(
            ("transform", i, o, max(t_in, t_out), q, u)
            for t_in, inputs, _ in sides
            for t_out, _, outputs in sides
            for i, _, _ in inputs
            for o, q, u in outputs
        )
        stored: Rows = Counter()
        for rows in _links(session, sorted(bodies)).values():
            stored.update({k: n for k, n in rows.items() if k[0] == "transform"})
        if stored != want:
            for event_id, _ in (bodies[pk] for pk in sorted(bodies)):
                check.mismatch(event_id, f"trace_links (transformation {tid})")


def _side(body: dict[str, Any], side: str) -> list[tuple[str, float | None, str | None]]:
    return [(thing, _number(quantity), uom) for thing, quantity, uom in members(body, side)]


def _transformation_id(body: dict[str, Any]) -> str | None:
    tid = body.get("transformationID")
    return tid if body.get("type") == "TransformationEvent" and isinstance(tid, str) else None


def _by_event(session: Session, pks: Sequence[int], key: Any, *columns: Any) -> dict[int, Rows]:
    found: dict[int, Rows] = {}
    for start in range(0, len(pks), _IN_CHUNK):
        statement = select(key, *columns).where(key.in_(pks[start : start + _IN_CHUNK]))
        for pk, *values in session.execute(statement):
            found.setdefault(pk, Counter())[_normal(values)] += 1
    return found


def _links(session: Session, pks: Sequence[int]) -> dict[int, Rows]:
    columns = (TraceLink.kind, TraceLink.src, TraceLink.dst, TraceLink.event_time, TraceLink.quantity, TraceLink.uom)
    return _by_event(session, pks, TraceLink.event_pk, *columns)


def _holdings(session: Session, things: Iterable[str]) -> dict[int, Rows]:
    wanted = sorted(things)
    found: dict[int, Rows] = {}
    columns = (TraceHolding.event_pk, TraceHolding.event_time, TraceHolding.thing, TraceHolding.party)
    for start in range(0, len(wanted), _IN_CHUNK):
        for pk, *values in session.execute(
            select(*columns).where(TraceHolding.thing.in_(wanted[start : start + _IN_CHUNK]))
        ):
            found.setdefault(pk, Counter())[_normal(values)] += 1
    return found


def _link(row: dict[str, Any]) -> tuple[Any, ...]:
    return _normal([row["kind"], row["src"], row["dst"], row["event_time"], row["quantity"], row["uom"]])


def _normal(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(
        _utc(v) if isinstance(v, datetime) else _number(v) if isinstance(v, int | float) else v for v in values
    )


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)
