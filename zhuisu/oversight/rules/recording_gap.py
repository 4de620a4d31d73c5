"""``recording_gap``: an enterprise that recorded daily stopped. A party recorded daily when it has events on at
least ``risk_gap_daily_days`` of the 7 days before its last event (days of event time, UTC); it is alerted when
its last event is more than ``risk_gap_days`` days before now — or before the latest event anyone recorded, when
that is earlier: an enterprise stopped while others went on (a node fed late, or a historical load, is no gap).
Time-based: the scans run it. One alert per party and last day; the evidence is its last event.
"""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhuisu.models import Event, Party
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope, day_count


def find(session: Session, scope: Scope) -> list[Hit]:
    latest = session.scalar(select(func.max(Event.event_time)))
    if latest is None:
        return []
    reference = min(scope.now, latest)
    cutoff = reference - timedelta(days=scope.config.gap_days)
    last = (
        select(Event.recorder_id.label("party"), func.max(Event.event_time).label("last"))
        .join(Party, Party.id == Event.recorder_id)
        .where(Party.actor.in_(("enterprise", "platform")))
        .group_by(Event.recorder_id)
        .subquery()
    )
    quiet = session.execute(select(last.c.party, last.c.last).where(last.c.last < cutoff)).all()
    hits = []
    for party, at in quiet:
        day = day_count(session, Event.event_time)
        days = session.scalar(
            select(func.count(func.distinct(day))).where(
                Event.recorder_id == party, Event.event_time > at - timedelta(days=7), Event.event_time <= at
            )
        )
        if int(days or 0) < scope.config.gap_daily_days:
            continue
        pk = session.scalar(
            select(Event.id)
            .where(Event.recorder_id == party, Event.event_time == at)
            .order_by(Event.id.desc())
            .limit(1)
        )
        if pk is None:
            continue
        idle = (reference - at).days
        hits.append(
            Hit(
                key=f"{party}\n{at.date().isoformat()}",
                events=(pk,),
                codes=(),
                party_id=party,
                detail_zh=f"该主体此前每天记录（最近 7 天中 {days} 天），已 {idle} 天没有新记录",
                detail_en=f"this party recorded daily ({days} of the 7 days before) and has recorded nothing for "
                f"{idle} days",
                facts={"days_recorded": int(days or 0), "idle_days": idle, "last_event_time": at.isoformat()},
            )
        )
    return hits


RULE = RiskRule(
    id="recording_gap",
    severity="low",
    name_zh="记录中断",
    name_en="recording stopped",
    explanation_zh="原本每天记录追溯数据的企业连续多天没有任何记录。",
    explanation_en="An enterprise that recorded every day has recorded nothing for several days.",
    timed=True,
    find=find,
)
