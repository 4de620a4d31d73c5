"""Every operation × every kind of caller, against one small world of real records: the outcome of each cell is the
expected one written in ``access_matrix.csv`` (columns ``anonymous`` … ``admin``; ``node``: a child node).

The world: enterprise A (region 370602, registered under food.dairy, a site, a product, a code batch, a named query with
a subscription, a capture job and its event), enterprise B beside it, platform P that A delegated to, a regulator of A's
city with the food mandate, one of another city, one of A's city with only the drug mandate, an inspection body, a child
node, and the admin. Path parameters name A's records; bodies are valid ones (a write's outcome is decided by who sends
it). Each request runs in a savepoint rolled back after it, so every caller meets the same world.

A cell is ``ok`` (any 2xx or 3xx), or the status: 401 (no token), 403 (refused, the problem names the rule), 404 (in
another's lane: its existence is not told), 400/422 (allowed to try, but the input is wrong for this caller — a capture
at another's site is rejected). Which records a read returns is asserted where the lanes are built:
``test_event_visibility``, ``test_trace_lanes``, ``test_ownership``, ``test_delegations``.

To see the observed table after a change, run with ``ZHUISU_MATRIX_OUT=/tmp/matrix.csv`` and compare it with the file
before editing the expected cells by hand; ``ZHUISU_MATRIX_DEBUG=/path`` prints each caller's answer there."""

import csv
import io
import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.auth.test_access_matrix import MATRIX
from tests.catalog.test_catalog_versions import local_release
from tests.conftest import CALLBACK_HOSTS
from tests.support.epcis import document, object_event
from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.federation import service as federation_service
from zhuisu.issuance import service as issuance_service
from zhuisu.kit.time import format_iso, utc_now
from zhuisu.ledger.keys import generate_key
from zhuisu.models import Alert, Party
from zhuisu.oversight.inspections import service as inspections_service
from zhuisu.oversight.inspections.schemas import InspectionCreate
from zhuisu.parties import delegations, masterdata
from zhuisu.parties import service as parties_service
from zhuisu.recall import orders
from zhuisu.recall.schemas import RecallCreate

ACTORS = (
    "anonymous",
    "A",
    "B",
    "platform",
    "regulator",
    "regulator_elsewhere",
    "regulator_no_mandate",
    "inspector",
    "node",
    "admin",
)
A_USCC, P_USCC = "91110000600037341L", "91350100M000100Y43"
A_PGLN, A_SITE = "6901234000047", "6901234000115"
GTIN = "06901234567892"
#: The thing A's event names: of a product nobody registered (the dairy product's rules would ask for a batch).
TRADED = "06901234111118"
EPC = f"https://id.gs1.org/01/{TRADED}/21/900"
EVENT_ID = "urn:uuid:matrix-a-1"
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
#: A child node's log key (``POST /exchange/link``).
CHILD_VKEY = generate_key("city.example/ledger")[1]


@pytest.fixture
def settings(engine: Engine) -> Settings:
    """The tests' settings, with the public routes' rate limit out of the way of 1,000 requests."""
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        subscriptions_allowed_hosts=CALLBACK_HOSTS,
        portal_rate_burst=100_000,
    )


def _event(n: int, event_id: str) -> dict[str, Any]:
    """An event at A's site with the batch the food classes' rules ask for."""
    site = {"id": f"https://id.gs1.org/414/{A_SITE}"}
    return object_event(
        n, eventID=event_id, epcList=[EPC], bizLocation=site, **{"https://zhuisu.cn/ns/epcis/batch": "M1"}
    )


def _world(client: TestClient, maker: sessionmaker[Session]) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """(headers by actor, path parameters naming A's records)."""
    tokens: dict[str, str] = {}
    with unit_of_work(maker) as s:

        def party(key: str, name: str, role: str = "enterprise", **kw: Any) -> Party:
            found = parties_service.create_party(s, name=name, **kw)
            if role != "enterprise":
                jurisdiction = kw.pop("jurisdiction", None)
                parties_service.grant(s, found, actor_role=role, **({"jurisdiction": jurisdiction} | kw))
            tokens[key] = parties_service.issue_token(s, party=found).secret
            return found

        a = party("A", "示范市甲乳业有限公司", uscc=A_USCC, gln=A_PGLN, region="370602")
        party("B", "示范市乙食品有限公司", region="370602")
        p = party("platform", "示范市追溯服务平台", uscc=P_USCC, region="370602")
        parties_service.grant(s, p, actor_role="platform")
        for key, jurisdiction, mandate in (
            ("regulator", "3706", ["food"]),
            ("regulator_elsewhere", "1101", ["food"]),
            ("regulator_no_mandate", "3706", ["drug"]),
        ):
            found = parties_service.create_party(s, name=f"监管 {key}", party_type="government")
            parties_service.grant(s, found, actor_role="regulator", jurisdiction=jurisdiction, mandate=mandate)
            tokens[key] = parties_service.issue_token(s, party=found).secret
        inspector = parties_service.create_party(s, name="示范市检验检测中心", region="370602")
        parties_service.grant(s, inspector, actor_role="inspector")
        tokens["inspector"] = parties_service.issue_token(s, party=inspector).secret
        tokens["node"] = federation_service.add_child(s, name="示范市追溯平台节点", region="370600")[1]
        admin = parties_service.create_party(s, name="节点管理员")
        parties_service.grant(s, admin, actor_role="admin")
        tokens["admin"] = parties_service.issue_token(s, party=admin).secret
        masterdata.add_location(s, a, name="甲仓库", gln=A_SITE, region="370602")
        issuance_service.set_gs1_prefix(s, party=a, prefix="6901234")
        # issued before the product is registered: the dairy rules ask a commissioning for production and expiry
        # dates, which issuing does not carry (noted for the codes issue)
        batch = issuance_service.issue_codes(s, party=a, gtin=GTIN, lot="M1", count=1)
        masterdata.register_product(s, name="纯牛奶", class_id="food.dairy", producer=a, gtin=GTIN)
        delegation = delegations.delegate(s, a, p)
        ids = {"party_id": a.id, "batch_id": batch.batch.id, "delegation_id": delegation.id}
    headers = {key: {"Authorization": f"Bearer {secret}"} for key, secret in tokens.items()} | {"anonymous": {}}
    a_headers = headers["A"]
    captured = client.post("/capture", json=document(_event(1, EVENT_ID)), headers=a_headers)
    assert captured.status_code == 202, captured.json()
    query = client.post("/queries", headers=a_headers, json={"name": "a-query", "query": {"EQ_bizStep": ["shipping"]}})
    assert query.status_code == 201, query.json()
    hook = client.post(
        "/queries/a-query/subscriptions", headers=a_headers, json={"dest": "https://a.example/h", "stream": True}
    )
    assert hook.status_code == 201, hook.json()
    notice_hook = client.post("/notices/hooks", headers=a_headers, json={"dest": "https://a.example/notices"})
    assert notice_hook.status_code == 201, notice_hook.json()
    with unit_of_work(
        maker
    ) as s:  # registered (备案) under dairy once its event is in: its rules would ask for a batch
        s.get_one(Party, ids["party_id"]).product_class = "food"
    with unit_of_work(maker) as s:  # an inspection report of A's lot by the inspection body, and A's licence
        ids |= {
            "inspection_id": inspections_service.record_inspection(
                s, InspectionCreate.model_validate(_report("M-0")), actor=s.get_one(Party, inspector.id)
            ).id,
            "licence_id": masterdata.add_licence(
                s,
                s.get_one(Party, ids["party_id"]),
                licence_type="food_business",
                number="JY1",
                valid_from=date(2025, 1, 1),
            ).id,
        }
    with unit_of_work(maker) as s:  # A's voluntary recall of the thing its event names (the recall routes' record)
        recall = orders.issue_recall(s, issuer=s.get_one(Party, ids["party_id"]), order=RecallCreate(**_recall()))
        ids |= {"recall_id": recall.id, "report_format": "xlsx"}
        # a risk alert about A (its own record; in the lane of A's city's food regulator)
        alert = Alert(rule="duplicate_sale", dedup_key="matrix", severity="high", party_id=ids["party_id"])
        alert.region, alert.class_id, alert.evidence, alert.codes = "370602", "food", [EVENT_ID], [EPC]
        s.add(alert)
        s.flush()
        ids["alert_id"] = str(alert.id)
    ids |= {
        "capture_id": captured.headers["Location"].rsplit("/", 1)[1],
        "event_id": EVENT_ID,
        "name": "a-query",
        "subscription_id": hook.json()["subscriptionID"],
        "hook_id": notice_hook.json()["id"],
        "code": EPC,
        "value": EPC,
        "compressed": "AQyNozclHEIHwg",  # EPC as a compressed GS1 Digital Link
        "rest": f"{TRADED}/21/900",
        "class_id": "food",
        "kind": "locations",
        "fmt": "csv",
        "path": "0/000",
        "token": "matrix",
        "reference": "ZS-MATRIX",
        "entry_id": "no-such-entry",
        "log_id": "no-such-log",
        "sha256": "0" * 64,
        "appeal_id": "no-such-appeal",
        "number": "no-such-waybill",
    }
    return headers, ids


#: Valid bodies of the writes, as their owner would send them.
def _bodies() -> dict[tuple[str, str], dict[str, Any]]:
    return {
        ("POST", "/capture"): {"json": document(_event(2, "urn:uuid:matrix-2"))},
        ("POST", "/events"): {"json": {"@context": CONTEXT} | _event(3, "urn:uuid:matrix-3")},
        ("POST", "/queries"): {"json": {"name": "m-query", "query": {}}},
        ("POST", "/queries/{name}/subscriptions"): {"json": {"dest": "https://a.example/m", "stream": True}},
        ("POST", "/notices/hooks"): {"json": {"dest": "https://a.example/n"}},
        ("POST", "/codes/scan"): {"json": {"text": EPC}},
        ("POST", "/codes/issue"): {
            "json": {"gtin": GTIN, "lot": "M2", "count": 1, "production_date": "2026-12-01", "expiry": "2027-06-01"}
        },
        ("POST", "/api/v1/catalog/releases"): {"json": local_release()},
        ("POST", "/api/v1/parties"): {"json": {"name": "新登记企业"}},
        ("PATCH", "/api/v1/parties/{party_id}"): {"json": {"address": "示范市一路 1 号"}},
        ("POST", "/api/v1/parties/{party_id}/licences"): {
            "json": {
                "licence_type": "sc_food_production",
                "number": "sc 115 32139 2 0046 5",
                "valid_from": "2024-01-01",
            }
        },
        ("POST", "/api/v1/parties/{party_id}/locations"): {"json": {"name": "二号仓库", "gln": "6901234000122"}},
        ("POST", "/api/v1/products"): {
            "json": {"name": "酸奶", "class_id": "food.dairy", "producer": A_USCC, "gtin": "06901234567908"}
        },
        ("POST", "/api/v1/masterdata/import/{kind}"): {
            "files": {
                "file": (
                    "locations.csv",
                    f"主体统一社会信用代码,位置名称,GLN\n{A_USCC},三号仓库,6901234000139\n".encode(),
                )
            }
        },
        ("POST", "/api/v1/console/uploads"): {
            "files": {
                "file": (
                    "events.csv",
                    f"事件时间,追溯码,业务步骤,业务地点\n2026-10-04 08:30,{EPC},shipping,{A_SITE}\n".encode(),
                )
            }
        },
        ("POST", "/api/v1/delegations"): {"json": {"enterprise": A_USCC, "platform": P_USCC}},
        ("POST", "/api/v1/dashboard/complaints/{reference}"): {"json": {"note": "已核查"}},
        ("POST", "/api/v1/credit/blacklist"): {
            "json": {
                "party": A_USCC,
                "reason": "销售过期食品",
                "legal_basis": "《食品安全法》",
                "starts_on": "2026-12-01",
            }
        },
        ("POST", "/api/v1/credit/blacklist/{entry_id}/revoke"): {"json": {"reason": "整改完成"}},
        ("POST", "/api/v1/credit/appeals"): {"json": {"note": "记录有误"}},
        ("POST", "/api/v1/credit/appeals/{appeal_id}/answer"): {"json": {"answer": "已复核"}},
        ("POST", "/inspections"): {"json": _report("M-1")},
        ("POST", "/inspections/import"): {
            "files": {
                "file": (
                    "reports.csv",
                    "检验机构,报告编号,批次码或追溯码,检验日期,检验项目,检测值,单项结论,综合结论\n"
                    f"示范市检验检测中心,M-2,(01){GTIN}(10)M1,2026-12-01,蛋白质,3.1,合格,合格\n".encode(),
                )
            }
        },
        ("POST", "/certificates"): {
            "json": {
                "kind": "organic",
                "number": "OR-M",
                "issuer": "认证中心",
                "code": GTIN,
                "valid_from": "2026-01-01",
            }
        },
        ("POST", "/licences/{licence_id}/confirm"): {"json": {"classes": ["food"]}},
        ("POST", "/recalls"): {"json": _recall()},
        ("POST", "/recalls/{recall_id}/close"): {"json": {"note": "已全部召回"}},
        ("POST", "/alerts/{alert_id}/close"): {"json": {"note": "已约谈企业，核实为系统重复上传"}},
        ("POST", "/exchange/link"): {"json": {"log_vkey": CHILD_VKEY, "base_url": "https://city.example"}},
        ("POST", "/exchange/parties"): {"json": {"parties": []}},
    }


def _report(number: str) -> dict[str, Any]:
    """An inspection report of A's lot M1."""
    item = {"name": "蛋白质", "value": "3.1", "unit": "g/100g", "limit": "≥2.9", "result": "pass"}
    return {
        "lab": "示范市检验检测中心",
        "report_number": number,
        "code": f"(01){GTIN}(10)M1",
        "items": [item],
        "result": "pass",
        "inspected_on": "2026-12-01",
    }


def _recall() -> dict[str, Any]:
    deadline = format_iso(utc_now() + timedelta(days=7))
    return {"code": EPC, "reason": "菌落总数超标", "level": 2, "deadline": deadline}


#: The browse resources' ``{value}``: one A's event has, per resource.
BROWSED = {
    "/eventTypes": "ObjectEvent",
    "/epcs": EPC,
    "/bizSteps": "shipping",
    "/bizLocations": f"https://id.gs1.org/414/{A_SITE}",
    "/readPoints": "https://id.gs1.org/414/6901234000016",
    "/dispositions": "in_transit",
}


def _url(path: str, ids: dict[str, str]) -> str:
    resource = "/" + path.split("/")[1]
    values = ids | ({"value": BROWSED[resource].replace("/", "%2F")} if resource in BROWSED else {})
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)


def _outcome(status: int) -> str:
    return "ok" if status < 400 else str(status)


def test_every_caller_meets_its_expected_outcome(
    client: TestClient, maker: sessionmaker[Session], connection: Connection
) -> None:
    headers, ids = _world(client, maker)
    bodies = _bodies()
    with MATRIX.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    observed: list[dict[str, str]] = []
    for row in rows:
        seen = dict(row)
        for actor in ACTORS:
            savepoint = connection.begin_nested()
            try:
                response = client.request(
                    row["method"],
                    _url(row["path"], ids),
                    headers=headers[actor],
                    follow_redirects=False,
                    **bodies.get((row["method"], row["path"]), {}),
                )
            finally:
                savepoint.rollback()
            seen[actor] = _outcome(response.status_code)
            if os.environ.get("ZHUISU_MATRIX_DEBUG") and row["path"] == os.environ["ZHUISU_MATRIX_DEBUG"]:
                print(actor, response.status_code, response.text[:600])
        observed.append(seen)
    if out := os.environ.get("ZHUISU_MATRIX_OUT"):
        _write(Path(out), observed)
    mismatched = [
        (row["method"], row["path"], actor, row.get(actor), seen[actor])
        for row, seen in zip(rows, observed, strict=True)
        for actor in ACTORS
        if row.get(actor) != seen[actor]
    ]
    assert mismatched == [], "(method, path, caller, expected, observed)"


def test_the_table_has_a_cell_for_every_caller() -> None:
    with MATRIX.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert list(reader.fieldnames or ()) == ["method", "path", "access", "rule", *ACTORS]
        cells = {row[actor] for row in reader for actor in ACTORS}
    assert cells <= {"ok", "400", "401", "403", "404", "422"}


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8")
