"""Farm commitment certificates end to end on both databases, through the app: issuing (API and page), the printable
certificate and its QR, the public page, buyers' receipts naming the certificate, the overused rule, and who sees
which certificates."""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.support.signin import sign_in
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Alert, AuditEntry, CaptureJob, Event, FarmCertificate
from zhuisu.oversight import alerts
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.parties import service as parties_service

BODY = {
    "product": "西红柿",
    "quantity": 200,
    "unit": "jin",
    "region": "370112",
    "place": "唐王街道",
    "basis": ["self_testing", "self_commitment"],
    "phone": "13800000001",
}


@dataclass
class World:
    tokens: dict[str, str]
    ids: dict[str, str]

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def world(maker: sessionmaker[Session]) -> World:
    tokens, ids = {}, {}
    with unit_of_work(maker) as s:
        for key, jurisdiction, mandate in (
            ("regulator", "3701", ["edible_agri"]),
            ("regulator_elsewhere", "1101", ["edible_agri"]),
            ("regulator_food", "3701", ["food"]),
        ):
            reg = parties_service.create_party(s, name=f"监管 {key}", party_type="government")
            parties_service.grant(s, reg, actor_role="regulator", jurisdiction=jurisdiction, mandate=mandate)
            tokens[key] = parties_service.issue_token(s, party=reg).secret
        for key, name, kind, roles in (
            ("farmer", "张三（菜农）", "individual", []),
            ("coop", "绿源蔬菜专业合作社", "enterprise", ["producer"]),
            ("market", "农产品批发市场", "enterprise", ["market"]),
            ("shop", "生鲜超市", "enterprise", ["retailer"]),
        ):
            p = parties_service.create_party(s, name=name, region="370112", party_type=kind, roles=roles)
            tokens[key], ids[key] = parties_service.issue_token(s, party=p).secret, p.id
    return World(tokens, ids)


def _issue(client: TestClient, world: World, who: str = "farmer", **changes: object) -> dict[str, object]:
    response = client.post("/api/v1/farm/certificates", json=BODY | changes, headers=world.h(who))
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_farmer_issues_and_buyers_receive(client: TestClient, world: World, session: Session) -> None:
    # when: a farmer issues a certificate of 200 jin (100 kg)
    issued = _issue(client, world)
    number = str(issued["number"])
    today = utc_now().astimezone(BEIJING).date()
    assert number == f"HG-370112-{today:%Y%m%d}-0001"
    assert (issued["event_quantity"], issued["uom"], issued["code"]) == (100.0, "KGM", f"urn:zhuisu:farm_lot:{number}")
    assert issued["commitments"] == ["no_banned_substances", "residues_within_limits", "truthfulness"]
    assert str(issued["public_url"]).endswith(f"/farm/c/{number}")
    event = session.scalars(select(Event).where(Event.event_id == issued["event_id"])).one()
    assert (event.biz_step, event.action, event.body["ilmd"]) == (
        "commissioning",
        "ADD",
        {"zs:origin": "370112", "zs:placeOfOrigin": "唐王街道"},
    )
    assert event.body["bizTransactionList"] == [
        {
            "type": "https://zhuisu.cn/voc/BTT-compliance_certificate",
            "bizTransaction": f"urn:zhuisu:compliance_certificate:{number}",
        }
    ]
    # and: the market receives 60 kg, the shop 50 kg: 110 kg under a certificate of 100
    first = client.post(
        "/api/v1/farm/receipts", json={"certificate_number": number, "quantity": 60}, headers=world.h("market")
    )
    assert (first.status_code, first.json()["received"], first.json()["overused"]) == (201, 60.0, False)
    second = client.post(
        "/api/v1/farm/receipts",
        json={"certificate_number": number, "quantity": 100, "unit": "jin"},
        headers=world.h("shop"),
    )
    assert (second.status_code, second.json()["received"], second.json()["overused"]) == (201, 110.0, True)
    # then: the rule alerted once at capture, the issuer answers, the buyers read it
    found = list(session.scalars(select(Alert)))
    assert [(a.rule, a.party_id, a.region, a.class_id) for a in found] == [
        ("farm_certificate_overused", world.ids["farmer"], "370112", "edible_agri")
    ]
    assert (
        found[0].detail_zh == f"承诺达标合格证 {number}（西红柿）开具 100 KGM，收货方已凭其收货 110 KGM，超出合格证数量"
    )
    with unit_of_work(client.app.state.sessionmaker) as s:  # type: ignore[attr-defined]
        alerts.scan(s, config=RiskConfig.of(None))
    assert [a.rule for a in session.scalars(select(Alert))] == ["farm_certificate_overused"]
    # and the public page shows the receipts by region only, no phone (not chosen)
    public = client.get(f"/api/v1/farm/c/{number}").json()
    assert (public["phone"], [(r["region"], r["quantity"]) for r in public["receipts"]]) == (
        None,
        [("370112", 60.0), ("370112", 50.0)],
    )
    assert "issuer_id" not in public
    page = client.get(f"/farm/c/{number}")
    assert page.status_code == 200
    assert ("西红柿" in page.text, "13800000001" in page.text, "张三（菜农）" in page.text) == (True, False, True)


def test_who_sees_which_certificates(client: TestClient, world: World) -> None:
    # given: the farmer's certificate (received by the market) and the cooperative's (received by nobody)
    farmer = str(_issue(client, world)["number"])
    coop = str(_issue(client, world, "coop", product="黄瓜", region="370102")["number"])
    client.post("/api/v1/farm/receipts", json={"certificate_number": farmer, "quantity": 1}, headers=world.h("market"))
    seen = {
        who: sorted(c["number"] for c in client.get("/api/v1/farm/certificates", headers=world.h(who)).json())
        for who in ("farmer", "coop", "market", "shop", "regulator", "regulator_elsewhere", "regulator_food")
    }
    assert seen == {
        "farmer": [farmer],
        "coop": [coop],
        "market": [farmer],
        "shop": [],
        "regulator": sorted([farmer, coop]),
        "regulator_elsewhere": [],
        "regulator_food": [],
    }
    assert client.get(f"/api/v1/farm/certificates/{coop}", headers=world.h("market")).status_code == 404
    assert client.get(f"/api/v1/farm/certificates/{farmer}", headers=world.h("market")).status_code == 200
    assert client.get("/api/v1/farm/certificates").status_code == 401


@pytest.mark.parametrize(
    ("_case", "who", "changes", "status", "field"),
    [
        ("not a producer", "market", {}, 403, None),
        ("two commitments", "farmer", {"commitments": ["truthfulness", "no_banned_substances"]}, 400, "commitments"),
        ("unknown basis", "farmer", {"basis": ["luck"]}, 400, "basis"),
        ("no such county", "farmer", {"region": "379999"}, 400, "region"),
        ("bad phone", "farmer", {"phone": "call me"}, 400, "phone"),
        ("bad GTIN", "farmer", {"gtin": "06901234000019"}, 400, "gtin"),
        ("future date", "farmer", {"issued_on": "2999-01-01"}, 400, "issued_on"),
        ("unit", "farmer", {"unit": "ton"}, 400, None),
    ],
)
def test_bad_input_changes_nothing(
    client: TestClient, world: World, session: Session, _case: str, who: str, changes: dict[str, object], status: int,
    field: str | None,
) -> None:  # fmt: skip
    before = [session.scalar(select(func.count()).select_from(m)) for m in (Event, CaptureJob, FarmCertificate)]
    response = client.post("/api/v1/farm/certificates", json=BODY | changes, headers=world.h(who))
    assert response.status_code == status, response.text
    if field:
        assert response.json()["field"] == field
    after = [session.scalar(select(func.count()).select_from(m)) for m in (Event, CaptureJob, FarmCertificate)]
    assert after == before
    assert (
        session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.startswith("farm_"))) == 0
    )


def test_receipts_refused_change_nothing(client: TestClient, world: World, session: Session) -> None:
    number = str(_issue(client, world, unit="box", quantity=3)["number"])
    before = session.scalar(select(func.count()).select_from(Event))
    cases = [
        ({"certificate_number": "HG-NONE", "quantity": 1}, "market", 400, "certificate_number"),
        ({"certificate_number": number, "quantity": 1}, "farmer", 400, "certificate_number"),
        ({"certificate_number": number, "quantity": 1, "unit": "kg"}, "market", 400, "unit"),
        ({"certificate_number": number, "quantity": 1, "unit": "box"}, "regulator", 403, None),
    ]
    for body, who, status, field in cases:
        response = client.post("/api/v1/farm/receipts", json=body, headers=world.h(who))
        assert (response.status_code, response.json().get("field")) == (status, field)
    assert session.scalar(select(func.count()).select_from(Event)) == before


def test_the_pages_issue_print_and_receive(client: TestClient, world: World, session: Session) -> None:
    csrf = sign_in(client, world.tokens["coop"])
    form = {
        "csrf_token": csrf, "product": "菠菜", "quantity": "30", "unit": "kg", "region": "370112", "place": "基地",
        "commitments": ["no_banned_substances", "residues_within_limits", "truthfulness"],
        "basis": ["internal_control"], "phone": "0531-1234567", "show_phone": "on",
    }  # fmt: skip
    assert client.get("/farm/certificates/new").status_code == 200
    issued = client.post("/farm/certificates/new", data=form, follow_redirects=False)
    assert issued.status_code == 303
    number = session.scalars(select(FarmCertificate.number)).one()
    assert issued.headers["location"] == f"/farm/certificates/{number}/print"
    printed = client.get(issued.headers["location"])
    assert printed.status_code == 200
    assert ("<svg" in printed.text, number in printed.text, "0531-1234567" in printed.text) == (True, True, True)
    refused = client.post("/farm/certificates/new", data=form | {"region": "12"}, follow_redirects=False)
    assert (refused.status_code, session.scalar(select(func.count()).select_from(FarmCertificate))) == (400, 1)
    assert "0531-1234567" in client.get(f"/farm/c/{number}").text  # shown: the producer chose to
    # the market receives through its form
    market = TestClient(client.app)
    csrf_m = sign_in(market, world.tokens["market"])
    done = market.post(
        "/farm/receive", data={"csrf_token": csrf_m, "certificate_number": number, "quantity": "30", "unit": "kg"}
    )
    assert (done.status_code, 'id="received"' in done.text, 'id="overused"' in done.text) == (200, True, False)
    listed = market.get("/farm/certificates")
    assert number in listed.text
    assert client.get("/farm/c/HG-NONE").status_code == 404
