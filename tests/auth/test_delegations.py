"""Delegations: an enterprise lets a platform record for it. The admin delegates, the admin or the enterprise
revokes; the platform captures with ``onBehalfOf`` only while a delegation is in force, the events are the
enterprise's (recorder) with the platform as recording agent, both see them, and nothing is written when refused."""

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import Credentials
from tests.support.epcis import document, object_event
from zhuisu.app.cli import app
from zhuisu.capture import jobs as capture_jobs
from zhuisu.cli.runtime import session_maker
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import utc_now
from zhuisu.models import AuditEntry, CaptureJob, Delegation, Event, Party
from zhuisu.parties import delegations, masterdata
from zhuisu.parties import service as parties_service

A_USCC, P_USCC, B_USCC = "91110000600037341L", "91350100M000100Y43", "91440300708461136T"
A_SITE = "6901234000115"
DAIRY_GTIN = "06901234567892"


def _party(s: Session, name: str, uscc: str, role: str = "enterprise") -> Credentials:
    party = parties_service.create_party(s, name=name, uscc=uscc, region="370602")
    if role != "enterprise":
        parties_service.grant(s, party, actor_role=role)
    return Credentials(party.id, parties_service.issue_token(s, party=party).secret)


@pytest.fixture
def cast(maker: sessionmaker[Session]) -> dict[str, Credentials]:
    """Enterprise A (with a registered site and a dairy product), platform P, enterprise B."""
    with unit_of_work(maker) as s:
        a = _party(s, "示范市甲乳业有限公司", A_USCC)
        p = _party(s, "示范市追溯服务平台", P_USCC, "platform")
        b = _party(s, "示范市乙食品有限公司", B_USCC)
        a_party = s.get_one(Party, a.party_id)
        masterdata.add_location(s, a_party, name="甲仓库", gln=A_SITE, region="370602")
        masterdata.register_product(s, name="纯牛奶", class_id="food.dairy", producer=a_party, gtin=DAIRY_GTIN)
    return {"A": a, "P": p, "B": b}


def _delegate(maker: sessionmaker[Session], cast: dict[str, Credentials], **kw: Any) -> str:
    with unit_of_work(maker) as s:
        found = delegations.delegate(
            s, s.get_one(Party, cast["A"].party_id), s.get_one(Party, cast["P"].party_id), **kw
        )
        return found.id


def _at_a(n: int, **fields: Any) -> dict[str, Any]:
    """An event at A's site; it carries its ``@context``, as ``POST /events`` needs (``document`` keeps it)."""
    return {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]} | object_event(
        n, eventID=f"urn:uuid:on-behalf-{n}", bizLocation={"id": f"https://id.gs1.org/414/{A_SITE}"}, **fields
    )


def _counts(session: Session) -> tuple[int, int]:
    return (
        int(session.scalar(select(func.count()).select_from(Event)) or 0),
        int(session.scalar(select(func.count()).select_from(CaptureJob)) or 0),
    )


def _ids(client: TestClient, creds: Credentials) -> list[str]:
    body = client.get("/events", headers=creds.headers).json()
    return sorted(e["eventID"] for e in body["epcisBody"]["queryResults"]["resultsBody"]["eventList"])


class TestRecordingOnBehalf:
    def test_under_a_delegation_the_events_are_the_enterprises(
        self, client: TestClient, session: Session, maker: sessionmaker[Session], cast: dict[str, Credentials]
    ) -> None:
        _delegate(maker, cast)
        a, p, b = cast["A"], cast["P"], cast["B"]
        sent = client.post("/capture", params={"onBehalfOf": A_USCC}, json=document(_at_a(1)), headers=p.headers)
        assert sent.status_code == 202, sent.json()
        single = client.post("/events", params={"onBehalfOf": a.party_id}, json=_at_a(2), headers=p.headers)
        assert single.status_code == 201, single.json()
        stored = session.execute(
            select(Event.event_id, Event.recorder_id, CaptureJob.agent_id).join(CaptureJob).order_by(Event.id)
        ).all()
        assert [tuple(r) for r in stored] == [
            ("urn:uuid:on-behalf-1", a.party_id, p.party_id),
            ("urn:uuid:on-behalf-2", a.party_id, p.party_id),
        ]
        both = ["urn:uuid:on-behalf-1", "urn:uuid:on-behalf-2"]
        assert {"A": _ids(client, a), "P": _ids(client, p), "B": _ids(client, b)} == {"A": both, "P": both, "B": []}
        job = sent.headers["Location"]
        assert [client.get(job, headers=c.headers).status_code for c in (a, p, b)] == [200, 200, 403]
        assert len(client.get("/capture", headers=p.headers).json()) == 2

    @pytest.mark.parametrize("case", ["none", "revoked", "expired", "not yet", "unknown enterprise"])
    def test_without_a_delegation_in_force_nothing_is_written(
        self,
        client: TestClient,
        session: Session,
        maker: sessionmaker[Session],
        cast: dict[str, Credentials],
        case: str,
    ) -> None:
        now = utc_now()
        if case == "revoked":
            with unit_of_work(maker) as s:
                delegations.revoke(s, _delegate(maker, cast))
        elif case == "expired":
            _delegate(maker, cast, valid_from=now - timedelta(days=30), valid_until=now - timedelta(days=1))
        elif case == "not yet":
            _delegate(maker, cast, valid_from=now + timedelta(days=1))
        target = "91440300MA5FUTURE1" if case == "unknown enterprise" else A_USCC
        before = _counts(session)
        for path, body in (("/capture", document(_at_a(1))), ("/events", _at_a(2))):
            refused = client.post(path, params={"onBehalfOf": target}, json=body, headers=cast["P"].headers)
            assert (refused.status_code, refused.json()["code"]) == (403, "not_delegated"), refused.json()
        assert _counts(session) == before

    def test_another_enterprise_is_not_a_delegate(
        self, client: TestClient, session: Session, maker: sessionmaker[Session], cast: dict[str, Credentials]
    ) -> None:
        _delegate(maker, cast)
        before = _counts(session)
        refused = client.post("/events", params={"onBehalfOf": A_USCC}, json=_at_a(1), headers=cast["B"].headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "not_delegated")
        assert _counts(session) == before

    def test_a_delegation_limited_to_classes(
        self, client: TestClient, session: Session, maker: sessionmaker[Session], cast: dict[str, Credentials]
    ) -> None:
        _delegate(maker, cast, classes=["drug"])
        milk = _at_a(1, epcList=[f"https://id.gs1.org/01/{DAIRY_GTIN}/21/1"])
        before = _counts(session)[0]
        refused = client.post("/events", params={"onBehalfOf": A_USCC}, json=milk, headers=cast["P"].headers)
        assert refused.status_code == 400
        assert [e["code"] for e in refused.json()["errors"]] == ["outside_delegation"]
        assert _counts(session)[0] == before
        unregistered = client.post("/events", params={"onBehalfOf": A_USCC}, json=_at_a(2), headers=cast["P"].headers)
        assert unregistered.status_code == 201

    def test_a_job_queued_before_the_revocation_records_nothing(
        self, maker: sessionmaker[Session], session: Session, cast: dict[str, Credentials]
    ) -> None:
        delegation = _delegate(maker, cast)
        with unit_of_work(maker) as s:
            job = capture_jobs.queue_job(
                s,
                document(_at_a(1)),
                actor=s.get_one(Party, cast["A"].party_id),
                agent=s.get_one(Party, cast["P"].party_id),
                behaviour="rollback",
                source="test",
            ).id
        with unit_of_work(maker) as s:
            delegations.revoke(s, delegation)
        assert capture_jobs.run_job(maker, job)
        with unit_of_work(maker) as s:
            done = s.get_one(CaptureJob, job)
            assert (done.running, done.captured, done.rejected) == (False, 0, 1)
            assert [e["code"] for e in done.errors] == ["not_delegated"]
            assert s.scalar(select(func.count()).select_from(Event)) == 0


class TestManagingDelegations:
    def test_the_admin_delegates_and_the_enterprise_revokes(
        self,
        client: TestClient,
        session: Session,
        cast: dict[str, Credentials],
        admin: Credentials,
    ) -> None:
        a, p, b = cast["A"], cast["P"], cast["B"]
        body = {"enterprise": A_USCC, "platform": P_USCC, "classes": ["food"]}
        refused = client.post("/api/v1/delegations", json=body, headers=a.headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "admin_only")
        assert session.scalar(select(func.count()).select_from(Delegation)) == 0
        made = client.post("/api/v1/delegations", json=body, headers=admin.headers)
        assert made.status_code == 201, made.json()
        made_id = made.json()["id"]
        assert (made.json()["enterprise_id"], made.json()["platform_id"], made.json()["classes"]) == (
            a.party_id,
            p.party_id,
            ["food"],
        )
        listed = {
            k: [d["id"] for d in client.get("/api/v1/delegations", headers=c.headers).json()] for k, c in cast.items()
        }
        assert listed == {"A": [made_id], "P": [made_id], "B": []}
        assert client.delete(f"/api/v1/delegations/{made_id}", headers=b.headers).status_code == 404
        by_platform = client.delete(f"/api/v1/delegations/{made_id}", headers=p.headers)
        assert (by_platform.status_code, by_platform.json()["code"]) == (403, "not_your_party")
        assert session.get_one(Delegation, made_id).revoked_at is None
        revoked = client.delete(f"/api/v1/delegations/{made_id}", headers=a.headers)
        assert revoked.status_code == 200
        assert revoked.json()["revoked_at"] is not None
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("delegation_%"))).all()
        assert sorted(actions) == ["delegation_granted", "delegation_revoked"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"enterprise": P_USCC, "platform": A_USCC}, "enterprise"),  # the platform cannot delegate
            ({"enterprise": A_USCC, "platform": B_USCC}, "platform"),  # an enterprise is not a platform
            ({"enterprise": A_USCC, "platform": P_USCC, "classes": ["nonsense"]}, None),
            (
                {
                    "enterprise": A_USCC,
                    "platform": P_USCC,
                    "valid_from": "2027-01-01T00:00:00+08:00",
                    "valid_until": "2026-12-31T00:00:00+08:00",
                },
                "valid_until",
            ),
        ],
    )
    def test_bad_delegations_change_nothing(
        self,
        client: TestClient,
        session: Session,
        cast: dict[str, Credentials],
        admin: Credentials,
        body: dict[str, Any],
        field: str | None,
    ) -> None:
        refused = client.post("/api/v1/delegations", json=body, headers=admin.headers)
        assert refused.status_code in (400, 404, 422), refused.json()
        if field:
            assert refused.json().get("parameter") == field
        assert session.scalar(select(func.count()).select_from(Delegation)) == 0

    def test_the_admin_command(self, cli_db: str) -> None:
        with unit_of_work(session_maker()) as s:
            enterprise = parties_service.create_party(s, name="示范市甲乳业有限公司", uscc=A_USCC)
            platform = parties_service.create_party(s, name="示范市追溯服务平台", uscc=P_USCC)
            parties_service.grant(s, platform, actor_role="platform")
            ids = enterprise.id, platform.id
        runner = CliRunner()
        made = runner.invoke(
            app, ["admin", "delegate", A_USCC, P_USCC, "--classes", "food", "--until", "2027-06-30", "--json"]
        )
        assert made.exit_code == 0, made.output
        out = json.loads(made.output)
        assert (out["enterprise"], out["platform"], out["classes"], out["valid_until"]) == (
            *ids,
            ["food"],
            "2027-06-30T16:00:00.000Z",  # the end of 30 June, Beijing time
        )
        listed = json.loads(runner.invoke(app, ["admin", "delegations", "--json"]).output)
        assert [d["id"] for d in listed] == [out["id"]]
        ended = json.loads(runner.invoke(app, ["admin", "undelegate", out["id"], "--json"]).output)
        assert ended["revoked_at"] is not None
        unknown = runner.invoke(app, ["admin", "delegate", A_USCC, "91440300MA5FUTURE1"])
        assert unknown.exit_code == 1
