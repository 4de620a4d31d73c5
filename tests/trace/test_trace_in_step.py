"""A trace both ways walks back and forward in step (``walk.walk_both``): the same answer as the two walks one
after the other, and on PostgreSQL one statement per level of both, on both databases."""

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.trace import chains
from tests.trace.chains import PLANT, X
from tests.trace.test_trace_service import capture
from zhuisu.codes.canonical import canonical_code
from zhuisu.trace import service
from zhuisu.trace.walk import Walk, walk, walk_both

ITEMS = [chains.sgtin("088888", n) for n in range(30)]
CASES = [chains.sscc(1000 + n) for n in range(3)]
PALLET = chains.sscc(2000)


@pytest.fixture
def packed(session: Session) -> Session:
    # given: one lot made into 30 items, packed 10 to a case, the 3 cases on one pallet
    events = [chains.transform("big", 1, PLANT, input_qty=[chains.kg(X, 10)], outputs=ITEMS)]
    events += [chains.pack(f"case{n}", 2, PLANT, CASES[n], ITEMS[n * 10 : (n + 1) * 10]) for n in range(3)]
    events += [chains.pack("pal", 3, PLANT, PALLET, CASES)]
    capture(session, events)
    session.flush()
    return session


def _read(w: Walk) -> tuple[Any, ...]:
    links = w.links
    return (
        w.start,
        w.reach,
        w.depth,
        {k: sorted((t, other) for t, others in v for other in others) for k, v in links.outputs.items() if v},
        {k: sorted((t, other) for t, others in v for other in others) for k, v in links.inputs.items() if v},
        {k: sorted(v) for k, v in links.as_child.items() if v},
        {k: sorted(v, key=repr) for k, v in links.as_parent.items() if v},
        {k: v for k, v in links.emptied.items() if v},
        links.fetched,
        links.fetched_down,
    )


class TestWalkBoth:
    @pytest.mark.parametrize("start", [ITEMS[0], CASES[1], PALLET, X])
    def test_same_walks_as_one_after_the_other(self, packed: Session, start: str) -> None:
        code = canonical_code(start)
        # when
        back, forward = walk_both(packed, code)
        # then
        assert _read(back) == _read(walk(packed, code, "back"))
        assert _read(forward) == _read(walk(packed, code, "forward"))

    def test_from_an_item_both_sides_three_levels(self, packed: Session) -> None:
        back, forward = walk_both(packed, canonical_code(ITEMS[0]))
        assert (back.depth, forward.depth) == (3, 3)
        assert set(back.reach) == {canonical_code(t) for t in (ITEMS[0], X, CASES[0], PALLET)}
        assert set(forward.reach) == {canonical_code(t) for t in (ITEMS[0], CASES[0], PALLET)}


class TestStatements:
    def test_one_statement_per_level_of_both_on_postgresql(self, packed: Session, queries: list[str]) -> None:
        # when: item ← lot, item → case → pallet (the back walk goes up to the case and pallet too)
        result = service.trace(packed, ITEMS[0], direction="both")
        # then: 3 levels a side; then events and transformation balances (no thing only the forward walk reached:
        # no transforms_into)
        assert result.depth == 6
        assert len(result.events) == 3
        postgresql = packed.get_bind().dialect.name == "postgresql"
        assert len(queries) == (3 if postgresql else 6) + 2
        assert sum("SELECT 0 AS side" in q for q in queries) == (3 if postgresql else 0)

    def test_one_direction_is_unchanged(self, packed: Session, queries: list[str]) -> None:
        result = service.trace(packed, X, direction="forward")
        assert result.depth == 4
        assert len(queries) == result.depth + 2
        assert not any("SELECT 0 AS side" in q for q in queries)
