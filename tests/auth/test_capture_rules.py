"""What a party may record: events at its own sites (or unregistered ones), never at a site another party registered;
recalls and inspection results of its own products (a regulator supervising the producer, or the admin, anyone's;
an inspection body, results); the destruction of what it holds. A refused event is stored nowhere."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials
from tests.support.epcis import document, object_event
from zhuisu.db.session import unit_of_work
from zhuisu.issuance import service as issuance_service
from zhuisu.models import Event, Party
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

A_SITE, B_SITE, B_PGLN = "6901234000115", "6901234000122", "6901234000054"
A_GTIN = "06901234567892"


def _party(
    maker: sessionmaker[Session],
    name: str,
    site: str,
    role: str = "enterprise",
    *,
    jurisdiction: str | None = "3706",
    mandate: list[str] | None = None,
    gln: str | None = None,
) -> Credentials:
    with unit_of_work(maker) as s:
        party = parties_service.create_party(s, name=name, region="370602", gln=gln)
        masterdata.add_location(s, party, name=f"{name}场所", gln=site)
        if role == "regulator":
            parties_service.grant(s, party, actor_role=role, jurisdiction=jurisdiction, mandate=mandate)
        elif role != "enterprise":
            parties_service.grant(s, party, actor_role=role)
        return Credentials(party.id, parties_service.issue_token(s, party=party).secret)


@pytest.fixture
def a(maker: sessionmaker[Session]) -> Credentials:
    creds = _party(maker, "示范市甲食品有限公司", A_SITE)
    with unit_of_work(maker) as s:
        producer = s.get_one(Party, creds.party_id)
        masterdata.register_product(s, name="甲牌牛奶", class_id="food", gtin=A_GTIN, producer=producer)
    return creds


@pytest.fixture
def b(maker: sessionmaker[Session]) -> Credentials:
    return _party(maker, "示范市乙食品有限公司", B_SITE, gln=B_PGLN)


def _stored(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Event)) or 0)


def _at(site: str, n: int, field: str = "bizLocation") -> dict[str, object]:
    return object_event(n, **{field: {"id": f"https://id.gs1.org/414/{site}"}})


def test_b_cannot_record_at_as_site(client: TestClient, session: Session, a: Credentials, b: Credentials) -> None:
    events = [_at(A_SITE, 1), _at(A_SITE, 2, "readPoint")]
    response = client.post("/capture", json=document(*events), headers=b.headers)
    assert response.status_code == 400
    assert [(e["eventIndex"], e["code"], e["pointer"]) for e in response.json()["errors"]] == [
        (0, "not_your_location", "/epcisBody/eventList/0/bizLocation/id"),
        (1, "not_your_location", "/epcisBody/eventList/1/readPoint/id"),
    ]
    assert _stored(session) == 0


def test_own_and_unregistered_sites_are_recorded(client: TestClient, session: Session, b: Credentials) -> None:
    events = [_at(B_SITE, 1), object_event(2, bizLocation={"id": "https://id.gs1.org/414/6901234000139"})]
    assert client.post("/capture", json=document(*events), headers=b.headers).status_code == 202
    assert _stored(session) == 2


def _recall(n: int) -> dict[str, object]:
    return object_event(
        n, epcList=[f"https://id.gs1.org/01/{A_GTIN}/21/{n}"], bizStep="holding", disposition="recalled"
    )


def test_only_the_brand_owner_or_an_authority_recalls(
    client: TestClient, maker: sessionmaker[Session], session: Session, a: Credentials, b: Credentials
) -> None:
    refused = client.post("/capture", json=document(_recall(1)), headers=b.headers)
    assert [(e["code"], e["pointer"]) for e in refused.json()["errors"]] == [
        ("not_your_product", "/epcisBody/eventList/0/disposition")
    ]
    assert _stored(session) == 0
    regulator = _party(maker, "示范市市场监督管理局", "6901234000146", role="regulator")
    for who, n in ((a, 2), (regulator, 3)):
        assert client.post("/capture", json=document(_recall(n)), headers=who.headers).status_code == 202
    assert _stored(session) == 2


def test_a_regulator_recalls_only_what_it_supervises(
    client: TestClient, maker: sessionmaker[Session], session: Session, a: Credentials
) -> None:
    elsewhere = _party(maker, "北京市市场监督管理局", "6901234000153", role="regulator", jurisdiction="11")
    drugs_only = _party(maker, "示范市药品监督管理局", "6901234000160", role="regulator", mandate=["drug"])
    food = _party(maker, "示范市食品监管", "6901234000177", role="regulator", mandate=["food"])
    outcomes = [
        client.post("/capture", json=document(_recall(n)), headers=who.headers)
        for n, who in ((1, elsewhere), (2, drugs_only), (3, food))
    ]
    assert [r.status_code for r in outcomes] == [400, 400, 202]
    assert [e["code"] for r in outcomes[:2] for e in r.json()["errors"]] == ["not_your_product", "not_your_product"]
    assert _stored(session) == 1


def _result(n: int, disposition: str) -> dict[str, object]:
    return object_event(
        n, epcList=[f"https://id.gs1.org/01/{A_GTIN}/21/{n}"], bizStep="inspecting", disposition=disposition
    )


def test_inspection_results_by_the_producer_an_inspection_body_or_an_authority(
    client: TestClient, maker: sessionmaker[Session], session: Session, a: Credentials, b: Credentials
) -> None:
    refused = client.post("/capture", json=document(_result(1, "non_conformant")), headers=b.headers)
    assert [(e["code"], e["pointer"]) for e in refused.json()["errors"]] == [
        ("not_your_inspection", "/epcisBody/eventList/0/disposition")
    ]
    assert _stored(session) == 0
    inspector = _party(maker, "示范市食品检验检测中心", "6901234000184", role="inspector")
    for n, who in ((2, inspector), (3, a)):
        sent = client.post("/capture", json=document(_result(n, "conformant")), headers=who.headers)
        assert sent.status_code == 202, sent.json()
    assert _stored(session) == 2


def test_only_the_holder_destroys_its_goods(
    client: TestClient, maker: sessionmaker[Session], session: Session, a: Credentials, b: Credentials
) -> None:
    # given an item A shipped to B: B holds it
    item = f"https://id.gs1.org/01/{A_GTIN}/21/77"
    to_b = object_event(
        1,
        epcList=[item],
        destinationList=[{"type": "owning_party", "destination": f"https://id.gs1.org/417/{B_PGLN}"}],
        **{"https://zhuisu.cn/ns/epcis/batch": "L1"},  # the batch the food class's shipping records carry
    )
    shipped = client.post("/capture", json=document(to_b), headers=a.headers)
    assert shipped.status_code == 202, shipped.json()
    c = _party(maker, "示范市丙回收站", "6901234000191")

    def destroy(n: int) -> dict[str, object]:
        return object_event(n, epcList=[item], action="DELETE", bizStep="destroying", disposition="destroyed")

    # when a third party destroys it, it is refused; the holder and the producer may
    refused = client.post("/capture", json=document(destroy(2)), headers=c.headers)
    assert [(e["code"], e["pointer"]) for e in refused.json()["errors"]] == [
        ("not_your_goods", "/epcisBody/eventList/0")
    ]
    assert _stored(session) == 1
    for n, who in ((3, b), (4, a)):
        assert client.post("/capture", json=document(destroy(n)), headers=who.headers).status_code == 202
    assert _stored(session) == 3


@pytest.mark.parametrize("claim", ["commissioned", "prefix"])
def test_an_unregistered_product_belongs_to_its_prefix_holder_or_first_commissioner(
    client: TestClient, maker: sessionmaker[Session], session: Session, b: Credentials, claim: str
) -> None:
    # given C's product, never registered: C holds the GS1 prefix, or C commissioned its items first
    c = _party(maker, "示范市丙食品有限公司", "6901234000191")
    gtin = "06902222000018"
    if claim == "prefix":
        with unit_of_work(maker) as s:
            issuance_service.set_gs1_prefix(s, party=s.get_one(Party, c.party_id), prefix="6902222")
    else:
        made = object_event(1, epcList=[f"https://id.gs1.org/01/{gtin}/21/1"], action="ADD", bizStep="commissioning")
        assert client.post("/capture", json=document(made), headers=c.headers).status_code == 202
    before = _stored(session)
    recall = object_event(2, epcList=["urn:epc:id:sgtin:6902222.000001.1"], bizStep="holding", disposition="recalled")
    # when B recalls it (as an EPC URN: the rule reads the canonical code)
    refused = client.post("/capture", json=document(recall), headers=b.headers)
    # then it is refused, and C may
    assert [e["code"] for e in refused.json()["errors"]] == ["not_your_product"]
    assert _stored(session) == before
    assert client.post("/capture", json=document(recall), headers=c.headers).status_code == 202
