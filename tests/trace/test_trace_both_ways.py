"""The one query a trace both ways makes beyond its two walks: transformation links from a thing only the back
walk reached to a thing only the forward walk reached (neither walk read them), on both databases."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests.trace import chains
from tests.trace.chains import PLANT, c
from tests.trace.test_trace_service import capture
from zhuisu.trace import repository, service
from zhuisu.trace.walk import walk

U, S, V, W = (chains.sgtin("077777", n) for n in range(1, 5))


def hour(h: float) -> float:
    return (chains.T0 + timedelta(hours=h)).timestamp()


def one(code: str) -> str:
    return next(iter(c(code)))


@pytest.fixture
def merged(session: Session) -> Session:
    # given: U made into S at 1h; then U and S together made into V at 2h (links U→S, U→V, S→V); W unrelated
    capture(
        session,
        [
            chains.transform("m1", 1, PLANT, inputs=[U], outputs=[S]),
            chains.transform("m2", 2, PLANT, inputs=[U, S], outputs=[V]),
            chains.transform("m3", 3, PLANT, inputs=[W], outputs=[chains.sgtin("077777", 9)]),
        ],
    )
    session.flush()
    return session


class TestTransformsInto:
    def test_links_from_the_sources_into_the_outputs(self, merged: Session) -> None:
        rows = repository.transforms_into(merged, [one(V)], [one(U)])
        assert [(src, dst, float(ts)) for src, dst, ts in rows] == [(one(U), one(V), hour(2))]

    def test_sources_not_linked_to_the_outputs_give_nothing(self, merged: Session) -> None:
        assert list(repository.transforms_into(merged, [one(V)], [one(W)])) == []
        assert list(repository.transforms_into(merged, [one(S)], [one(V)])) == []

    def test_several_sources_and_outputs_in_one_query(self, merged: Session) -> None:
        rows = repository.transforms_into(merged, [one(V), one(S)], [one(U), one(W)])
        assert sorted((src, dst, float(ts)) for src, dst, ts in rows) == sorted(
            [(one(U), one(V), hour(2)), (one(U), one(S), hour(1))]
        )


class TestTraceBothWays:
    def test_the_link_neither_walk_read_is_found(self, merged: Session) -> None:
        # when: a trace both ways from S: the back walk reaches U, the forward walk V
        walks = [walk(merged, one(S), "back"), walk(merged, one(S), "forward")]
        reach = {**walks[0].reach, **walks[1].reach}
        # then: U→V is read by the extra query; U→S and S→V come from the walks
        assert set(walks[0].reach) == {one(S), one(U)}
        assert set(walks[1].reach) == {one(S), one(V)}
        assert service._transforms(merged, walks, reach) == sorted(
            [(one(U), one(S), hour(1)), (one(S), one(V), hour(2)), (one(U), one(V), hour(2))]
        )

    def test_one_direction_makes_no_extra_query(self, merged: Session) -> None:
        forward = [walk(merged, one(U), "forward")]
        assert service._transforms(merged, forward, forward[0].reach) == sorted(
            [(one(U), one(S), hour(1)), (one(U), one(V), hour(2)), (one(S), one(V), hour(2))]
        )

    def test_trace_both_ways_answers(self, merged: Session) -> None:
        result = service.trace(merged, S, direction="both")
        assert set(result.things) == c(U, S, V)
        assert set(result.events) == {chains.eid("m1"), chains.eid("m2")}
        assert result.findings == []
