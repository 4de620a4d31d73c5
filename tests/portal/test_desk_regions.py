"""Regulators see the complaints of their own region, in local time; the desk narrows filters to the region."""

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.portal.conftest import LOT
from zhuisu.db.session import unit_of_work
from zhuisu.models import Complaint
from zhuisu.parties import service as parties_service
from zhuisu.portal import complaints
from zhuisu.portal.complaints import region_scope
from zhuisu.portal.schemas import ComplaintCreate
from zhuisu.trace import service as trace_service


def _filed(session: Session, message: str, region: str | None, place: str | None = None) -> Complaint:
    complaint = complaints.file_complaint(session, ComplaintCreate(message=message), language="zh")
    complaint.region, complaint.place_region = region, place
    complaint.created_at = datetime(2026, 11, 22, 16, 5, tzinfo=UTC)
    session.flush()
    return complaint


@pytest.fixture
def filed(session: Session) -> dict[str, str]:
    """Complaints routed to Harbin's Nangang district (230102), to Beijing (110101), bought in 230103, none."""
    return {
        "harbin": _filed(session, "南岗", "230102").reference,
        "beijing": _filed(session, "北京", "110101").reference,
        "bought_here": _filed(session, "买于道里", "110101", "230103").reference,
        "unrouted": _filed(session, "无码", None).reference,
    }


def _token(maker: sessionmaker[Session], region: str | None) -> dict[str, str]:
    with unit_of_work(maker) as s:
        party = parties_service.create_party(
            s, name=f"监管局 {region}", region=region, party_type="government", roles=["regulator"]
        )
        parties_service.grant(s, party, actor_role="regulator", jurisdiction=region_scope(region) or None)
        return {"Authorization": f"Bearer {parties_service.issue_token(s, party=party, label='desk').secret}"}


class TestScope:
    @pytest.mark.parametrize(
        ("region", "seen"),
        [
            ("230102", {"harbin", "unrouted"}),
            ("230100", {"harbin", "bought_here", "unrouted"}),
            ("110000", {"beijing", "bought_here", "unrouted"}),
            (None, {"harbin", "beijing", "bought_here", "unrouted"}),
        ],
    )
    def test_regulator_sees_own_region(
        self,
        client: TestClient,
        maker: sessionmaker[Session],
        filed: dict[str, str],
        region: str | None,
        seen: set[str],
    ) -> None:
        listed = client.get("/api/v1/dashboard/complaints", headers=_token(maker, region)).json()
        names = {name for name, ref in filed.items() if ref in {c["reference"] for c in listed}}
        assert names == seen

    def test_local_time_with_offset(
        self, client: TestClient, maker: sessionmaker[Session], filed: dict[str, str]
    ) -> None:
        listed = client.get("/api/v1/dashboard/complaints", headers=_token(maker, "230102")).json()
        harbin = next(c for c in listed if c["reference"] == filed["harbin"])
        assert (harbin["created_at"], harbin["created_local"]) == (
            "2026-11-22T16:05:00.000Z",
            "2026-11-23 00:05 UTC+08:00",
        )
        page = client.get("/dashboard", headers=_token(maker, "230102")).text
        assert '<time datetime="2026-11-22T16:05:00.000Z">2026-11-23 00:05 UTC+08:00</time>' in page

    def test_filter_outside_scope_is_narrowed(
        self, client: TestClient, maker: sessionmaker[Session], filed: dict[str, str]
    ) -> None:
        overview = client.get("/api/v1/dashboard/overview?region=11", headers=_token(maker, "230100")).json()
        inside = client.get("/api/v1/dashboard/overview?region=230102", headers=_token(maker, "230100")).json()
        assert (overview["scope"], overview["region"], overview["timezone"]) == ("2301", "2301", "Asia/Shanghai")
        assert inside["region"] == "230102"
        assert {c["reference"] for c in inside["complaints"]} == {filed["harbin"], filed["unrouted"]}

    def test_handling_outside_scope_is_404(
        self, client: TestClient, session: Session, maker: sessionmaker[Session], filed: dict[str, str]
    ) -> None:
        headers = _token(maker, "230102")
        response = client.post(
            f"/dashboard/complaints/{filed['beijing']}",
            data={"status": "closed"},
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code == 404
        stored = complaints.get_complaint(session, filed["beijing"])
        session.refresh(stored)
        assert (stored.status, stored.handled_by) == ("received", None)


@pytest.mark.usefixtures("demo")
def test_complaint_routed_to_the_place_bought(session: Session) -> None:
    last = trace_service.trace(session, LOT).timeline[-1]
    gln = last.location.rsplit("/414/", 1)[1]  # type: ignore[union-attr]
    parties_service.create_party(session, name="示范市某超市", gln=gln, region="230104")
    filed = complaints.file_complaint(session, ComplaintCreate(message="异味", code=LOT), language="zh")
    assert (filed.region, filed.place_region) == (None, "230104")
