"""Fixtures shared by the trace tests."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session


@pytest.fixture
def queries(session: Session) -> Iterator[list[str]]:
    """The SQL statements the session's engine runs during the test."""
    seen: list[str] = []
    engine = session.get_bind()

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)
