"""Master data: party profiles, licences, locations and products, through the service, the API and the CLI."""

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import Credentials
from tests.support.epcis import object_event
from zhuisu.app.cli import app as cli_app
from zhuisu.capture import service as capture_service
from zhuisu.catalog.errors import UnknownClass
from zhuisu.db.session import unit_of_work
from zhuisu.demo.generator import CONTEXT
from zhuisu.errors import Conflict, InvalidInput
from zhuisu.models import AuditEntry, Licence, Party, Product
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

USCC = "91110000600037341L"


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


class TestProfile:
    def test_created_with_profile(self, session: Session) -> None:
        party = parties_service.create_party(
            session,
            name="示范市乳业有限公司",
            uscc=USCC,
            region="370602",
            party_type="enterprise",
            roles=["producer", "processor"],
            product_class="food.dairy",
            address="示范市芝罘区幸福路 1 号",
        )
        assert (party.party_type, party.roles, party.product_class, party.region) == (
            "enterprise",
            ["producer", "processor"],
            "food.dairy",
            "370602",
        )

    @pytest.mark.parametrize(
        ("_case", "fields", "error"),
        [
            ("role", {"roles": ["smuggler"]}, InvalidInput),
            ("type", {"party_type": "company"}, InvalidInput),
            ("class", {"product_class": "toys"}, UnknownClass),
            ("region", {"region": "3706"}, InvalidInput),
        ],
    )
    def test_invalid_profile_stores_nothing(self, _case: str, fields: dict, error: type, session: Session) -> None:
        with pytest.raises(error):
            parties_service.create_party(session, name="某公司", **fields)
        assert count(session, Party) == 0
        assert count(session, AuditEntry) == 0


class TestLicencesLocationsProducts:
    def test_licence(self, session: Session) -> None:
        party = parties_service.create_party(session, name="示范市炒货厂")
        licence = masterdata.add_licence(
            session,
            party,
            licence_type="sc_food_production",
            number="sc 115 32139 2 0046 5",
            valid_from=date(2024, 1, 1),
            valid_to=date(2029, 1, 1),
            issuer="示范市市场监督管理局",
        )
        assert (licence.number, licence.party_id) == ("SC11532139200465", party.id)
        assert masterdata.licences_valid_on(session, party, date(2030, 1, 1)) == []
        with pytest.raises(Conflict):
            masterdata.add_licence(
                session,
                party,
                licence_type="sc_food_production",
                number="SC11532139200465",
                valid_from=date(2024, 1, 1),
            )
        with pytest.raises(InvalidInput):
            masterdata.add_licence(
                session,
                party,
                licence_type="sc_food_production",
                number="SC13232139200465",
                valid_from=date(2024, 1, 1),
            )
        assert count(session, Licence) == 1

    def test_location_and_product(self, session: Session) -> None:
        party = parties_service.create_party(session, name="示范市制药厂")
        location = masterdata.add_location(session, party, name="一号车间", gln="6901234000047", region="370602")
        product = masterdata.register_product(
            session,
            name="阿莫西林胶囊",
            class_id="drug.preparation",
            producer=party,
            code_scheme="drug-trace-code",
            code="8385793",
            gtin="6901234567892",
        )
        assert (location.gln, product.gtin, product.class_id) == ("6901234000047", "06901234567892", "drug.preparation")
        with pytest.raises(InvalidInput):
            masterdata.add_location(session, party, name="二号车间", gln="6901234000048")
        with pytest.raises(UnknownClass):
            masterdata.register_product(session, name="玩具", class_id="toys", gtin="6901234567885")
        assert count(session, Product) == 1


class TestRoutes:
    def test_party_licence_location_product(self, client: TestClient, creds: Credentials, admin: Credentials) -> None:
        creds = admin  # the admin registers the party and writes its master data
        created = client.post(
            "/api/v1/parties",
            headers=creds.headers,
            json={
                "name": "示范市大药房",
                "region": "370602",
                "roles": ["pharmacy"],
                "product_class": "drug",
                "party_type": "enterprise",
            },
        )
        assert created.status_code == 201, created.json()
        party_id = created.json()["id"]
        licence = client.post(
            f"/api/v1/parties/{party_id}/licences",
            headers=creds.headers,
            json={"licence_type": "drug_distribution", "number": "鲁AA5350001", "valid_from": "2025-01-01"},
        )
        location = client.post(
            f"/api/v1/parties/{party_id}/locations",
            headers=creds.headers,
            json={"name": "门店", "gln": "6901234000047"},
        )
        product = client.post(
            "/api/v1/products",
            headers=creds.headers,
            json={"name": "布洛芬片", "class_id": "drug.preparation", "producer": party_id, "gtin": "6901234567892"},
        )
        patched = client.patch(
            f"/api/v1/parties/{party_id}", headers=creds.headers, json={"roles": ["pharmacy", "retailer"]}
        )
        assert [r.status_code for r in (licence, location, product, patched)] == [201, 201, 201, 200]
        assert patched.json()["roles"] == ["pharmacy", "retailer"]
        assert client.get("/api/v1/products", headers=creds.headers, params={"class": "drug"}).json()[0]["gtin"] == (
            "06901234567892"
        )
        assert [
            x["number"] for x in client.get(f"/api/v1/parties/{party_id}/licences", headers=creds.headers).json()
        ] == ["鲁AA5350001"]

    def test_a_registered_code_or_gln_is_a_conflict(self, client: TestClient, admin: Credentials) -> None:
        # found by `make fuzz`: a GLN (or 统一社会信用代码) another party has was a 500 (unique violation)
        first = {"name": "示范市养殖场", "uscc": USCC, "gln": "6900000000014"}
        again = [{**first, "uscc": None}, {**first, "gln": None}]
        answers = [client.post("/api/v1/parties", headers=admin.headers, json=body) for body in (first, *again)]
        assert [(r.status_code, r.json().get("code"), r.json().get("detail")) for r in answers] == [
            (201, None, None),
            (409, "already_exists", "GLN 6900000000014 已登记为其他主体"),
            (409, "already_exists", f"统一社会信用代码 {USCC} 已登记"),
        ]

    def test_a_registered_location_code_is_a_conflict(self, client: TestClient, creds: Credentials) -> None:
        # found by `make fuzz`: a zhuisu location code another location has was a 500 (unique violation)
        body = {"name": "一号仓", "code": "ZS11100000000010000000001D"}
        path = f"/api/v1/parties/{creds.party_id}/locations"
        answers = [client.post(path, headers=creds.headers, json=body) for _ in range(2)]
        assert [(r.status_code, r.json().get("code"), r.json().get("detail")) for r in answers] == [
            (201, "ZS11100000000010000000001D", None),
            (409, "already_exists", "位置编码 ZS11100000000010000000001D 已登记为其他位置"),
        ]

    def test_errors(self, client: TestClient, creds: Credentials) -> None:
        assert (
            client.post("/api/v1/products", json={"name": "x", "class_id": "drug", "gtin": "6901234567892"}).status_code
            == 401
        )
        bad = client.post(
            "/api/v1/products",
            headers={**creds.headers, "Accept-Language": "en"},
            json={"name": "x", "class_id": "toys", "gtin": "6901234567892"},
        )
        assert bad.status_code == 400
        assert bad.json()["detail"] == "no catalog class toys"
        assert client.get("/api/v1/products", headers=creds.headers).json() == []


@pytest.mark.usefixtures("cli_db")
def test_cli() -> None:
    runner = CliRunner()
    added = runner.invoke(
        cli_app,
        [
            "parties",
            "add",
            "示范市种业公司",
            "--region",
            "370602",
            "--class",
            "agri_input.seed",
            "--role",
            "producer",
            "--json",
        ],
    )
    assert added.exit_code == 0, added.output
    party_id = json.loads(added.output)["id"]
    product = runner.invoke(
        cli_app,
        [
            "masterdata",
            "product",
            "玉米种子",
            "--class",
            "agri_input.seed",
            "--gtin",
            "6901234567892",
            "--producer",
            party_id,
        ],
    )
    assert product.exit_code == 0, product.output
    listed = runner.invoke(cli_app, ["masterdata", "products", "--class", "agri_input"])
    assert [(p["name"], p["class"], p["producer"]) for p in json.loads(listed.output)] == [
        ("玉米种子", "agri_input.seed", party_id)
    ]
    bad = runner.invoke(cli_app, ["masterdata", "product", "x", "--class", "toys", "--gtin", "6901234567885"])
    assert bad.exit_code == 1


def test_another_enterprises_recorded_gtin_is_not_its_to_register(
    client: TestClient, maker: sessionmaker[Session], session: Session, creds: Credentials
) -> None:
    # given items of GTIN 06901234567892 recorded by the test company, whose product is not registered yet
    with unit_of_work(maker) as s:
        owner = s.get_one(Party, creds.party_id)
        event = object_event(1, epcList=["https://id.gs1.org/01/06901234567892/21/1"])
        capture_service.capture_single_event(s, {"@context": CONTEXT, **event}, actor=owner)
        other = parties_service.create_party(s, name="别家商贸有限公司", uscc="91370102MA0000001W")
        other_token = parties_service.issue_token(s, party=other, label="test").secret
    body = {"name": "假冒产品", "class_id": "food", "gtin": "06901234567892"}
    # when another enterprise claims it: refused, nothing stored (its name would show on the owner's item pages)
    claimed = client.post("/api/v1/products", headers={"Authorization": f"Bearer {other_token}"}, json=body)
    assert (claimed.status_code, claimed.json()["code"]) == (403, "not_your_party")
    assert "GTIN 06901234567892 已出现在其他主体的追溯记录中" in claimed.json()["detail"]
    assert count(session, Product) == 0
    # and the company whose records name it registers it
    own = client.post("/api/v1/products", headers=creds.headers, json={**body, "name": "示范纯牛奶"})
    assert (own.status_code, own.json()["producer_id"]) == (201, creds.party_id)
