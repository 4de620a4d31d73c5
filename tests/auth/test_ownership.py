"""Everyone in their lane: the cross-party writes a hostile enterprise B tried against enterprise A, each refused
with a 403 naming its rule and nothing written; the same writes by A itself, or by the admin, succeed."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog.test_catalog_versions import local_release
from tests.conftest import Credentials
from tests.support.epcis import document, object_event
from zhuisu.auth.errors import AdminOnly
from zhuisu.db.session import unit_of_work
from zhuisu.errors import ZhuisuError
from zhuisu.issuance import service as issuance_service
from zhuisu.models import AuditEntry, CatalogRelease, Licence, Location, NamedQuery, Party, Product, Subscription
from zhuisu.parties import service as parties_service
from zhuisu.parties.permissions import ReservedProfile

A_USCC, B_USCC = "91110000600037341L", "91350100M000100Y43"
WAREHOUSE = {"name": "仓库", "gln": "6901234000047"}
PORK = {"name": "猪肉", "class_id": "food", "gtin": "6901234567892"}
HOOK = {"dest": "https://b.example/x", "stream": True}


def _enterprise(maker: sessionmaker[Session], name: str, uscc: str) -> Credentials:
    with unit_of_work(maker) as s:
        party = parties_service.create_party(s, name=name, uscc=uscc, region="370602")
        return Credentials(party.id, parties_service.issue_token(s, party=party, label="test").secret)


@pytest.fixture
def a(maker: sessionmaker[Session]) -> Credentials:
    return _enterprise(maker, "示范市甲食品有限公司", A_USCC)


@pytest.fixture
def b(maker: sessionmaker[Session]) -> Credentials:
    return _enterprise(maker, "示范市乙食品有限公司", B_USCC)


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _refused(response: Any, code: str) -> None:
    assert (response.status_code, response.json()["code"]) == (403, code), response.json()


class TestMasterData:
    def test_b_cannot_change_a(self, client: TestClient, session: Session, a: Credentials, b: Credentials) -> None:
        # given A's profile and an empty master data
        before = session.get_one(Party, a.party_id)
        profile = (before.name, before.party_type, before.roles, before.address)
        # when B writes A's profile, licences, locations and products
        attempts = {
            "profile": client.patch(f"/api/v1/parties/{a.party_id}", headers=b.headers, json={"address": "乙的地址"}),
            "licence": client.post(
                f"/api/v1/parties/{a.party_id}/licences",
                headers=b.headers,
                json={"licence_type": "food_business", "number": "JY13706020000001", "valid_from": "2025-01-01"},
            ),
            "location": client.post(
                f"/api/v1/parties/{a.party_id}/locations",
                headers=b.headers,
                json={"name": "仓库", "gln": "6901234000047"},
            ),
            "product": client.post(
                "/api/v1/products",
                headers=b.headers,
                json={"name": "猪肉", "class_id": "food", "producer": a.party_id, "gtin": "6901234567892"},
            ),
        }
        # then each is refused by the ownership rule, and nothing changed
        for response in attempts.values():
            _refused(response, "not_your_party")
        session.expire_all()
        after = session.get_one(Party, a.party_id)
        assert (after.name, after.party_type, after.roles, after.address) == profile
        assert [_count(session, m) for m in (Licence, Location, Product)] == [0, 0, 0]

    def test_a_writes_its_own(self, client: TestClient, session: Session, a: Credentials) -> None:
        responses = [
            client.patch(f"/api/v1/parties/{a.party_id}", headers=a.headers, json={"address": "示范市一路 1 号"}),
            client.post(
                f"/api/v1/parties/{a.party_id}/locations",
                headers=a.headers,
                json={"name": "仓库", "gln": "6901234000047"},
            ),
            # without a producer, the product is the caller's own
            client.post(
                "/api/v1/products",
                headers=a.headers,
                json={"name": "猪肉", "class_id": "food", "gtin": "6901234567892"},
            ),
        ]
        assert [r.status_code for r in responses] == [200, 201, 201]
        assert session.scalars(select(Product.producer_id)).all() == [a.party_id]

    @pytest.mark.parametrize(
        ("_case", "change"),
        [("regulator role", {"roles": ["regulator"]}), ("government type", {"party_type": "government"}),
         ("inspection body", {"roles": ["producer", "inspection_body"]})],
    )  # fmt: skip
    def test_nobody_makes_themselves_an_authority(
        self, client: TestClient, session: Session, b: Credentials, _case: str, change: dict[str, Any]
    ) -> None:
        _refused(client.patch(f"/api/v1/parties/{b.party_id}", headers=b.headers, json=change), "reserved_profile")
        session.expire_all()
        party = session.get_one(Party, b.party_id)
        assert (party.party_type, party.roles, party.actor) == (None, None, "enterprise")

    def test_only_the_admin_registers_parties(
        self, client: TestClient, session: Session, b: Credentials, admin: Credentials
    ) -> None:
        body = {"name": "示范市市场监督管理局", "party_type": "government", "roles": ["regulator"], "region": "370602"}
        parties = _count(session, Party)
        _refused(client.post("/api/v1/parties", headers=b.headers, json=body), "admin_only")
        assert _count(session, Party) == parties
        created = client.post("/api/v1/parties", headers=admin.headers, json=body)
        assert (created.status_code, created.json()["party_type"], created.json()["actor"]) == (
            201,
            "government",
            "enterprise",
        )

    def test_spreadsheet_rows_of_another_party_import_nothing(
        self, client: TestClient, session: Session, a: Credentials, b: Credentials
    ) -> None:
        data = f"主体统一社会信用代码*,位置名称*,GLN\n{B_USCC},乙仓库,6901234000047\n{A_USCC},甲仓库,6901234000054\n"
        response = client.post(
            "/api/v1/masterdata/import/locations", files={"file": ("l.csv", data.encode())}, headers=b.headers
        )
        assert response.status_code == 400
        assert [(e["row"], e["code"]) for e in response.json()["errors"]] == [(3, "not_your_party")]
        assert _count(session, Location) == 0

    def test_catalog_is_the_admins(self, client: TestClient, session: Session, b: Credentials) -> None:
        _refused(client.post("/api/v1/catalog/releases", json=local_release(), headers=b.headers), "admin_only")
        assert _count(session, CatalogRelease) == 0


class TestQueries:
    def _query(self, client: TestClient, owner: Credentials) -> None:
        created = client.post(
            "/queries", headers=owner.headers, json={"name": "a-shipping", "query": {"EQ_bizStep": ["shipping"]}}
        )
        assert created.status_code == 201
        subscribed = client.post(
            "/queries/a-shipping/subscriptions",
            headers=owner.headers,
            json={"dest": "https://a.example/hook", "stream": True},
        )
        assert subscribed.status_code == 201

    def test_b_cannot_use_as_queries(
        self, client: TestClient, session: Session, a: Credentials, b: Credentials
    ) -> None:
        # given A's named query with a subscription
        self._query(client, a)
        sub_id = session.scalars(select(Subscription.id)).one()
        # when B lists, reads, runs, subscribes to and deletes them
        listed = client.get("/queries", headers=b.headers)
        attempts = [
            client.get("/queries/a-shipping", headers=b.headers),
            client.get("/queries/a-shipping/events", headers=b.headers),
            client.post(
                "/queries/a-shipping/subscriptions",
                headers=b.headers,
                json={"dest": "https://b.example/x", "stream": True},
            ),
            client.get("/queries/a-shipping/subscriptions", headers=b.headers),
            client.get(f"/queries/a-shipping/subscriptions/{sub_id}", headers=b.headers),
            client.delete(f"/queries/a-shipping/subscriptions/{sub_id}", headers=b.headers),
            client.delete("/queries/a-shipping", headers=b.headers),
        ]
        # then B sees none of them, each attempt is refused, and A's query and subscription remain
        assert (listed.status_code, listed.json()) == (200, [])
        for response in attempts:
            _refused(response, "not_your_query")
        assert session.scalars(select(NamedQuery.owner_id)).all() == [a.party_id]
        assert session.scalars(select(Subscription.owner_id)).all() == [a.party_id]

    def test_owner_and_admin_manage_them(
        self, client: TestClient, session: Session, a: Credentials, admin: Credentials
    ) -> None:
        self._query(client, a)
        assert [q["name"] for q in client.get("/queries", headers=a.headers).json()] == ["a-shipping"]
        assert [q["name"] for q in client.get("/queries", headers=admin.headers).json()] == ["a-shipping"]
        assert client.delete("/queries/a-shipping", headers=admin.headers).status_code == 204
        assert (_count(session, NamedQuery), _count(session, Subscription)) == (0, 0)


class TestGrants:
    def test_only_the_admin_grants_and_never_to_itself(
        self, session: Session, a: Credentials, admin: Credentials
    ) -> None:
        party, admin_party = session.get_one(Party, a.party_id), session.get_one(Party, admin.party_id)
        audits = _count(session, AuditEntry)
        with pytest.raises(AdminOnly):
            parties_service.grant(session, party, actor_role="regulator", actor=party)
        with pytest.raises(ReservedProfile) as own:
            parties_service.grant(session, admin_party, actor_role="enterprise", actor=admin_party)
        assert own.value.message_en == "nobody changes their own role"
        assert (party.actor, admin_party.actor, _count(session, AuditEntry)) == ("enterprise", "admin", audits)
        parties_service.grant(
            session, party, actor_role="regulator", jurisdiction="3706", mandate=["food"], actor=admin_party
        )
        assert (party.actor, party.jurisdiction, party.mandate) == ("regulator", "3706", ["food"])
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        assert (entry.action, entry.actor_id, entry.payload["after"]) == (
            "role_granted",
            admin.party_id,
            {"actor": "regulator", "jurisdiction": "3706", "mandate": ["food"]},
        )

    @pytest.mark.parametrize(
        ("_case", "role", "jurisdiction", "mandate", "message"),
        [
            ("unknown role", "superuser", None, None, "unknown role 'superuser'"),
            ("bad jurisdiction", "regulator", "370", None, "invalid jurisdiction '370'"),
            ("enterprise with a jurisdiction", "enterprise", "3706", None, "only a regulator has a jurisdiction"),
            ("unknown class", "regulator", None, ["toys"], "toys"),
        ],
    )
    def test_bad_grants_change_nothing(
        self,
        session: Session,
        a: Credentials,
        _case: str,
        role: str,
        jurisdiction: str | None,
        mandate: list[str] | None,
        message: str,
    ) -> None:
        party = session.get_one(Party, a.party_id)
        with pytest.raises(ZhuisuError) as refused:
            parties_service.grant(session, party, actor_role=role, jurisdiction=jurisdiction, mandate=mandate)
        assert message in refused.value.message_en
        assert (party.actor, party.jurisdiction, party.mandate) == ("enterprise", None, None)


class TestCaptureJobs:
    def test_b_cannot_read_as_capture_job(self, client: TestClient, a: Credentials, b: Credentials) -> None:
        captured = client.post("/capture", json=document(object_event(1)), headers=a.headers)
        job = captured.headers["Location"].rsplit("/", 1)[-1]
        _refused(client.get(f"/capture/{job}", headers=b.headers), "not_your_capture")
        assert [j["captureID"] for j in client.get("/capture", headers=b.headers).json()] == []
        assert client.get(f"/capture/{job}", headers=a.headers).json()["captureID"] == job


class TestMasterDataReads:
    def test_each_reads_its_share(
        self, client: TestClient, maker: sessionmaker[Session], a: Credentials, b: Credentials, admin: Credentials
    ) -> None:
        with unit_of_work(maker) as s:
            regulator = parties_service.create_party(s, name="示范市市场监督管理局")
            parties_service.grant(s, regulator, actor_role="regulator", jurisdiction="3706")
            elsewhere = parties_service.create_party(s, name="北京丙食品有限公司", region="110101")
            r = {"Authorization": f"Bearer {parties_service.issue_token(s, party=regulator).secret}"}

        def names(headers: dict[str, str]) -> list[str]:
            return [p["name"] for p in client.get("/api/v1/parties", headers=headers).json()]

        assert names(b.headers) == ["示范市乙食品有限公司"]
        assert sorted(names(r)) == sorted(["示范市甲食品有限公司", "示范市乙食品有限公司", "示范市市场监督管理局"])
        assert sorted(names(admin.headers)) == sorted(
            ["节点管理员", "示范市甲食品有限公司", "示范市乙食品有限公司", "示范市市场监督管理局", "北京丙食品有限公司"]
        )
        for path in (f"/api/v1/parties/{a.party_id}", f"/api/v1/parties/{a.party_id}/licences"):
            hidden = client.get(path, headers=b.headers)
            assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
        assert client.get(f"/api/v1/parties/{a.party_id}", headers=r).status_code == 200
        assert client.get(f"/api/v1/parties/{elsewhere.id}", headers=r).status_code == 404

    def test_products_listed_in_the_lane(
        self, client: TestClient, maker: sessionmaker[Session], a: Credentials, b: Credentials, admin: Credentials
    ) -> None:
        with unit_of_work(maker) as s:
            regulator = parties_service.create_party(s, name="示范市市场监督管理局")
            parties_service.grant(s, regulator, actor_role="regulator", jurisdiction="3706")
            far = parties_service.create_party(s, name="北京丙市场监管", region="110101")
            parties_service.grant(s, far, actor_role="regulator", jurisdiction="1101")
            r, f = (
                {"Authorization": f"Bearer {parties_service.issue_token(s, party=p).secret}"} for p in (regulator, far)
            )
        assert client.post("/api/v1/products", headers=a.headers, json=PORK).status_code == 201

        def gtins(headers: dict[str, str]) -> list[str]:
            return [p["gtin"] for p in client.get("/api/v1/products", headers=headers).json()]

        assert {"A": gtins(a.headers), "B": gtins(b.headers), "regulator": gtins(r), "elsewhere": gtins(f)} | {
            "admin": gtins(admin.headers)
        } == {
            "A": ["06901234567892"],
            "B": [],
            "regulator": ["06901234567892"],
            "elsewhere": [],
            "admin": ["06901234567892"],
        }


class TestCodeBatches:
    def test_a_code_tells_its_batch_only_to_those_who_may_read_it(
        self, client: TestClient, maker: sessionmaker[Session], a: Credentials, b: Credentials, admin: Credentials
    ) -> None:
        with unit_of_work(maker) as s:
            issuance_service.set_gs1_prefix(s, party=s.get_one(Party, a.party_id), prefix="6901234")
        issued = client.post(
            "/codes/issue", headers=a.headers, json={"gtin": "06901234567892", "lot": "L1", "count": 2}
        )
        assert issued.status_code == 201, issued.json()
        code, batch_id = issued.json()["codes"][0], issued.json()["id"]
        seen = {
            who: client.get(f"/codes/{code}", headers=c.headers).json()
            for who, c in (("A", a), ("B", b), ("admin", admin))
        }
        assert {who: (s["issued_here"], (s["batch"] or {}).get("id")) for who, s in seen.items()} == {
            "A": (True, batch_id),
            "B": (True, None),
            "admin": (True, batch_id),
        }
        _refused(client.get(f"/codes/batches/{batch_id}", headers=b.headers), "not_your_batch")
        assert client.get(f"/codes/batches/{batch_id}", headers=admin.headers).json()["codes"] == issued.json()["codes"]
