"""The desk's events per day count when things happened, on Beijing's calendar — not when they were uploaded, not
on UTC's (an event at 01:30 Beijing time is the day's, though UTC still says the day before)."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tests.support.epcis import document, object_event
from zhuisu.capture import service as capture_service
from zhuisu.kit.time import utc_now
from zhuisu.oversight import repository
from zhuisu.parties import service as parties_service


def test_events_per_day_by_event_date_in_beijing(session: Session) -> None:
    party = parties_service.create_party(session, name="示范市甲食品有限公司", uscc="91110000600037341L")
    now = utc_now()
    day = (now - timedelta(days=3)).date()
    times = [
        f"{day - timedelta(days=1)}T17:30:00.000Z",  # 01:30 on `day` in Beijing
        f"{day}T09:00:00.000+08:00",
        f"{day}T15:59:00.000Z",  # 23:59 on `day` in Beijing
        f"{day}T16:01:00.000Z",  # 00:01 the day after
        "2020-01-01T08:00:00.000+08:00",  # long ago (uploaded today all the same)
    ]
    events = [object_event(n, eventTime=t) for n, t in enumerate(times)]
    result = capture_service.capture_document(session, document(*events), actor=party)
    assert result.count("captured") == 5
    since = datetime.combine(day - timedelta(days=2), datetime.min.time()).replace(tzinfo=now.tzinfo)
    assert repository.events_per_day(session, since=since, offset=timedelta(hours=8)) == [
        (str(day), 3),
        (str(day + timedelta(days=1)), 1),
    ]
