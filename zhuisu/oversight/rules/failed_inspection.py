"""``failed_inspection_in_circulation``: a lot or item that failed a test is shipped or sold afterwards.

A failed test is an event with bizStep ``inspecting`` or ``sampling`` and disposition ``non_conformant``, or a
``zs:result`` of 不合格 / failed (what the product page shows as the inspection result, ``portal.service``). What
it names (roles ``epc``, ``quantity``) and the containers they were packed into (two levels of ``pack`` links,
whatever the time) are in circulation when an event later than the test ships (``shipping``) or sells them
(``retail_selling``, ``dispensing``, dispositions ``retail_sold``, ``dispensed``). One alert per failed test, with
the test and every such event as evidence; the party that first put it in circulation answers for it.
"""

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from zhuisu.models import Event, EventEpc, TraceLink
from zhuisu.oversight.rules.base import CHUNK, Hit, RiskRule, Scope

TEST_STEPS = ("inspecting", "sampling")
FAILED = {"不合格", "failed", "fail", "non_conformant", "nonconformant", "unqualified"}
ROLES = ("epc", "quantity")
MOVES = ("shipping", "retail_selling", "dispensing")
SOLD = ("retail_sold", "dispensed")


def failed(disposition: str | None, body: dict[str, Any]) -> bool:
    """Whether a test event says the test failed.

    >>> failed("non_conformant", {}), failed("conformant", {"zs:result": "不合格"}), failed(None, {"zs:result": "合格"})
    (True, True, False)
    """
    result = body.get("zs:result")
    return disposition == "non_conformant" or (isinstance(result, str) and result.strip().lower() in FAILED)


def find(session: Session, scope: Scope) -> list[Hit]:
    if not scope.full:
        if not any(e.step in TEST_STEPS or e.step in MOVES or e.disposition in SOLD for e in scope.new):
            return []
        if session.scalar(select(Event.id).where(Event.biz_step.in_(TEST_STEPS)).limit(1)) is None:
            return []  # no test recorded at all: one index probe
    tests = _failed_tests(session, scope)
    if not tests:
        return []
    named: dict[int, set[str]] = defaultdict(set)
    pks = sorted(tests)
    for start in range(0, len(pks), CHUNK):
        for pk, code in session.execute(
            select(EventEpc.event_pk, EventEpc.value).where(
                EventEpc.event_pk.in_(pks[start : start + CHUNK]), EventEpc.role.in_(ROLES)
            )
        ):
            named[pk].add(code)
    hits = []
    for pk, (t, recorder) in sorted(tests.items()):
        codes = _with_containers(session, named[pk])
        if not codes:
            continue
        moves: dict[int, str] = {}
        listed = sorted(codes)
        for start in range(0, len(listed), CHUNK):
            for later, who in session.execute(
                select(Event.id, Event.recorder_id)
                .join(EventEpc, EventEpc.event_pk == Event.id)
                .where(
                    EventEpc.value.in_(listed[start : start + CHUNK]),
                    Event.event_time > t,
                    or_(Event.biz_step.in_(MOVES), Event.disposition.in_(SOLD)),
                )
                .order_by(Event.event_time, Event.id)
            ):
                moves.setdefault(later, who)
        if not moves:
            continue
        first_party = next(iter(moves.values()))
        tested = sorted(named[pk])
        hits.append(
            Hit(
                key=str(pk),
                events=(pk, *moves),
                codes=tuple(tested),
                party_id=first_party,
                detail_zh=f"检验不合格的 {'、'.join(tested[:3])} 在检验后仍被发货或销售 {len(moves)} 次",
                detail_en=f"{', '.join(tested[:3])} failed a test and was shipped or sold {len(moves)} times "
                "afterwards",
                facts={"moves": len(moves), "tester": recorder},
            )
        )
    return hits


def _failed_tests(session: Session, scope: Scope) -> dict[int, tuple[Any, str]]:
    """Failed tests (pk → (time, recorder)) the scope concerns: all, or those naming (or naming what is packed in)
    a code the scope's events name, or being one of them."""
    statement = select(Event.id, Event.event_time, Event.recorder_id, Event.disposition, Event.body).where(
        Event.biz_step.in_(TEST_STEPS)
    )
    if not scope.full:
        scope_codes = scope.named_codes()
        inner = select(TraceLink.dst).where(TraceLink.kind == "pack", TraceLink.src.in_(scope_codes))
        deeper = select(TraceLink.dst).where(TraceLink.kind == "pack", TraceLink.src.in_(inner))
        test_epc = aliased(EventEpc)
        concerned = select(test_epc.event_pk).where(
            or_(test_epc.value.in_(scope_codes), test_epc.value.in_(inner), test_epc.value.in_(deeper))
        )
        statement = statement.where(or_(scope.new_events(), and_(Event.id.in_(concerned))))
    return {
        pk: (t, recorder)
        for pk, t, recorder, disposition, body in session.execute(statement)
        if failed(disposition, body)
    }


def _with_containers(session: Session, codes: set[str]) -> set[str]:
    found = set(codes)
    level = set(codes)
    for _ in range(2):
        if not level:
            break
        listed = sorted(level)
        parents: set[str] = set()
        for start in range(0, len(listed), CHUNK):
            parents.update(
                session.scalars(
                    select(TraceLink.src).where(
                        TraceLink.kind == "pack", TraceLink.dst.in_(listed[start : start + CHUNK])
                    )
                )
            )
        level = parents - found
        found |= parents
    return found


RULE = RiskRule(
    id="failed_inspection_in_circulation",
    severity="high",
    name_zh="不合格产品流通",
    name_en="failed lot in circulation",
    explanation_zh="检验检测不合格的批次或单品（或装有它的箱、托盘）在检验之后仍被发货或销售。",
    explanation_en="A lot or item that failed a test (or a case or pallet holding it) was shipped or sold after the "
    "test.",
    timed=False,
    find=find,
)
