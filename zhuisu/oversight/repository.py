"""The regulator desk's own aggregate read: event volume per day."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from zhuisu.models import Event


def events_per_day(session: Session, *, since: datetime, offset: timedelta) -> list[tuple[str, int]]:
    """(YYYY-MM-DD of the event time at UTC ``offset`` — Beijing time on the desk —, events) for each day with events
    that happened since ``since``, oldest first: when things happened, not when they were uploaded."""
    seconds = int(offset.total_seconds())
    if session.get_bind().dialect.name == "postgresql":
        day: Any = func.to_char(Event.event_time + literal_column(f"interval '{seconds} seconds'"), "YYYY-MM-DD")
    else:
        day = func.date(Event.event_time, f"{seconds:+d} seconds")
    stmt = select(day, func.count()).where(Event.event_time >= since).group_by(day).order_by(day)
    return [(str(d), int(n)) for d, n in session.execute(stmt)]
