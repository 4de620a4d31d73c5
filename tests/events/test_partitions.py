"""The events table partitioned by month of arrival on PostgreSQL (migration 0033, ``zhuisu.events.partitions``), and
the unique keys in ``event_keys`` on both databases."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import fresh_url
from tests.support.epcis import document, object_event
from zhuisu.app.cli import app as cli
from zhuisu.capture import service as capture_service
from zhuisu.config import Settings
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.events import partitions
from zhuisu.events import service as events_service
from zhuisu.events.partitions import HISTORY, Month
from zhuisu.kit.time import utc_now
from zhuisu.models import Base, Event, EventEpc, EventKey, Party
from zhuisu.parties import service as parties_service


def _party(maker: sessionmaker[Session]) -> Party:
    with unit_of_work(maker) as s:
        return parties_service.create_party(s, name="测试食品有限公司")


def _capture(maker: sessionmaker[Session], party: Party, *events: dict[str, object]) -> list[str]:
    with unit_of_work(maker) as s:
        result = capture_service.capture_document(s, document(*events), actor=s.merge(party))
        return [o.status for o in result.outcomes]


def _partition_of(s: Session | Connection, event_id: str) -> str:
    return str(
        s.scalar(
            text(
                "SELECT e.tableoid::regclass::text FROM events e JOIN event_keys k ON k.event_pk = e.id "
                "WHERE k.event_id = :e"
            ),
            {"e": event_id},
        )
    )


def test_every_event_has_its_keys_once_and_a_repeat_is_a_duplicate(maker: sessionmaker[Session]) -> None:
    party = _party(maker)
    first, second = object_event(1, eventID="urn:uuid:keys-1"), object_event(2, eventID="urn:uuid:keys-2")
    assert _capture(maker, party, first, second) == ["captured", "captured"]
    # The same eventID with other content, and the same event again: both duplicates.
    again = object_event(3, eventID="urn:uuid:keys-1")
    assert _capture(maker, party, again, second) == ["duplicate", "duplicate"]
    with maker() as s:
        keys = s.execute(select(EventKey.event_id, EventKey.event_hash, EventKey.event_pk).order_by(EventKey.event_id))
        events = s.execute(select(Event.event_id, Event.event_hash, Event.id).order_by(Event.event_id))
        assert [tuple(k) for k in keys] == [tuple(e) for e in events]
        assert [e for (e,) in s.execute(select(EventKey.event_id).order_by(EventKey.event_id))] == [
            "urn:uuid:keys-1",
            "urn:uuid:keys-2",
        ]
        found = events_service.get_event(s, "urn:uuid:keys-2")
        assert found.event_id == "urn:uuid:keys-2"
        by_hash = events_service.get_event(s, found.event_hash)
        assert by_hash.id == found.id


def test_the_migration_builds_the_model(connection: Connection) -> None:
    """Migration 0033 and the models agree, the partitions left out as ``zhuisu/migrations/env.py`` leaves them out
    (nothing else differs in these tables)."""
    opts = {"compare_type": True, "include_object": partitions.leave_out_partitions}
    differences = compare_metadata(MigrationContext.configure(connection, opts=opts), Base.metadata)
    assert differences == []


def test_events_are_stored_in_the_partition_of_their_month(backend: str, maker: sessionmaker[Session]) -> None:
    if backend != "postgresql":
        with maker() as s:
            assert partitions.partitioned(s) is False
            assert partitions.listing(s) == []
        return
    party = _party(maker)
    now = Month.of(utc_now())
    assert _capture(maker, party, object_event(1, eventID="urn:uuid:part-1")) == ["captured"]
    with maker() as s:
        assert partitions.partitioned(s) is True
        tables = [p.table for p in partitions.listing(s)]
        assert tables[:5] == [
            HISTORY,
            now.table,
            now.next().table,
            now.next().next().table,
            now.next().next().next().table,
        ]
        assert _partition_of(s, "urn:uuid:part-1") == now.table
        pk = s.scalars(select(EventKey.event_pk).where(EventKey.event_id == "urn:uuid:part-1")).one()
        assert now.base <= pk < now.next().base
        # A read by key touches that partition alone.
        plan = "\n".join(r for (r,) in s.execute(text(f"EXPLAIN SELECT body FROM events WHERE id = {pk}")))
        assert now.table in plan
        assert [t for t in tables if t in plan] == [now.table]
        # The index tables keep their foreign keys to the partitioned table.
        referencing = {
            str(t)
            for (t,) in s.execute(
                text(
                    "SELECT conrelid::regclass::text FROM pg_constraint "
                    "WHERE contype = 'f' AND confrelid = 'events'::regclass AND conparentid = 0"
                )
            )
        }
        assert {"event_epcs", "event_keys", "trace_links", "trace_custody", "trace_holdings"} <= referencing


def test_the_first_capture_of_a_month_moves_the_keys_to_its_range(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A month whose partition the worker has not made yet: capture makes it and keys its events in its range.
    On a database of its own: the key sequence is not rolled back with a test's transaction."""
    if backend != "postgresql":
        pytest.skip("SQLite is not partitioned")
    url = fresh_url(request, backend, tmp_path)
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        maker = make_sessionmaker(engine)
        party = _party(maker)
        later = Month.of(utc_now())
        for _ in range(6):  # six months on: no partition yet
            later = later.next()
        with maker() as s:
            assert later.table not in {p.table for p in partitions.listing(s)}
        arrival = datetime(later.year, later.month, 1, 0, 0, 1, tzinfo=UTC)
        monkeypatch.setattr(capture_service, "utc_now", lambda: arrival)
        events = [object_event(n, eventID=f"urn:uuid:later-{n}") for n in range(3)]
        assert _capture(maker, party, *events) == ["captured"] * 3
        with maker() as s:
            keys = sorted(s.scalars(select(EventKey.event_pk).where(EventKey.event_id.like("urn:uuid:later-%"))))
            assert keys == [later.base, later.base + 1, later.base + 2]
            assert {_partition_of(s, f"urn:uuid:later-{n}") for n in range(3)} == {later.table}
            [partition] = [p for p in partitions.listing(s) if p.table == later.table]
            assert (partition.month, partition.first_key, partition.end_key) == (
                str(later),
                later.base,
                later.next().base,
            )
            assert (partition.rows, partition.first_record_time) == (3, arrival)
            joined = s.scalar(
                select(func.count())
                .select_from(EventEpc)
                .join(Event, Event.id == EventEpc.event_pk)
                .where(Event.id.in_(keys))
            )
            assert joined == 3
        # The clock set back to now: the keys go on in order, in the later month's partition.
        monkeypatch.setattr(capture_service, "utc_now", utc_now)
        assert _capture(maker, party, object_event(9, eventID="urn:uuid:after")) == ["captured"]
        with maker() as s:
            assert _partition_of(s, "urn:uuid:after") == later.table
            after = s.scalars(select(EventKey.event_pk).where(EventKey.event_id == "urn:uuid:after")).one()
            assert after == later.base + 3
    finally:
        engine.dispose()


def test_the_worker_keeps_months_ahead_and_the_command_lists_them(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fresh_url(request, backend, tmp_path)
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        maker = make_sessionmaker(engine)
        assert _capture(maker, _party(maker), object_event(1, eventID="urn:uuid:ahead-1")) == ["captured"]
        now = Month.of(utc_now())
        created = partitions.ahead_round(maker, Settings(database_url=url, events_partition_months_ahead=5))
        if backend == "sqlite":
            assert created == []
        else:
            assert created == [now.next().next().next().next().table, now.next().next().next().next().next().table]
            assert partitions.ahead_round(maker, Settings(database_url=url, events_partition_months_ahead=5)) == []
            # the table as a whole is analysed (autovacuum analyses each partition, never the parent)
            with engine.connect() as c:
                inherited = "SELECT count(*) FROM pg_stats WHERE tablename = 'events' AND inherited"
                assert (c.scalar(text(inherited)) or 0) > 0
        monkeypatch.setenv("ZHUISU_DATABASE_URL", url)
        from zhuisu.cli import runtime
        from zhuisu.config import get_settings

        get_settings.cache_clear()
        runtime.session_maker.cache_clear()
        answer = CliRunner().invoke(cli, ["events", "partitions", "--json"])
        assert answer.exit_code == 0, answer.output
        listed = json.loads(answer.output)
        if backend == "sqlite":
            assert listed == {"partitioned": False, "created": [], "partitions": []}
        else:
            assert listed["partitioned"] is True
            assert [p["table"] for p in listed["partitions"]] == [HISTORY] + [m.table for m in _months(now, 6)]
            assert listed["partitions"][0] == {
                "table": HISTORY,
                "month": None,
                "first_key": None,
                "end_key": now.base,
                "rows": 0,
                "bytes": listed["partitions"][0]["bytes"],
                "first_record_time": None,
                "last_record_time": None,
            }
            assert (listed["partitions"][1]["month"], listed["partitions"][1]["rows"]) == (str(now), 1)
        runtime.session_maker().kw["bind"].dispose()
        runtime.session_maker.cache_clear()
        get_settings.cache_clear()
    finally:
        engine.dispose()


def _months(start: Month, count: int) -> list[Month]:
    found = [start]
    while len(found) < count:
        found.append(found[-1].next())
    return found


def test_down_and_up_again_keeps_every_event(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> None:
    """Migration 0033 over stored events: down copies the partitions into one table with the unique constraints
    back; up makes them the history partition (keys untouched, index tables pointed at the partitioned table)."""
    url = fresh_url(request, backend, tmp_path)
    migrate.upgrade(url)
    engine: Engine = make_engine(url)
    try:
        maker = make_sessionmaker(engine)
        party = _party(maker)
        events = [object_event(n, eventID=f"urn:uuid:kept-{n}") for n in range(4)]
        assert _capture(maker, party, *events) == ["captured"] * 4
        with engine.connect() as c:
            before = [tuple(r) for r in c.execute(text("SELECT id, event_id, event_hash FROM events ORDER BY id"))]
            epcs = c.scalar(text("SELECT count(*) FROM event_epcs"))
        command.downgrade(migrate.alembic_config(url), "0032_federation")
        with engine.connect() as c:
            assert [tuple(r) for r in c.execute(text("SELECT id, event_id, event_hash FROM events ORDER BY id"))] == (
                before
            )
            assert c.scalar(text("SELECT count(*) FROM event_epcs")) == epcs
            if backend == "postgresql":
                assert c.scalar(text("SELECT count(*) FROM pg_partitioned_table")) == 0
                uniques = {
                    str(n)
                    for (n,) in c.execute(
                        text("SELECT conname FROM pg_constraint WHERE conrelid = 'events'::regclass AND contype = 'u'")
                    )
                }
                assert uniques == {"uq_events_event_id", "uq_events_event_hash"}
        migrate.upgrade(url)
        with engine.connect() as c:
            assert [tuple(r) for r in c.execute(text("SELECT id, event_id, event_hash FROM events ORDER BY id"))] == (
                before
            )
            keys = [
                tuple(r) for r in c.execute(text("SELECT event_pk, event_id, event_hash FROM event_keys ORDER BY 1"))
            ]
            assert keys == before
            if backend == "postgresql":
                assert {_partition_of(c, f"urn:uuid:kept-{n}") for n in range(4)} == {HISTORY}
        # A repeat is still a duplicate; a new event is stored after them.
        more = object_event(9, eventID="urn:uuid:kept-new")
        assert _capture(maker, party, events[0], more) == ["duplicate", "captured"]
        with engine.connect() as c:
            new_pk = c.scalar(text("SELECT event_pk FROM event_keys WHERE event_id = 'urn:uuid:kept-new'"))
            assert new_pk > before[-1][0]
    finally:
        engine.dispose()
