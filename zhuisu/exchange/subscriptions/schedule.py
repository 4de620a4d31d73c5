"""Query schedules of scheduled subscriptions: EPCIS 2.0 §8.2.5.3 ``QuerySchedule`` (``query-schedule.json``).

Each field (``second``, ``minute``, ``hour``, ``dayOfMonth``, ``month``, ``dayOfWeek``) is a comma-separated list
of numbers and ranges ``[low-high]``; a time matches when every field that is given matches (an omitted field
matches every value, so ``{"hour": "2"}`` runs every second from 2:00:00 to 2:59:59, as the standard says).
Unlike Unix cron, ``dayOfMonth`` and ``dayOfWeek`` must *both* match, and ``dayOfWeek`` counts 1 = Monday … 7 =
Sunday. Times are evaluated in UTC (the standard lets the service choose the time zone).

Leniency beyond the grammar: ``*`` (every value), a range without brackets (``1-5``) and a step ``start/step``
(``0/30``, ``[0-30]/10``, ``*/15``: the binding's own examples use ``0/30``). Anything else — an unknown field, a
number out of range, a range whose low end is above its high end, a schedule that never matches — raises
``SubscriptionControlsInvalid`` naming the field.

Pure: no database. A cron library (croniter) was not used: its syntax differs from the standard's in exactly the
places that matter (bracketed ranges, day-of-week numbering, day-of-month *and* day-of-week), so every schedule
would need translating, and croniter is no longer maintained.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from zhuisu.exchange.subscriptions.errors import SubscriptionControlsInvalid

#: Field → legal (low, high), in the binding's order.
FIELDS: dict[str, tuple[int, int]] = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 23),
    "dayOfMonth": (1, 31),
    "month": (1, 12),
    "dayOfWeek": (1, 7),
}
#: How far ahead a schedule is searched for its next time (covers 29 February on a given weekday).
HORIZON_YEARS = 40
_ELEMENT = re.compile(r"^(?:(\*)|(\d+)|\[(\d+)-(\d+)\]|(\d+)-(\d+))(?:/(\d+))?$")
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Schedule:
    """The values each time component may take (a full range for an omitted field)."""

    second: frozenset[int]
    minute: frozenset[int]
    hour: frozenset[int]
    day_of_month: frozenset[int]
    month: frozenset[int]
    day_of_week: frozenset[int]

    def matches(self, at: datetime) -> bool:
        t = at.astimezone(UTC)
        return (
            t.second in self.second
            and t.minute in self.minute
            and t.hour in self.hour
            and t.day in self.day_of_month
            and t.month in self.month
            and t.isoweekday() in self.day_of_week
        )

    def next_after(self, after: datetime) -> datetime | None:
        """The first whole second strictly after ``after`` that matches; None if none within HORIZON_YEARS."""
        t = after.astimezone(UTC).replace(microsecond=0) + _SECOND
        limit = t.replace(year=t.year + HORIZON_YEARS, month=1, day=1)
        while t < limit:
            if t.month not in self.month:
                t = _next_month(t)
            elif t.day not in self.day_of_month or t.isoweekday() not in self.day_of_week:
                t = t.replace(hour=0, minute=0, second=0) + timedelta(days=1)
            elif t.hour not in self.hour:
                t = t.replace(minute=0, second=0) + timedelta(hours=1)
            elif t.minute not in self.minute:
                t = t.replace(second=0) + timedelta(minutes=1)
            elif t.second not in self.second:
                t += _SECOND
            else:
                return t
        return None


def _next_month(t: datetime) -> datetime:
    first = t.replace(day=1, hour=0, minute=0, second=0)
    return first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)


def parse_schedule(raw: Any, *, now: datetime) -> Schedule:
    """Check a schedule object (``{"hour": "1", "minute": "5"}``) and return its value sets.

    Raises SubscriptionControlsInvalid (``parameter`` = ``schedule`` or ``schedule.<field>``).
    """
    if not isinstance(raw, dict) or not raw:
        raise SubscriptionControlsInvalid(
            "schedule 应为至少含一个字段的对象（second、minute、hour、dayOfMonth、month、dayOfWeek）",
            message_en="schedule must be an object with at least one of second, minute, hour, dayOfMonth, month, "
            "dayOfWeek",
            parameter="schedule",
        )
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise SubscriptionControlsInvalid(
            f"schedule 没有字段 {unknown[0]}",
            message_en=f"schedule has no field {unknown[0]} (fields: {', '.join(FIELDS)})",
            parameter=f"schedule.{unknown[0]}",
        )
    values = [_field_values(name, raw.get(name)) for name in FIELDS]
    schedule = Schedule(*values)
    if schedule.next_after(now) is None:
        raise SubscriptionControlsInvalid(
            "该 schedule 永远不会触发（如 2 月 30 日）",
            message_en="this schedule never matches a date (e.g. 30 February)",
            parameter="schedule",
        )
    return schedule


def _field_values(name: str, value: Any) -> frozenset[int]:
    low, high = FIELDS[name]
    if value is None:
        return frozenset(range(low, high + 1))
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not text.strip():
        raise _bad(name, value, low, high)
    out: set[int] = set()
    for element in text.split(","):
        out |= _element_values(name, element.strip(), low, high)
    return frozenset(out)


def _element_values(name: str, element: str, low: int, high: int) -> set[int]:
    match = _ELEMENT.match(element)
    if match is None:
        raise _bad(name, element, low, high)
    star, number, b_low, b_high, r_low, r_high, step = match.groups()
    if star:
        first, last = low, high
    elif number is not None:
        first = int(number)
        last = high if step else first
    else:
        first, last = int(b_low or r_low), int(b_high or r_high)
    if not (low <= first <= high and low <= last <= high) or first > last or (step is not None and int(step) == 0):
        raise _bad(name, element, low, high)
    return set(range(first, last + 1, int(step) if step else 1))


def _bad(name: str, value: Any, low: int, high: int) -> SubscriptionControlsInvalid:
    return SubscriptionControlsInvalid(
        f"schedule.{name} 的值 {value!r} 无效：应为 {low}–{high} 的数字或 [低-高] 范围，以逗号分隔",
        message_en=f"schedule.{name}: {value!r} is not a comma-separated list of numbers {low}-{high} "
        "and ranges [low-high]",
        parameter=f"schedule.{name}",
    )
