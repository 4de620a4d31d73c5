"""追溯体系建设评价 on a small world with known answers, on both databases: each input and score, the ranking, the
regions, who reads which rows, the workbook and the desk page."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.support.epcis import document, object_event
from tests.support.signin import sign_in
from zhuisu.capture import service as capture_service
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import utc_now
from zhuisu.models import Alert, Event, EventFlag, Licence, Product
from zhuisu.parties import service as parties_service

GTIN1, GTIN2 = "06901234567892", "06901234567908"


def _sgtin(serial: int) -> str:
    return f"https://id.gs1.org/01/{GTIN1}/10/L1/21/{serial}"


def _at(hours_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _event(n: int, hours_ago: float, step: str, codes: list[str], to: str | None = None) -> dict[str, object]:
    extra: dict[str, object] = {}
    if step == "commissioning":
        extra["action"] = "ADD"
        extra["ilmd"] = {
            "cbvmda:itemExpirationDate": "2027-06-01",
            "https://zhuisu.cn/ns/epcis/productionDate": "2026-12-01",
        }
    if to is not None:
        extra["destinationList"] = [{"type": "owning_party", "destination": f"https://id.gs1.org/417/{to}"}]
    return object_event(
        n,
        eventID=f"urn:uuid:eval-{n}",
        eventTime=_at(hours_ago),
        eventTimeZoneOffset="+00:00",
        bizStep=step,
        epcList=codes,
        disposition="active" if step == "commissioning" else "in_progress",
        **extra,
    )


@pytest.fixture
def world(maker: sessionmaker[Session]) -> dict[str, str]:
    """A (370602) commissions two items of its first product, ships one to B (who receives it) and one to C (who
    never does), one of its events flagged; B (370602) receives; C (110105) records nothing. Tokens by name."""
    tokens: dict[str, str] = {}
    with unit_of_work(maker) as s:
        a = parties_service.create_party(s, name="甲企业", region="370602", gln="6901234000047")
        b = parties_service.create_party(s, name="乙企业", region="370602", gln="6901234000054")
        c = parties_service.create_party(s, name="丙企业", region="110105", gln="6901234000061")
        city = parties_service.create_party(s, name="本市监管", region="370602")
        parties_service.grant(s, city, actor_role="regulator", jurisdiction="3706")
        far = parties_service.create_party(s, name="外地监管", region="110105")
        parties_service.grant(s, far, actor_role="regulator", jurisdiction="11")
        admin = parties_service.create_party(s, name="管理员")
        parties_service.grant(s, admin, actor_role="admin")
        s.add_all(
            [
                Product(name="酸奶", gtin=GTIN1, producer_id=a.id, class_id="food"),
                Product(name="牛奶", gtin=GTIN2, producer_id=a.id, class_id="food"),
            ]
        )
        # A holds a confirmed food production licence (the national catalog flags production without one)
        s.add(
            Licence(
                party_id=a.id,
                licence_type="sc_food_production",
                number="SC10637060200011",
                issuer="本市监管",
                valid_from=date(2024, 1, 1),
                classes=["food"],
                confirmed_by_id=city.id,
                confirmed_at=utc_now(),
            )
        )
        for party in (a, b, c, city, far, admin):
            tokens[party.name] = parties_service.issue_token(s, party=party, label="t").secret
        tokens["A"], tokens["B"] = a.id, b.id
        result = capture_service.capture_document(
            s,
            document(
                _event(1, 3, "commissioning", [_sgtin(1), _sgtin(2)]),
                _event(2, 2, "shipping", [_sgtin(1)], to="6901234000054"),
                _event(3, 50, "shipping", [_sgtin(2)], to="6901234000061"),
            ),
            actor=a,
        )
        received = capture_service.capture_document(s, document(_event(4, 1, "receiving", [_sgtin(1)])), actor=b)
        assert [o.status for o in result.outcomes + received.outcomes] == ["captured"] * 4, result.outcomes
        s.flush()
        flagged = s.scalar(select(Event.id).where(Event.event_id == "urn:uuid:eval-1"))
        assert flagged is not None
        # a risk alert about A (a shipment never received), first seen now
        s.add(
            Alert(
                rule="shipped_not_received",
                dedup_key="eval-a",
                severity="medium",
                party_id=tokens["A"],
                region="370602",
                evidence=["urn:uuid:eval-3"],
                codes=[_sgtin(2)],
            )
        )
        s.add(
            EventFlag(
                event_pk=flagged, recorder_id=a.id, class_id="food.dairy", rule_id="r", release="x", elements=["lot"]
            )
        )
    return tokens


A_ROW: dict[str, object] = {
    "name": "甲企业",
    "region": "370602",
    "enterprises": 1,
    "events": 3,
    "products": 2,
    "products_traced": 1,
    "coverage": 0.5,
    "median_delay_hours": 3.0,
    "p90_delay_hours": 50.0,
    "within_24h": 0.6667,
    "completeness": 0.6667,
    "shipments": 2,
    "shipments_received": 1,
    "linkage": 0.5,
    "flags_per_10k": 3333.3,
    "alerts": 1,
    "alerts_per_10k": 3333.3,
    "score": 38.3,
    "reported_by": None,
}
B_ROW: dict[str, object] = {
    "name": "乙企业",
    "region": "370602",
    "enterprises": 1,
    "events": 1,
    "products": 0,
    "products_traced": 0,
    "coverage": None,
    "median_delay_hours": 1.0,
    "p90_delay_hours": 1.0,
    "within_24h": 1.0,
    "completeness": 1.0,
    "shipments": 0,
    "shipments_received": 0,
    "linkage": None,
    "flags_per_10k": 0.0,
    "alerts": 0,
    "alerts_per_10k": 0.0,
    "score": 100.0,
    "reported_by": None,
}
CITY_ROW: dict[str, object] = {
    "name": None,
    "region": "370602",
    "enterprises": 2,
    "events": 4,
    "products": 2,
    "products_traced": 1,
    "coverage": 0.5,
    "median_delay_hours": 2.5,
    "p90_delay_hours": 50.0,
    "within_24h": 0.75,
    "completeness": 0.75,
    "shipments": 2,
    "shipments_received": 1,
    "linkage": 0.5,
    "flags_per_10k": 2500.0,
    "alerts": 1,
    "alerts_per_10k": 2500.0,
    "score": 42.5,
    "reported_by": None,
}


def _rows(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{k: v for k, v in r.items() if k not in ("party_id", "rank")} | {"rank": r["rank"]} for r in rows]


def _close(found: dict[str, object], expected: dict[str, object]) -> None:
    """Delays depend on the seconds between building the world and reading it: to the hundredth of an hour."""
    for key in ("median_delay_hours", "p90_delay_hours"):
        if isinstance(found[key], float) and isinstance(expected[key], float):
            assert abs(found[key] - expected[key]) < 0.02, key  # type: ignore[operator]
            found = {**found, key: expected[key]}
    assert found == expected


def test_scores_and_their_inputs_ranked(client: TestClient, world: dict[str, str]) -> None:
    body = client.get("/evaluation", headers={"Authorization": f"Bearer {world['管理员']}"}).json()
    assert body["window_days"] == 30
    enterprises, regions = _rows(body["enterprises"]), _rows(body["regions"])
    assert [r["name"] for r in enterprises] == ["乙企业", "甲企业"]
    _close(enterprises[0], B_ROW | {"rank": 1})
    _close(enterprises[1], A_ROW | {"rank": 2})
    assert [r["region"] for r in regions] == ["370602"]
    _close(regions[0], CITY_ROW | {"rank": 1})
    assert [r["party_id"] for r in body["enterprises"]] == [world["B"], world["A"]]


@pytest.mark.parametrize(
    ("reader", "names"),
    [
        ("管理员", ["乙企业", "甲企业"]),
        ("本市监管", ["乙企业", "甲企业"]),
        ("外地监管", []),
        ("甲企业", ["甲企业"]),
        ("丙企业", []),
    ],
)
def test_who_reads_which_rows(client: TestClient, world: dict[str, str], reader: str, names: list[str]) -> None:
    body = client.get("/evaluation", headers={"Authorization": f"Bearer {world[reader]}"}).json()
    assert [r["name"] for r in body["enterprises"]] == names
    if reader == "甲企业":  # its region's row holds only what it may see: itself
        assert [(r["region"], r["enterprises"], r["events"]) for r in body["regions"]] == [("370602", 1, 3)]


def test_a_region_outside_the_scope_is_narrowed_back(client: TestClient, world: dict[str, str]) -> None:
    body = client.get(
        "/evaluation", params={"region": "11"}, headers={"Authorization": f"Bearer {world['本市监管']}"}
    ).json()
    assert (body["region"], [r["name"] for r in body["enterprises"]]) == ("3706", ["乙企业", "甲企业"])
    assert client.get("/evaluation").status_code == 401


def test_the_workbook(client: TestClient, world: dict[str, str]) -> None:
    response = client.get("/evaluation.xlsx", headers={"Authorization": f"Bearer {world['本市监管']}"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["企业 Enterprises", "地区 Regions"]
    rows = [list(r) for r in book["企业 Enterprises"].iter_rows(values_only=True)]
    assert rows[0][:5] == ["排名 Rank", "企业 Enterprise", "地区 Region", "企业数 Enterprises", "得分 Score"]
    assert [r[:5] for r in rows[1:]] == [[1, "乙企业", "370602", 1, 100.0], [2, "甲企业", "370602", 1, 38.3]]
    assert [list(r)[:5] for r in book["地区 Regions"].iter_rows(min_row=2, values_only=True)] == [
        [1, None, "370602", 2, 42.5]
    ]


def test_the_desk_page(client: TestClient, world: dict[str, str]) -> None:
    sign_in(client, world["本市监管"])
    page = client.get("/dashboard/evaluation")
    assert page.status_code == 200
    assert "追溯体系建设评价" in page.text
    assert page.text.index("乙企业") < page.text.index("甲企业")
    assert "<strong>38.3</strong>" in page.text
    assert "50.0% <small>(1/2)</small>" in page.text
