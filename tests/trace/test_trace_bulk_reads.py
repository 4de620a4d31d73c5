"""The impact's bulk reads: codes bound as one PostgreSQL array literal, the transaction's bulk-read settings."""

from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from zhuisu.trace import repository

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
    found = session.execute(text("SELECT current_setting('jit'), current_setting('work_mem')")).one()
    assert tuple(found) == ("off", "64MB")
