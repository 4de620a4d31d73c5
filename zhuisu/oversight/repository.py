"""The regulator desk's own aggregate read: event volume per day."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhuisu.models import Event


def events_per_day(session: Session, *, since: datetime) -> list[tuple[str, int]]:
    """(YYYY-MM-DD of the record time in UTC, events) for each day with events since ``since``, oldest first."""
    day = func.date(Event.record_time)
    stmt = select(day, func.count()).where(Event.record_time >= since).group_by(day).order_by(day)
    return [(str(d), int(n)) for d, n in session.execute(stmt)]
