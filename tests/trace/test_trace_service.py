"""Trace back, forward and recall impact on hand-built chains with known answers, on both databases."""

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.support.epcis import document
from tests.trace import chains
from tests.trace.chains import (
    C1,
    C2,
    C9,
    CANTEEN,
    DC,
    FARM,
    FARM2,
    HOSPITAL,
    I1,
    I2,
    I3,
    I9,
    MARKET,
    P1,
    P2,
    P3,
    PL1,
    PL2,
    PL3,
    PLANT,
    A,
    B,
    D,
    X,
    Y,
    c,
    eid,
    pgln,
)
from zhuisu.capture import service as capture_service
from zhuisu.models import Party, TraceLink
from zhuisu.parties import service as parties_service
from zhuisu.recall import service as recall_service
from zhuisu.trace import service


def _actor(session: Session) -> Party:
    for n, (g, region) in enumerate(chains.REGIONS.items()):
        parties_service.create_party(session, name=f"示范企业{n}", gln=g, region=region)
    return parties_service.create_party(session, name="记录方")


def capture(session: Session, events: list[dict[str, Any]]) -> None:
    result = capture_service.capture_document(session, document(*events), actor=_actor(session))
    assert [o.status for o in result.outcomes] == ["captured"] * len(events), result.outcomes


def ids(*names: str) -> list[str]:
    return [eid(n) for n in names]


@pytest.fixture
def pork(session: Session) -> Session:
    capture(session, chains.pork_chain())
    return session


class TestGraph:
    def test_links_written_at_capture(self, pork: Session) -> None:
        rows = pork.query(TraceLink.kind).all()
        kinds = sorted(k for (k,) in rows)
        # transform: P1,P2 (e7a) x A via the shared id + P3 x A + A x (I1,I2,I3,B); pack: 2+1+1+3+2+1; unpack: 1+1
        assert kinds.count("transform") == 7
        assert kinds.count("pack") == 10
        assert kinds.count("unpack") == 2

    def test_shared_transformation_id_in_any_order(self, session: Session) -> None:
        events = chains.pork_chain()
        late_first = [e for e in events if e["eventID"] == eid("e7b")]
        capture(session, late_first)
        capture_service.capture_document(
            session,
            document(*[e for e in events if e["eventID"] != eid("e7b")]),
            actor=parties_service.create_party(session, name="另一记录方"),
        )
        assert set(service.trace(session, P1, direction="forward").things) >= c(A, I1)
        assert set(service.trace(session, I1, direction="back").things) >= c(P1, P2, P3)


class TestTrace:
    def test_forward_from_a_pig(self, pork: Session) -> None:
        result = service.trace(pork, P1, direction="forward")
        assert result.code == "https://id.gs1.org/01/06901234123456/21/1"
        assert set(result.things) == c(P1, A, I1, I2, I3, B, C1, C2, PL1, PL2, PL3)
        assert set(result.events) == set(
            ids(
                "e1",
                "e3",
                "e4",
                "e7a",
                "e7b",
                "e8",
                "e9",
                "e10",
                "e12",
                "e13",
                "e14",
                "e15",
                "e16",
                "e17",
                "e18",
                "e19",
                "e20",
                "e21",
                "e22",
                "e23",
                "e24",
                "e25",
                "e26",
            )
        )
        assert result.parties == sorted(pgln(g) for g in (FARM, PLANT, DC, MARKET, HOSPITAL, CANTEEN))

    def test_back_from_a_sold_item(self, pork: Session) -> None:
        result = service.trace(pork, I1, direction="back")
        assert set(result.things) == c(I1, A, P1, P2, P3, C1, PL1, PL2)
        assert set(result.events) == set(
            ids(
                "e1",
                "e2",
                "e3",
                "e4",
                "e5",
                "e6",
                "e7a",
                "e7b",
                "e8",
                "e9",
                "e12",
                "e13",
                "e14",
                "e15",
                "e16",
                "e18",
                "e19",
                "e22",
                "e23",
            )
        )
        assert result.events[0] in ids("e1", "e2")
        assert result.events[-1] == eid("e23")

    def test_back_from_the_returned_item_follows_its_case(self, pork: Session) -> None:
        result = service.trace(pork, I2, direction="back")
        assert set(result.things) == c(I2, A, P1, P2, P3, C1, PL1, PL2)
        assert eid("e24") in result.events
        assert eid("e25") in result.events

    def test_back_from_a_pallet_includes_its_contents_origins(self, pork: Session) -> None:
        result = service.trace(pork, PL3, direction="back")
        assert set(result.things) == c(PL3, C2, I3, A, P1, P2, P3, PL1)  # C2 came to the DC on PL1

    def test_forward_from_a_pallet_does_not_leak_to_siblings(self, pork: Session) -> None:
        result = service.trace(pork, C9, direction="forward")
        assert set(result.things) == c(C9, I9, PL1, PL2)

    def test_both_directions_of_the_lot(self, pork: Session) -> None:
        result = service.trace(pork, "(01)06901234222227(10)A1", direction="both")
        assert result.code == "https://id.gs1.org/01/06901234222227/10/A1"
        assert set(result.things) == c(A, P1, P2, P3, I1, I2, I3, B, C1, C2, PL1, PL2, PL3)

    def test_lot_shipped_and_never_received_is_a_finding(self, pork: Session) -> None:
        result = service.trace(pork, B, direction="forward")
        assert [(f.kind, f.thing, f.events) for f in result.findings] == [
            ("shipped_not_received", canonical(B), ids("e26"))
        ]

    def test_timeline_and_responsibility(self, pork: Session) -> None:
        result = service.trace(pork, PL2, direction="forward")
        own = [s for s in result.timeline if canonical(PL2) in s.things]
        assert [s.event_id for s in own] == ids("e16", "e18", "e19")
        assert [s.event_id for s in result.timeline] == ids("e16", "e18", "e19", "e22", "e23", "e24", "e25")
        assert [(s.biz_step, s.destination) for s in own] == [
            ("packing", None),
            ("shipping", pgln(MARKET)),
            ("receiving", pgln(MARKET)),
        ]
        assert [(r.party, r.role) for r in result.responsibility if r.role != "recorder"] == [
            (pgln(DC), "source"),
            (pgln(MARKET), "destination"),
            (pgln(DC), "destination"),
            (pgln(MARKET), "source"),
        ]


def canonical(code: str) -> str:
    return next(iter(c(code)))


class TestImpact:
    def test_impact_of_the_lot(self, pork: Session) -> None:
        result = recall_service.recall_impact(pork, A)
        assert set(result.things) == c(A, I1, I2, I3, B, C1, C2, PL1, PL2, PL3)
        assert {k: (q.value, q.uom) for k, q in result.quantities.items()} == {
            canonical(A): (300.0, "KGM"),
            canonical(B): (100.0, "KGM"),
        }
        assert result.holder_of[canonical(I1)] == pgln(MARKET)
        assert result.holder_of[canonical(I2)] == pgln(DC)
        assert result.holder_of[canonical(I3)] == pgln(HOSPITAL)
        assert result.holder_of[canonical(B)] == pgln(CANTEEN)
        assert result.holder_of[canonical(A)] == pgln(PLANT)
        assert result.holders == sorted(pgln(g) for g in (PLANT, DC, MARKET, HOSPITAL, CANTEEN))
        assert result.regions == ["370104", "370105", "370112", "370113", "370114"]

    def test_impact_of_a_pig_from_the_other_farm(self, pork: Session) -> None:
        result = recall_service.recall_impact(pork, P3)
        assert set(result.things) == c(P3, A, I1, I2, I3, B, C1, C2, PL1, PL2, PL3)
        assert FARM2 not in "".join(result.holders)

    def test_unknown_code_has_nothing_downstream(self, pork: Session) -> None:
        result = recall_service.recall_impact(pork, "urn:epc:id:sgtin:6901234.099999.1")
        assert (result.things, result.quantities, result.holders, result.regions) == (
            ["https://id.gs1.org/01/06901234999990/21/1"],
            {},
            [],
            [],
        )


class TestFindings:
    def test_anomalies(self, session: Session) -> None:
        capture(session, chains.anomaly_chain())
        found = service.trace(session, D, direction="both").findings
        assert [(f.kind, f.thing, f.events) for f in found] == [
            ("times_out_of_order", canonical(D), sorted(ids("d4", "d3"))),
            ("used_after_destroyed", canonical(D), sorted(ids("d2", "d3", "d4"))),
        ]
        balance = service.trace(session, X, direction="forward").findings
        assert [(f.kind, f.thing) for f in balance] == [("mass_balance", eid("m1"))]
        assert balance[0].message_en == f"transformation {eid('m1')} put out 60 KGM, more than its inputs 50 KGM"
        assert set(service.trace(session, Y, direction="back").things) == c(X, Y)


class TestQueryCount:
    def test_bounded_by_depth_not_by_things(self, session: Session, queries: list[str]) -> None:
        # given: one lot made into 300 items, packed 10 to a case, the cases on 3 pallets
        items = [chains.sgtin("088888", n) for n in range(300)]
        cases = [chains.sscc(1000 + n) for n in range(30)]
        events = [chains.transform("big", 1, PLANT, input_qty=[chains.kg(X, 10)], outputs=items)]
        events += [chains.pack(f"case{n}", 2, PLANT, cases[n], items[n * 10 : (n + 1) * 10]) for n in range(30)]
        events += [
            chains.pack(f"pal{n}", 3, PLANT, chains.sscc(2000 + n), cases[n * 10 : (n + 1) * 10]) for n in range(3)
        ]
        capture(session, events)
        session.flush()
        queries.clear()
        # when
        forward = service.trace(session, X, direction="forward")
        # then: levels X → items → cases → pallets → (nothing), plus events and balances
        assert len(forward.things) == 1 + 300 + 30 + 3
        assert forward.depth == 4
        assert len(queries) == forward.depth + 2
        queries.clear()
        impact = recall_service.recall_impact(session, X)
        assert len(impact.things) == 334
        assert impact.holders == [pgln(PLANT)]
        # levels (each with the parties holding its things), places (no event names a party: holders by business
        # location), regions, quantities; on PostgreSQL one more, first: the transaction's settings for bulk reads
        # (SET LOCAL jit, work_mem)
        setup = 1 if session.get_bind().dialect.name == "postgresql" else 0
        assert len(queries) == setup + 4 + 3
        assert [q for q in queries if "set_config('jit'" in q] == queries[:setup]
