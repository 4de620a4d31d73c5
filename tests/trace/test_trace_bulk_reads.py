"""The impact's bulk reads: codes bound as one PostgreSQL array literal, the transaction's bulk-read settings, and
a large level read in two halves at once on two connections (PostgreSQL)."""

import logging
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from tests.conftest import fresh_url
from tests.trace import chains
from tests.trace.chains import DC, HOSPITAL, PLANT
from tests.trace.test_trace_fast_paths import random_chain
from tests.trace.test_trace_service import capture, document
from zhuisu.capture import service as capture_service
from zhuisu.codes.canonical import canonical_id
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.models import Party
from zhuisu.recall import service as recall_service
from zhuisu.trace import repository
from zhuisu.trace.schemas import ImpactRead
from zhuisu.trace.walk import Walk, walk

ODD = ["plain", 'quote"d', "back\\slash", "comma,brace{}", "NULL", "", " spaced ", "追溯码"]


def test_pg_array_escapes_quotes_and_backslashes() -> None:
    assert repository.pg_array(["a", 'b"c', "d\\e"]) == '{"a","b\\"c","d\\\\e"}'
    assert repository.pg_array([]) == "{}"


@pytest.mark.postgres
def test_pg_array_round_trips_through_postgresql(session: Session) -> None:
    found = session.execute(text("SELECT CAST(:v AS TEXT[])"), {"v": repository.pg_array(ODD)}).scalar_one()
    assert found == ODD


def test_bulk_reads_settings(session: Session) -> None:
    seen: list[str] = []

    def count(*args: Any) -> None:
        if not str(args[2]).startswith("SAVEPOINT"):  # the test session's own, opened lazily
            seen.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        repository.prepare_bulk_reads(session)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    if engine.dialect.name == "sqlite":
        assert seen == []  # nothing to tune
        return
    assert len(seen) == 1
    found = session.execute(
        text(
            "SELECT current_setting('jit'), current_setting('work_mem'), current_setting('enable_hashjoin'), "
            "current_setting('enable_mergejoin')"
        )
    ).one()
    assert tuple(found) == ("off", "64MB", "off", "off")


# A level read in two halves -------------------------------------------------------------------------------------

SNAPSHOT = "SET TRANSACTION SNAPSHOT"
#: 200 items of lot X in 4 cases (case 1 emptied later, two items moved to case 4), cases 0 and 4 shipped.
ITEMS = [chains.sgtin("066666", n) for n in range(200)]
CASES = [chains.sscc(7000 + n) for n in range(5)]


def _group_events() -> list[dict[str, Any]]:
    events = [chains.transform("big", 1, PLANT, input_qty=[chains.kg(chains.X, 10)], outputs=ITEMS)]
    events += [chains.pack(f"c{n}", 2, PLANT, CASES[n], ITEMS[n * 50 : (n + 1) * 50]) for n in range(4)]
    events += [chains.pack("empty", 3, PLANT, CASES[1], action="DELETE")]
    events += [chains.pack("move", 4, PLANT, CASES[4], ITEMS[:2])]
    events += [chains.ship("out", 5, PLANT, DC, [CASES[0], CASES[4]])]
    return events


@pytest.fixture(scope="module")
def committed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A PostgreSQL database of its own holding four random chains and the 200-item group, committed (a second
    connection sees them), with the codes to start from."""
    url = fresh_url(request, "postgresql", tmp_path_factory.mktemp("split"))
    migrate.upgrade(url)
    engine = make_engine(url)
    events, starts = _group_events(), [canonical_id(chains.X), canonical_id(CASES[2])]
    for seed in range(4):
        chain, codes = random_chain(seed)
        for e in chain:  # event ids unique across the chains
            e["eventID"] = chains.eid(f"{seed}/{e['eventID']}")
        events += chain
        starts += codes[:4]
    with unit_of_work(make_sessionmaker(engine)) as s:
        capture(s, events)
    yield engine, starts
    engine.dispose()


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(str(args[2])))
    return seen


def _impact(maker: sessionmaker[Session], start: str) -> tuple[ImpactRead, Walk]:
    with unit_of_work(maker) as s:
        repository.prepare_bulk_reads(s)
        return recall_service.recall_impact(s, start), walk(s, start, "forward", holdings=True)


def _held(w: Walk) -> dict[str, list[tuple[float, str]]]:
    return {v: sorted(found) for v, found in w.links.held.items()}


@pytest.mark.postgres
def test_a_level_read_in_halves_gives_what_one_statement_gives(committed: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, starts = committed
    maker = make_sessionmaker(engine)
    seen = _statements(engine)
    for start in starts:
        # given: the level read whole
        monkeypatch.setattr(repository, "SPLIT_FROM", 10**9)
        before = len(seen)
        whole, whole_walk = _impact(maker, start)
        assert not any(SNAPSHOT in q for q in seen[before:])
        # when: every level of two things or more read in halves
        monkeypatch.setattr(repository, "SPLIT_FROM", 2)
        halves, halves_walk = _impact(maker, start)
        # then
        assert halves == whole, start
        assert halves_walk.reach == whole_walk.reach
        assert _held(halves_walk) == _held(whole_walk)
        assert halves_walk.depth == whole_walk.depth
    assert sum(SNAPSHOT in q for q in seen) >= len(starts)  # the second halves, on their own connections
    lot = canonical_id(chains.X)
    result = _impact(maker, lot)[0]
    assert len(result.things) == 1 + 200 + 5
    assert result.holder_of[canonical_id(ITEMS[0])] == chains.pgln(DC)  # moved to case 4, shipped
    assert result.holder_of[canonical_id(ITEMS[50])] == chains.pgln(PLANT)  # case 1 emptied: by its location


@pytest.mark.postgres
def test_a_transaction_that_has_written_reads_its_levels_whole(committed: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: case 2 shipped to the hospital in this transaction, not committed (another connection cannot see it)
    engine = committed[0]
    monkeypatch.setattr(repository, "SPLIT_FROM", 2)
    seen = _statements(engine)
    with make_sessionmaker(engine)() as s:
        item = canonical_id(ITEMS[100])
        assert recall_service.recall_impact(s, chains.X).holder_of[item] == chains.pgln(PLANT)
        actor = s.scalars(select(Party).where(Party.name == "记录方")).one()  # the recorder of the chains
        late = capture_service.capture_document(
            s, document(chains.ship("late", 6, PLANT, HOSPITAL, [CASES[2]])), actor=actor
        )
        assert late.job.captured == 1
        splits = sum(SNAPSHOT in q for q in seen)
        # when
        result = recall_service.recall_impact(s, chains.X)
        # then: the shipment seen, every level read on this transaction's own connection
        assert result.holder_of[item] == chains.pgln(HOSPITAL)
        assert sum(SNAPSHOT in q for q in seen) == splits
        s.rollback()


@pytest.mark.postgres
def test_a_busy_pool_reads_its_levels_whole(committed: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a pool of one connection, the impact's own
    engine, starts = committed
    monkeypatch.setattr(repository, "SPLIT_FROM", 10**9)
    whole = _impact(make_sessionmaker(engine), starts[0])[0]
    small = make_engine(engine.url.render_as_string(hide_password=False), pool_size=1, max_overflow=0, pool_timeout=1)
    seen = _statements(small)
    monkeypatch.setattr(repository, "SPLIT_FROM", 2)
    try:
        # when
        result = _impact(make_sessionmaker(small), starts[0])[0]
    finally:
        small.dispose()
    # then: no second connection waited for (none asked for: no snapshot exported for it)
    assert result == whole
    assert not any("pg_export_snapshot" in q for q in seen)


@pytest.mark.postgres
def test_a_second_connection_refused_reads_the_half_itself(
    committed: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given: a server that accepts the impact's own connection and refuses the next (no pool: each is opened)
    engine, starts = committed
    monkeypatch.setattr(repository, "SPLIT_FROM", 10**9)
    whole = _impact(make_sessionmaker(engine), starts[0])[0]
    refusing = make_engine(engine.url.render_as_string(hide_password=False), poolclass=NullPool)
    opened: list[int] = []

    @event.listens_for(refusing, "do_connect")
    def refuse_the_second(*args: Any) -> None:
        opened.append(1)
        if len(opened) > 1:
            raise psycopg.OperationalError("too many clients already")

    monkeypatch.setattr(repository, "SPLIT_FROM", 2)
    try:
        # when
        with caplog.at_level(logging.WARNING, logger="zhuisu.trace.repository"):
            result = _impact(make_sessionmaker(refusing), starts[0])[0]
    finally:
        refusing.dispose()
    # then: the same answer, each refused half read on the impact's own connection, and said so
    assert result == whole
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == len(opened) - 1 > 0  # one per refused connection
    assert all(m.startswith("impact level: second half read on the session's own connection") for m in messages)


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


@pytest.fixture
def own_database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Session]:
    """A session on a PostgreSQL database of its own (rolled back at the end): the plan must not depend on what
    other tests left in the worker's shared database (rolled-back rows still take pages, and the planner costs a
    scan by the table's pages: after the demo city's tests it chose other plans)."""
    url = fresh_url(request, "postgresql", tmp_path)
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as s:
            yield s
            s.rollback()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_every_probe_of_an_impact_level_is_an_index_lookup_per_code(own_database: Session) -> None:
    """Whatever the statistics say: a plan that reads a few rows once and filters them for every code of the level
    (the "emptied" unpacks estimated at 15 rows when there were 2,899) took 1.4 s for 5,000 containers."""
    session = own_database
    # given: the 200-item group, with one case emptied, and fresh statistics
    capture(session, _group_events())
    session.flush()
    session.execute(text("ANALYZE trace_links"))
    session.execute(text("ANALYZE trace_holdings"))
    repository.prepare_bulk_reads(session)
    items = sorted(canonical_id(i) for i in ITEMS)
    params = repository._level_params("postgresql-bulk", "forward", items, items)
    statement = str(repository._LINKS_SQL[("postgresql", "forward", True)])
    # when
    plan = session.execute(text("EXPLAIN (FORMAT JSON) " + statement), params).scalar_one()[0]["Plan"]
    # then: no rows kept aside (materialized) and filtered again for every code of the level
    nodes = list(_nodes(plan))
    assert [n["Node Type"] for n in nodes if n["Node Type"] == "Materialize" or "Join Filter" in n] == []
    assert len([n for n in nodes if n.get("Relation Name") in ("trace_links", "trace_holdings")]) == 8
