"""QuerySchedule parsing and next-time evaluation (EPCIS 2.0 §8.2.5.3), without a database."""

from datetime import UTC, datetime

import pytest

from zhuisu.exchange.subscriptions.errors import SubscriptionControlsInvalid
from zhuisu.exchange.subscriptions.schedule import parse_schedule

NOW = datetime(2026, 11, 22, 16, 30, 15, 500_000, tzinfo=UTC)  # a Sunday


def _next(raw: dict[str, str], after: datetime = NOW) -> datetime | None:
    return parse_schedule(raw, now=after).next_after(after)


@pytest.mark.parametrize(
    ("_case", "raw", "expected"),
    [
        ("binding example: 1.05am daily", {"hour": "1", "minute": "5", "second": "0"}, datetime(2026, 11, 23, 1, 5)),
        ("top of every hour", {"minute": "0", "second": "0"}, datetime(2026, 11, 22, 17, 0, 0)),
        ("omitted second matches every second", {"hour": "1", "minute": "5"}, datetime(2026, 11, 23, 1, 5, 0)),
        ("omitted finer fields: every second of the hour", {"hour": "16"}, datetime(2026, 11, 22, 16, 30, 16)),
        ("list of numbers", {"second": "0", "minute": "10,45"}, datetime(2026, 11, 22, 16, 45, 0)),
        ("bracketed range", {"second": "0", "minute": "0", "hour": "[9-17]"}, datetime(2026, 11, 22, 17, 0, 0)),
        ("weekdays only (1=Monday)", {"second": "0", "minute": "0", "dayOfWeek": "[1-5]"}, datetime(2026, 11, 23)),
        ("Sunday is 7", {"second": "0", "minute": "31", "dayOfWeek": "7"}, datetime(2026, 11, 22, 16, 31, 0)),
        ("day of month and month", {"second": "0", "minute": "0", "hour": "0", "dayOfMonth": "1", "month": "3"},
         datetime(2027, 3, 1)),
        ("dayOfMonth AND dayOfWeek (not cron's OR)", {"second": "0", "minute": "0", "hour": "0", "dayOfMonth": "13",
         "dayOfWeek": "5"}, datetime(2027, 8, 13)),
        ("29 February", {"second": "0", "minute": "0", "hour": "0", "dayOfMonth": "29", "month": "2"},
         datetime(2028, 2, 29)),
        ("31st skips short months", {"second": "0", "minute": "0", "hour": "0", "dayOfMonth": "31"},
         datetime(2026, 12, 31)),
        ("step as in the binding's example 0/30", {"second": "0/30"}, datetime(2026, 11, 22, 16, 30, 30)),
        ("star step", {"second": "0", "minute": "*/20"}, datetime(2026, 11, 22, 16, 40, 0)),
        ("unbracketed range, ints", {"second": 0, "minute": "31-33"}, datetime(2026, 11, 22, 16, 31, 0)),
    ],
)  # fmt: skip
def test_next_time(_case: str, raw: dict[str, str], expected: datetime) -> None:
    assert _next(raw) == expected.replace(tzinfo=UTC)


def test_next_time_is_strictly_after_a_matching_time() -> None:
    at = datetime(2026, 11, 23, 1, 5, 0, tzinfo=UTC)
    assert _next({"hour": "1", "minute": "5", "second": "0"}, at) == datetime(2026, 11, 24, 1, 5, tzinfo=UTC)


def test_matches() -> None:
    schedule = parse_schedule({"hour": "1", "minute": "5", "second": "0"}, now=NOW)
    assert (schedule.matches(datetime(2026, 1, 1, 1, 5, tzinfo=UTC)), schedule.matches(NOW)) == (True, False)


@pytest.mark.parametrize(
    ("_case", "raw", "parameter"),
    [
        ("not an object", "0 5 1 * * *", "schedule"),
        ("empty", {}, "schedule"),
        ("unknown field", {"hour": "1", "year": "2027"}, "schedule.year"),
        ("second out of range", {"second": "60"}, "schedule.second"),
        ("hour out of range", {"hour": "24"}, "schedule.hour"),
        ("day of month 0", {"dayOfMonth": "0"}, "schedule.dayOfMonth"),
        ("month 13", {"month": "13"}, "schedule.month"),
        ("day of week 0 (cron's Sunday)", {"dayOfWeek": "0"}, "schedule.dayOfWeek"),
        ("inverted range", {"minute": "[30-10]"}, "schedule.minute"),
        ("garbage", {"minute": "five"}, "schedule.minute"),
        ("empty element", {"minute": "1,,2"}, "schedule.minute"),
        ("empty string", {"minute": ""}, "schedule.minute"),
        ("zero step", {"minute": "0/0"}, "schedule.minute"),
        ("boolean", {"minute": True}, "schedule.minute"),
        ("never matches: 30 February", {"dayOfMonth": "30", "month": "2"}, "schedule"),
    ],
)
def test_invalid_schedule_names_the_field(_case: str, raw: object, parameter: str) -> None:
    with pytest.raises(SubscriptionControlsInvalid) as raised:
        parse_schedule(raw, now=NOW)
    assert raised.value.extra["parameter"] == parameter
    assert raised.value.problem_type == "epcisException:SubscriptionControlsException"
    assert raised.value.status_code == 400
