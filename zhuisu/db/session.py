"""The unit of work: the only place in zhuisu that commits."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.engine import WRITE_OPTION


@contextmanager
def unit_of_work(maker: sessionmaker[Session], *, write: bool = True) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back when it raises.

    ``write`` (the default) takes SQLite's write lock at BEGIN, so concurrent writers queue instead of failing.
    """
    with maker.begin() as session:
        if write:
            session.connection(execution_options={WRITE_OPTION: True})
        yield session
