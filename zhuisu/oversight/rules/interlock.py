"""``interlock``: an event stored although it failed an interlock of a catalog rule that flags rather than refuses
(``zhuisu.sectors.interlocks``): a cylinder filled after it was scrapped, overdue for inspection or never
registered here; a controlled chemical sold without the buyer's permit.

One alert per flagged event and interlock, with the event as evidence and the reason the interlock gave; the
answerable party is the recorder. At capture it reads the flags of the new events only.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.models import Event, EventEpc, EventFlag
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope

PREFIX = "interlock:"


def find(session: Session, scope: Scope) -> list[Hit]:
    rows = session.execute(
        select(
            EventFlag.event_pk,
            EventFlag.recorder_id,
            EventFlag.class_id,
            EventFlag.rule_id,
            EventFlag.elements,
            EventFlag.detail,
        )
        .join(Event, Event.id == EventFlag.event_pk)
        .where(scope.new_events(EventFlag.event_pk))
        .order_by(EventFlag.event_pk, EventFlag.id)
    ).all()
    flagged = [r for r in rows if any(str(e).startswith(PREFIX) for e in r.elements or ())]
    if not flagged:
        return []
    pks = sorted({r.event_pk for r in flagged})
    codes: dict[int, list[str]] = {}
    for start in range(0, len(pks), 500):
        for pk, value in session.execute(
            select(EventEpc.event_pk, EventEpc.value)
            .where(EventEpc.event_pk.in_(pks[start : start + 500]), EventEpc.role == "epc")
            .order_by(EventEpc.event_pk, EventEpc.id)
        ):
            codes.setdefault(pk, []).append(value)
    hits: list[Hit] = []
    for r in flagged:
        detail = r.detail or {}
        for name in (str(e).removeprefix(PREFIX) for e in r.elements if str(e).startswith(PREFIX)):
            zh, en = str(detail.get("zh") or name), str(detail.get("en") or name)
            hits.append(
                Hit(
                    key=f"{r.event_pk}\n{name}",
                    events=(r.event_pk,),
                    codes=tuple(sorted(set(codes.get(r.event_pk, ()))))[:20],
                    party_id=r.recorder_id,
                    class_id=r.class_id,
                    detail_zh=f"事件未通过联锁检查（规则 {r.rule_id}）：{zh}",
                    detail_en=f"the event failed an interlock (rule {r.rule_id}): {en}",
                    facts={
                        "interlock": name,
                        "rule": r.rule_id,
                        **{k: v for k, v in detail.items() if k not in ("zh", "en")},
                    },
                )
            )
    return hits


RULE = RiskRule(
    id="interlock",
    severity="high",
    name_zh="联锁检查未通过",
    name_en="interlock failed",
    explanation_zh="目录规则要求的联锁检查未通过、但该规则设为“标记”而非“拒收”的事件：例如气瓶报废、停用、超期未检或未在本节点"
    "登记后仍被充装，受管控危险化学品售予无有效购买许可的买方。事件已保存，待监管核查。",
    explanation_en="An event stored although it failed an interlock its catalog rule names, the rule being set to flag "
    "rather than refuse: a cylinder filled after it was scrapped or suspended, overdue for inspection or never "
    "registered here; a controlled chemical sold to a buyer without a valid permit.",
    timed=False,
    find=find,
)
