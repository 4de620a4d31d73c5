"""Timezone-aware time helpers; naive datetimes are never used in zhuisu."""

from datetime import UTC, datetime, timedelta, timezone

#: China Standard Time (Beijing time, UTC+8, no daylight saving): how dates typed by people are read.
BEIJING = timezone(timedelta(hours=8), "CST")


def utc_now() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 / RFC 3339 timestamp with an offset (``Z`` allowed) into an aware UTC datetime.

    >>> parse_iso("2005-04-03T20:33:31.116-06:00").isoformat()
    '2005-04-04T02:33:31.116000+00:00'

    Raises ValueError when the value has no offset or is malformed.
    """
    dt = datetime.fromisoformat(value.strip().replace("z", "Z"))
    if dt.tzinfo is None:
        raise ValueError(f"timestamp without a time zone offset: {value!r}")
    return dt.astimezone(UTC)


def format_iso(dt: datetime) -> str:
    """Format an aware datetime as RFC 3339 UTC with milliseconds and ``Z``.

    >>> format_iso(parse_iso("2020-01-01T08:00:00+08:00"))
    '2020-01-01T00:00:00.000Z'
    """
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
