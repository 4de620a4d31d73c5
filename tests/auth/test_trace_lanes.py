"""What each caller sees of a trace, a recall impact and their exports (``trace.permissions``): the chain's things,
times and quantities when an event of it is in the caller's lane; parties and places by name only for itself and
its direct trading partners (a regulator: its jurisdiction's), every other as its region; nothing when no event is
in its lane. The pork chain of ``tests/trace/chains.py``, each event recorded by the party at its site."""

import csv
import io
import json

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials
from tests.support.epcis import document
from tests.trace import chains
from tests.trace.chains import CANTEEN, DC, FARM, FARM2, HOSPITAL, MARKET, PLANT, A, B, c, eid, pgln
from zhuisu.capture import service as capture_service
from zhuisu.codes.canonical import canonical_id
from zhuisu.db.session import unit_of_work
from zhuisu.models import Party
from zhuisu.parties import service as parties_service
from zhuisu.recall import export
from zhuisu.recall import service as recall_service
from zhuisu.trace import service

LOT_A, LOT_B = canonical_id(A), canonical_id(B)
FORWARD_OF_A = c(A, chains.I1, chains.I2, chains.I3, B, chains.C1, chains.C2, chains.PL1, chains.PL2, chains.PL3)
NAMES = {
    FARM: "农场",
    FARM2: "二号农场",
    PLANT: "屠宰厂",
    DC: "配送中心",
    MARKET: "超市",
    HOSPITAL: "医院",
    CANTEEN: "食堂",
}


def _site(event: dict[str, object]) -> str:
    place = event.get("bizLocation") or event["readPoint"]
    assert isinstance(place, dict)
    return str(place["id"]).split(".")[1]  # urn:epc:id:sgln:6901234.NNNNN.0


@pytest.fixture
def chain(maker: sessionmaker[Session]) -> dict[str, str]:
    """The pork chain, each event captured by the party at whose site it happened; the parties' ids by GLN."""
    with unit_of_work(maker) as s:
        parties: dict[str, Party] = {
            g: parties_service.create_party(s, name=NAMES[g], gln=g, region=region)
            for g, region in chains.REGIONS.items()
        }
        for event in chains.pork_chain():
            recorder = next(p for g, p in parties.items() if g[7:12] == _site(event))
            result = capture_service.capture_document(s, document(event), actor=recorder)
            assert [o.status for o in result.outcomes] == ["captured"], result.outcomes
        for party in parties.values():  # registered (备案) as meat processors after the fact: the chain's events
            party.product_class = "food.meat_product"  # lack the batch data the class's rules ask for
        return {g: p.id for g, p in parties.items()}


def _party(maker: sessionmaker[Session], party_id: str) -> Party:
    with unit_of_work(maker) as s:
        party = s.get(Party, party_id)
        assert party is not None
        s.expunge(party)
        return party


def _regulator(maker: sessionmaker[Session], jurisdiction: str, mandate: list[str] | None = None) -> Party:
    with unit_of_work(maker) as s:
        party = parties_service.create_party(s, name=f"{jurisdiction} 市场监管")
        parties_service.grant(s, party, actor_role="regulator", jurisdiction=jurisdiction, mandate=mandate)
        s.flush()
        s.expunge(party)
        return party


def _token(maker: sessionmaker[Session], party_id: str) -> Credentials:
    with unit_of_work(maker) as s:
        party = s.get(Party, party_id)
        assert party is not None
        return Credentials(party_id, parties_service.issue_token(s, party=party).secret)


class TestTrace:
    def test_an_enterprise_sees_its_partners_by_name_and_the_rest_as_regions(
        self, maker: sessionmaker[Session], chain: dict[str, str]
    ) -> None:
        dc = _party(maker, chain[DC])
        with unit_of_work(maker) as s:
            everything = service.trace(s, A, direction="forward")
            seen = service.trace(s, A, direction="forward", viewer=dc)
        assert seen.view == "lane"
        assert (set(seen.things), seen.events, seen.findings) == (FORWARD_OF_A, everything.events, everything.findings)
        assert everything.parties == sorted(pgln(g) for g in (PLANT, DC, MARKET, HOSPITAL, CANTEEN))
        assert seen.parties == sorted([*(pgln(g) for g in (PLANT, DC, MARKET, HOSPITAL)), "region:370114"])
        to_canteen = next(step for step in seen.timeline if step.event_id == eid("e26"))
        assert (to_canteen.source, to_canteen.destination, to_canteen.location, to_canteen.recorder) == (
            pgln(PLANT),
            "region:370114",
            f"https://id.gs1.org/414/{PLANT}",
            chain[PLANT],
        )
        assert CANTEEN not in seen.model_dump_json()
        assert chain[CANTEEN] not in seen.model_dump_json()

    def test_two_steps_up_is_a_region(self, maker: sessionmaker[Session], chain: dict[str, str]) -> None:
        canteen = _party(maker, chain[CANTEEN])
        with unit_of_work(maker) as s:
            seen = service.trace(s, B, direction="back", viewer=canteen)
        assert set(seen.things) == c(B, A, chains.P1, chains.P2, chains.P3)
        assert seen.parties == sorted([pgln(PLANT), pgln(CANTEEN), "region:370102", "region:370103"])
        farm_to_plant = next(step for step in seen.timeline if step.event_id == eid("e3"))
        assert (farm_to_plant.source, farm_to_plant.destination, farm_to_plant.location, farm_to_plant.recorder) == (
            "region:370102",
            pgln(PLANT),
            "region:370102",
            "region:370102",
        )
        assert {(r.party, r.role) for r in seen.responsibility} == {
            ("region:370102", "source"),
            ("region:370102", "recorder"),
            ("region:370103", "source"),
            ("region:370103", "recorder"),
            (pgln(PLANT), "source"),
            (pgln(PLANT), "destination"),
            (chain[PLANT], "recorder"),
            (pgln(CANTEEN), "destination"),
        }
        dumped = seen.model_dump_json()
        assert all(secret not in dumped for secret in (FARM, FARM2, chain[FARM], chain[FARM2]))

    def test_a_stranger_sees_what_it_would_for_a_code_nobody_recorded(
        self, maker: sessionmaker[Session], chain: dict[str, str]
    ) -> None:
        with unit_of_work(maker) as s:
            stranger = parties_service.create_party(s, name="无关企业", gln=chains.gln(9), region="110101")
            s.flush()
            seen = service.trace(s, A, viewer=stranger).model_dump()
            unknown = service.trace(s, "urn:epc:class:lgtin:6901234.099999.Z9", viewer=stranger).model_dump()
        assert (seen["things"], seen["events"], seen["parties"], seen["timeline"]) == ([LOT_A], [], [], [])
        assert {k: v for k, v in seen.items() if k not in ("code", "things")} == {
            k: v for k, v in unknown.items() if k not in ("code", "things")
        }

    def test_a_district_regulator_sees_its_district_by_name(
        self, maker: sessionmaker[Session], chain: dict[str, str]
    ) -> None:
        district = _regulator(maker, "370105")  # the distribution centre's district
        with unit_of_work(maker) as s:
            seen = service.trace(s, A, direction="forward", viewer=district)
        assert set(seen.things) == FORWARD_OF_A
        assert seen.parties == sorted([*(pgln(g) for g in (PLANT, DC, MARKET, HOSPITAL)), "region:370114"])
        plant_to_dc = next(step for step in seen.timeline if step.event_id == eid("e13"))  # recorded by the plant
        assert (plant_to_dc.source, plant_to_dc.location, plant_to_dc.recorder) == (
            pgln(PLANT),  # named by the centre's own receipt (e14)
            "region:370104",
            "region:370104",
        )

    def test_a_regulator_elsewhere_or_without_the_mandate_sees_nothing(
        self, maker: sessionmaker[Session], chain: dict[str, str]
    ) -> None:
        for regulator in (_regulator(maker, "3702"), _regulator(maker, "3701", ["drug"])):
            with unit_of_work(maker) as s:
                seen = service.trace(s, A, viewer=regulator)
            assert (seen.things, seen.events, seen.parties) == ([LOT_A], [], [])

    def test_the_city_regulator_with_the_mandate_sees_every_name(
        self, maker: sessionmaker[Session], chain: dict[str, str]
    ) -> None:
        city = _regulator(maker, "3701", ["food"])
        with unit_of_work(maker) as s:
            everything = service.trace(s, A)
            seen = service.trace(s, A, viewer=city)
        assert seen.view == "lane"
        assert seen.model_dump(exclude={"view"}) == everything.model_dump(exclude={"view"})


class TestImpact:
    def test_holders_beyond_the_partners_are_regions(self, maker: sessionmaker[Session], chain: dict[str, str]) -> None:
        dc = _party(maker, chain[DC])
        with unit_of_work(maker) as s:
            seen = recall_service.recall_impact(s, A, viewer=dc)
        assert set(seen.things) == FORWARD_OF_A
        assert seen.holders == sorted([*(pgln(g) for g in (PLANT, DC, MARKET, HOSPITAL)), "region:370114"])
        assert seen.holder_of[LOT_B] == "region:370114"
        assert seen.regions == ["370104", "370105", "370112", "370113", "370114"]
        assert seen.quantities[LOT_A].value == 300.0

    def test_a_stranger_gets_the_impact_of_a_code_nobody_recorded(
        self, maker: sessionmaker[Session], chain: dict[str, str]
    ) -> None:
        elsewhere = _regulator(maker, "3702")
        with unit_of_work(maker) as s:
            seen = recall_service.recall_impact(s, A, viewer=elsewhere)
        assert (seen.things, seen.quantities, seen.holders, seen.regions, seen.holder_of) == ([LOT_A], {}, [], [], {})

    def test_the_export_masks_other_events_and_leaves_out_their_bodies(
        self, maker: sessionmaker[Session], chain: dict[str, str]
    ) -> None:
        dc = _party(maker, chain[DC])
        with unit_of_work(maker) as s:
            impact = recall_service.recall_impact(s, A, viewer=dc)
            table = export.render(s, impact, fmt="csv", where=export.Filter(), viewer=dc).decode("utf-8-sig")
            document_ = orjson.loads(export.render(s, impact, fmt="jsonld", where=export.Filter(), viewer=dc))
        rows = list(csv.reader(io.StringIO(table)))[1:]
        to_canteen = next(r for r in rows if r[13] == eid("e26"))
        assert (to_canteen[6], to_canteen[7], to_canteen[8], to_canteen[12]) == (
            f"https://id.gs1.org/414/{PLANT}",
            pgln(PLANT),
            "region:370114",
            "region:370114",
        )
        assert CANTEEN not in table
        lane = ["e13", "e14", "e15", "e16", "e17", "e18", "e19", "e20", "e21", "e24", "e25"]
        assert sorted(e["eventID"] for e in document_["epcisBody"]["eventList"]) == sorted(eid(n) for n in lane)


class TestHttp:
    def test_trace_and_impact_by_token(
        self, client: TestClient, maker: sessionmaker[Session], chain: dict[str, str]
    ) -> None:
        dc, plant = _token(maker, chain[DC]), _token(maker, chain[FARM])
        forward = client.get(f"/trace/{LOT_A}", params={"direction": "forward"}, headers=dc.headers).json()
        assert forward["parties"] == sorted([*(pgln(g) for g in (PLANT, DC, MARKET, HOSPITAL)), "region:370114"])
        assert forward["view"] == "lane"
        # the farm's lane holds the pigs, not lot A's way forward: nothing of it is in the farm's events
        assert client.get(f"/trace/{LOT_A}", params={"direction": "forward"}, headers=plant.headers).json()[
            "things"
        ] == [LOT_A]
        impact = client.get(f"/trace/{LOT_A}/impact", headers=dc.headers).json()
        assert impact["holder_of"][LOT_B] == "region:370114"
        sheet = client.get(f"/trace/{LOT_A}/impact.csv", headers=dc.headers)
        assert sheet.status_code == 200
        assert CANTEEN not in sheet.text

    def test_the_desk_names_regions(
        self, client: TestClient, maker: sessionmaker[Session], chain: dict[str, str]
    ) -> None:
        district, elsewhere = _regulator(maker, "370105"), _regulator(maker, "3702")
        seen = client.get(f"/api/v1/dashboard/trace/{LOT_A}", headers=_token(maker, district.id).headers).json()
        assert seen["party_names"]["region:370114"] == "地区 山东省济南市章丘区"
        assert seen["party_names"][pgln(DC)] == "配送中心"
        far = client.get(f"/api/v1/dashboard/impact/{LOT_A}", headers=_token(maker, elsewhere.id).headers).json()
        assert (far["impact"]["things"], far["impact"]["holders"], far["party_names"]) == ([LOT_A], [], {})
        assert json.dumps(far).count("370114") == 0
