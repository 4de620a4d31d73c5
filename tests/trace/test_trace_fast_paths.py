"""The walk's bulk paths give exactly what the general path gives, and the holdings capture keeps for impact.

A walk reads each level's links grouped (one row per parent and time), settles the memberships of things packed
once into a parent never emptied in bulk, and expands a group of children reached alike into their parent once.
Here random supply chains (packing, unpacking, emptying, repacking elsewhere, pallets, shipments, transformations
into new lots) are walked both ways from many codes and compared with a reference walk that takes every link one
by one through the general steps (``_expand`` of each thing, memberships computed from the links): the reach of
every thing (its window and flags) must be identical, and so must each impact's holders.
"""

import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from tests.trace import chains
from tests.trace.chains import CANTEEN, DC, HOSPITAL, MARKET, PLANT
from tests.trace.test_trace_service import capture, document
from zhuisu.capture import service as capture_service
from zhuisu.codes.canonical import canonical_id
from zhuisu.models import TraceHolding
from zhuisu.recall import impact
from zhuisu.recall import service as recall_service
from zhuisu.trace import repository
from zhuisu.trace.walk import NEG, POS, Direction, Links, Reach, _expand, walk

PARTIES = (PLANT, DC, MARKET, HOSPITAL, CANTEEN)


def random_chain(seed: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Events of a random chain, and the codes in it."""
    rng = random.Random(seed)
    item = f"07{seed:04d}"
    lot = chains.lot("055555", f"L{seed}")
    items = [chains.sgtin(item, n) for n in range(rng.randint(12, 30))]
    cases = [chains.sscc(seed * 100 + n) for n in range(5)]
    pallets = [chains.sscc(seed * 100 + 50 + n) for n in range(2)]
    events = [chains.transform("t", 1, PLANT, input_qty=[chains.kg(lot, 50)], outputs=items)]
    where: dict[str, str] = {}
    for thing in items:
        where[thing] = rng.choice(cases[:3])
    for c in cases[:3]:
        inside = [t for t in items if where[t] == c]
        if inside:
            events.append(chains.pack(f"p{c}", 2, PLANT, c, inside))
    hour = 3.0
    for step in range(rng.randint(3, 9)):
        hour += rng.choice((0.0, 0.5, 1.0))  # some events at the same time as the previous one
        name = f"s{step}"
        op = rng.choice(("unpack", "empty", "move", "pallet", "ship", "ship_item", "sell"))
        if op == "unpack":
            c = rng.choice(cases)
            inside = [t for t in items if where.get(t) == c][: rng.randint(1, 3)]
            if inside:
                events.append(chains.pack(name, hour, PLANT, c, inside, action="DELETE"))
                for t in inside:
                    where.pop(t)
        elif op == "empty":
            c = rng.choice(cases)
            events.append(chains.pack(name, hour, PLANT, c, action="DELETE"))
            for t in [t for t in items if where.get(t) == c]:
                where.pop(t)
        elif op == "move":  # packed elsewhere without an unpack: an instance is in one place at a time
            moved = rng.sample(items, rng.randint(1, 4))
            c = rng.choice(cases)
            events.append(chains.pack(name, hour, PLANT, c, moved))
            where.update(dict.fromkeys(moved, c))
        elif op == "pallet":
            p = rng.choice(pallets)
            events.append(chains.pack(name, hour, PLANT, p, rng.sample(cases, rng.randint(1, 3))))
        elif op == "ship":
            frm, to = rng.sample(PARTIES, 2)
            events.append(chains.ship(name, hour, frm, to, [rng.choice(pallets + cases)]))
        elif op == "ship_item":
            frm, to = rng.sample(PARTIES, 2)
            events.append(chains.ship(name, hour, frm, to, rng.sample(items, 2)))
        else:
            events.append(chains.sell(name, hour, MARKET, [rng.choice(items)]))
    made = [chains.sgtin(item, 900 + n) for n in range(3)]
    used = rng.sample(items, 3)
    events.append(chains.transform("t2", hour + 1, DC, inputs=used, outputs=made))
    events.append(chains.pack("p2", hour + 2, DC, cases[4], made))
    return events, [canonical_id(code) for code in (lot, *items, *cases, *pallets, *made)]


def reference_walk(session: Session, start: str, direction: Direction) -> dict[str, Reach]:
    """The walk through the general steps only: every link ingested on its own, every thing expanded alone."""
    links = Links(direction, settle=False)
    reach = {start: Reach(NEG, POS, True, True)}
    frontier = [start]
    while frontier:
        need = [t for t in frontier if t not in links.fetched]
        down = [t for t in frontier if reach[t].down and t not in links.fetched_down]
        if need or down:
            rows = repository.links_from(session, direction, need, down)
            links.ingest(need, down, [(part, src, t, [dst]) for part, src, t, dsts in rows for dst in dsts])
            assert not links.groups  # nothing settled in bulk: memberships computed from the links one by one
            links.known_memberships.clear()
        grown: dict[str, None] = {}
        for thing in frontier:
            _expand(links, reach, thing, direction == "forward", grown)
        frontier = sorted(grown)
    return reach


@pytest.mark.parametrize("seed", range(12))
def test_bulk_paths_match_the_general_path(session: Session, seed: int) -> None:
    # given: a random chain
    events, codes = random_chain(seed)
    capture(session, events)
    session.flush()
    for start in codes:
        for direction in ("forward", "back"):
            # when
            walked = walk(session, start, direction)
            # then
            assert walked.reach == reference_walk(session, start, direction), (seed, start, direction)
        # and the impact's holders: the latest custody of each thing or of its containers while it was in them
        walked = walk(session, start, "forward", holdings=True)
        things = sorted(walked.reach)
        read = sorted((v, round(t * 1000), p) for v, found in walked.links.held.items() for t, p in found)
        assert read == _holdings_of(session, things)  # what the walk read with its levels: all there is
        held = impact._held(walked, ((v, t, p) for v, found in walked.links.held.items() for t, p in found))
        expected = {}
        for thing in things:
            found = impact._latest(walked, held, {}, thing, NEG, POS, 0)
            if found:
                expected[thing] = found[1]
        assert impact._latest_of(walked, held, things)[0] == expected, (seed, start)


def test_a_large_group_is_expanded_once_with_the_same_answer(session: Session) -> None:
    # given: 200 items in 4 cases, one of them emptied later, two items moved to another case
    items = [chains.sgtin("066666", n) for n in range(200)]
    cases = [chains.sscc(7000 + n) for n in range(5)]
    events = [chains.transform("big", 1, PLANT, input_qty=[chains.kg(chains.X, 10)], outputs=items)]
    events += [chains.pack(f"c{n}", 2, PLANT, cases[n], items[n * 50 : (n + 1) * 50]) for n in range(4)]
    events += [chains.pack("empty", 3, PLANT, cases[1], action="DELETE")]
    events += [chains.pack("move", 4, PLANT, cases[4], items[:2])]
    events += [chains.ship("out", 5, PLANT, DC, [cases[0], cases[4]])]
    capture(session, events)
    session.flush()
    lot, items, cases = canonical_id(chains.X), [canonical_id(i) for i in items], [canonical_id(c) for c in cases]
    # when
    walked = walk(session, lot, "forward")
    # then
    assert walked.reach == reference_walk(session, lot, "forward")
    assert walked.reach[items[50]] == Reach(_t(1), POS, True, True)
    assert walked.reach[cases[1]] == Reach(_t(2), _t(3), False, True)  # while the items were in it
    assert walked.reach[cases[4]] == Reach(_t(4), POS, False, True)
    result = recall_service.recall_impact(session, chains.X)
    assert result.holder_of[items[0]] == chains.pgln(DC)  # moved to case 4, shipped
    assert result.holder_of[items[2]] == chains.pgln(DC)  # in case 0, shipped
    assert result.holder_of[items[50]] == chains.pgln(PLANT)  # case 1 emptied: by its business location
    assert len(result.things) == 1 + 200 + 5


class TestHoldings:
    def test_written_at_capture_for_each_code_of_an_event_naming_a_party(self, session: Session) -> None:
        # given
        pallet, case, item = chains.sscc(8001), chains.sscc(8002), chains.sgtin("077777", 1)
        # when
        capture(
            session,
            [
                chains.pack("p", 1, PLANT, pallet, [case]),  # no party: no holding
                chains.ship("s", 2, PLANT, DC, [pallet, item], qty=[chains.kg(chains.X, 5)]),
            ],
        )
        session.flush()
        # then
        rows = session.execute(select(TraceHolding.thing, TraceHolding.party).order_by(TraceHolding.thing)).all()
        expected = [(canonical_id(code), chains.pgln(DC)) for code in (pallet, item, chains.X)]
        assert [tuple(r) for r in rows] == sorted(expected)

    def test_nothing_written_when_the_capture_is_refused(self, session: Session) -> None:
        # given: a document whose second event is invalid (rollback: nothing stored)
        good = chains.ship("s", 2, PLANT, DC, [chains.sscc(8101)])
        bad = chains.ship("t", 2, PLANT, DC, [chains.sscc(8102)])
        del bad["eventTime"]
        # when
        result = capture_service.capture_document(session, document(good, bad), actor=_actor(session))
        # then
        assert [o.status for o in result.outcomes][1] == "rejected"
        assert result.job.captured == 0
        assert session.scalar(select(TraceHolding.id).limit(1)) is None

    def test_the_migration_backfill_gives_what_capture_writes(self, session: Session) -> None:
        # given: events captured (holdings written by capture)
        capture(session, chains.pork_chain())
        session.flush()
        written = _holdings(session)
        session.execute(delete(TraceHolding))
        # when: the backfill of migration 0013 runs over the stored events
        session.execute(text(_backfill_sql()))
        # then
        assert _holdings(session) == written
        assert len(written) == 15  # the 13 shipping and receiving events' codes


def _holdings_of(session: Session, things: list[str]) -> list[tuple[str, int, str]]:
    """(thing, time in ms, party) of the holdings of ``things``, read on their own."""
    rows = session.execute(select(TraceHolding.thing, TraceHolding.event_time, TraceHolding.party))
    wanted = set(things)
    return sorted((v, round(when.timestamp() * 1000), p) for v, when, p in rows if v in wanted)


def _t(hours: float) -> float:
    return (chains.T0 + timedelta(hours=hours)).timestamp()


def _holdings(session: Session) -> list[tuple[Any, ...]]:
    rows = session.execute(
        select(TraceHolding.thing, TraceHolding.event_time, TraceHolding.party, TraceHolding.event_pk)
    )
    return sorted(tuple(r) for r in rows)


def _backfill_sql() -> str:
    import importlib.util
    from pathlib import Path

    import zhuisu

    path = Path(zhuisu.__file__).parent / "migrations" / "versions" / "2026-11-23-1000_trace_holdings.py"
    spec = importlib.util.spec_from_file_location("holdings_migration", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.BACKFILL)


def _actor(session: Session) -> Any:
    from tests.trace.test_trace_service import _actor as actor

    return actor(session)
