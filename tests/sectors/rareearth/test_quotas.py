"""Quotas as master data from the authority, on both databases through the app: registered by a regulator of the
producer's jurisdiction and rare earth mandate (or the admin), refused input naming the field and changing
nothing, revisions kept with their audit rows, and which quotas come back to whom."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.sectors.rareearth.world import OXIDE, YEAR, World, count, quota
from zhuisu.models import AuditEntry, RareEarthQuota


def test_registered_then_revised(client: TestClient, world: World, session: Session) -> None:
    # when: a quota, then a revision raising it
    first = quota(client, world)
    second = quota(client, world, quantity=120, document_number="工信部联原〔2025〕27号", note="年中调增")
    # then: the revision replaces the first, which is kept
    assert (first.status_code, second.status_code) == (201, 201), first.text
    a, b = first.json(), second.json()
    assert {
        k: a[k]
        for k in (
            "party",
            "region",
            "year",
            "kind",
            "class_id",
            "product",
            "quantity",
            "uom",
            "basis",
            "document_number",
            "issuer",
            "revision",
            "active",
        )
    } == {
        "party": "示范稀土矿业有限公司",
        "region": "370602",
        "year": YEAR,
        "kind": "mining",
        "class_id": "rare_earth.ore",
        "product": None,
        "quantity": 100.0,
        "uom": "TNE",
        "basis": "reo",
        "document_number": "工信部联原〔2025〕1号",
        "issuer": "工业和信息化部",
        "revision": 1,
        "active": True,
    }
    assert (b["revision"], b["active"], b["quantity"], b["note"]) == (2, True, 120.0, "年中调增")
    history = client.get(f"/api/v1/rareearth/quotas?year={YEAR}&history=true", headers=world.h("regulator")).json()
    assert [(q["revision"], q["active"], q["replaced_by_id"]) for q in history] == [
        (1, False, b["id"]),
        (2, True, None),
    ]
    current = client.get("/api/v1/rareearth/quotas", headers=world.h("regulator")).json()
    assert [q["id"] for q in current] == [b["id"]]
    audits = session.execute(
        select(AuditEntry.actor_id, AuditEntry.action, AuditEntry.subject, AuditEntry.payload)
        .where(AuditEntry.action.startswith("rare_earth"))
        .order_by(AuditEntry.id)
    ).all()
    assert [tuple(row) for row in audits] == [
        (
            world.ids["regulator"],
            "rare_earth_quota_registered",
            a["id"],
            {
                "party": world.ids["mine"],
                "year": YEAR,
                "kind": "mining",
                "class_id": "rare_earth.ore",
                "product": None,
                "quantity": 100.0,
                "uom": "TNE",
                "basis": "reo",
                "document_number": "工信部联原〔2025〕1号",
                "revision": 1,
                "replaces": None,
            },
        ),
        (
            world.ids["regulator"],
            "rare_earth_quota_replaced",
            a["id"],
            {"party": world.ids["mine"], "year": YEAR, "kind": "mining", "replaced_by": b["id"]},
        ),
        (
            world.ids["regulator"],
            "rare_earth_quota_registered",
            b["id"],
            {
                "party": world.ids["mine"],
                "year": YEAR,
                "kind": "mining",
                "class_id": "rare_earth.ore",
                "product": None,
                "quantity": 120.0,
                "uom": "TNE",
                "basis": "reo",
                "document_number": "工信部联原〔2025〕27号",
                "revision": 2,
                "replaces": a["id"],
            },
        ),
    ]


@pytest.mark.parametrize(
    ("_case", "fields", "status", "field"),
    [
        ("unknown producer", {"party": "91110000MA00000000"}, 400, "party"),
        ("a regulator is no producer", {"party": "示范市工业和信息化局"}, 400, "party"),
        ("class outside the kind", {"class_id": "rare_earth.smelted"}, 400, "class_id"),
        ("class outside rare earth", {"class_id": "food"}, 400, "class_id"),
        ("product of another class", {"product": OXIDE}, 400, "product"),
        ("product unknown", {"product": "06900000000000"}, 400, "product"),
        ("not a GTIN", {"product": "ABC"}, 400, "product"),
        ("blank document number", {"document_number": "   "}, 400, "document_number"),
        ("unknown kind", {"kind": "export"}, 400, "kind"),
        ("no quantity", {"quantity": 0}, 400, "quantity"),
        ("unknown unit", {"uom": "LTR"}, 400, "uom"),
        ("year out of range", {"year": 1999}, 400, "year"),
    ],
)
def test_refused_input_changes_nothing(
    client: TestClient, world: World, session: Session, _case: str, fields: dict[str, Any], status: int, field: str
) -> None:
    if fields.get("party") == "示范市工业和信息化局":
        fields = {"party": world.ids["regulator"]}
    response = quota(client, world, **fields)
    assert response.status_code == status, response.text
    problem = response.json()
    assert field in (problem.get("field") or str(problem)), problem
    audits = session.scalars(select(AuditEntry.id).where(AuditEntry.action.startswith("rare_earth"))).all()
    assert (count(session, RareEarthQuota), audits) == (0, [])


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("regulator", 201),
        ("admin", 201),
        ("regulator_elsewhere", 403),
        ("regulator_food", 403),
        ("mine", 403),
        ("buyer", 403),
    ],
)
def test_who_may_register(client: TestClient, world: World, session: Session, who: str, status: int) -> None:
    response = quota(client, world, who=who)
    assert response.status_code == status, response.text
    assert count(session, RareEarthQuota) == (1 if status == 201 else 0)


def test_nobody_signed_in(client: TestClient, world: World) -> None:
    body = {"party": world.ids["mine"], "year": YEAR, "kind": "mining", "quantity": 1, "document_number": "x"}
    assert client.post("/api/v1/rareearth/quotas", json=body).status_code == 401
    assert client.get("/api/v1/rareearth/quotas").status_code == 401


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", ["外市稀土矿业有限公司", "示范稀土冶炼分离有限公司", "示范稀土矿业有限公司"]),
        ("regulator", ["示范稀土冶炼分离有限公司", "示范稀土矿业有限公司"]),
        ("regulator_elsewhere", ["外市稀土矿业有限公司"]),
        ("regulator_food", []),
        ("mine", ["示范稀土矿业有限公司"]),
        ("plant", ["示范稀土冶炼分离有限公司"]),
        ("buyer", []),
        ("far", ["外市稀土矿业有限公司"]),
    ],
)
def test_who_sees_which_quotas(client: TestClient, world: World, who: str, expected: list[str]) -> None:
    # given: a quota each for the city's mine and plant and for the mine far away
    assert quota(client, world).status_code == 201
    assert quota(client, world, party=world.ids["plant"], kind="separation").status_code == 201
    assert quota(client, world, who="regulator_elsewhere", party=world.ids["far"]).status_code == 201
    # then
    found = client.get(f"/api/v1/rareearth/quotas?year={YEAR}", headers=world.h(who))
    assert found.status_code == 200
    assert sorted(q["party"] for q in found.json()) == expected
