"""The catalog's data-element rules at capture, through POST /capture: one case per top-level class."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from tests.conftest import Credentials
from tests.support.epcis import document
from zhuisu.db.session import unit_of_work
from zhuisu.models import Event, EventFlag
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

ZS = "https://zhuisu.cn/ns/epcis/"
V = "https://zhuisu.cn/voc/BTT-"
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"zs": ZS}]


def gtin(item: str) -> str:
    body = "0690123" + item
    return body + ean.calc_check_digit(body)


PRODUCTS = {
    "edible_agri.meat": gtin("100001"),
    "food.dairy": gtin("100002"),
    "agri_input.pesticide": gtin("100003"),
    "hazardous.explosive_precursor": gtin("100004"),
    "rare_earth.smelted": gtin("100005"),
    "imported.wine": gtin("100006"),
}


def dl(cls: str, tail: str = "/10/L1") -> str:
    return f"https://id.gs1.org/01/{PRODUCTS[cls]}{tail}"


def event(step: str, n: int, **fields: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": f"2026-06-01T08:00:{n:02d}.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": step,
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
        **fields,
    }


def btt(kind: str, value: str) -> dict[str, str]:
    return {"type": kind if kind in ("po", "inv", "testres") else V + kind, "bizTransaction": f"urn:zhuisu:doc:{value}"}


def qty(cls: str) -> list[dict[str, Any]]:
    return [{"epcClass": dl(cls), "quantity": 10, "uom": "KGM"}]


#: class → (complete event, key of the element to drop, where it sits, zh name, en name)
CASES: dict[str, tuple[dict[str, Any], str, str, str]] = {
    "edible_agri": (
        event(
            "receiving",
            1,
            quantityList=qty("edible_agri.meat"),
            **{"zs:origin": "230102"},
            bizTransactionList=[btt("compliance_certificate", "HGZ-1")],
        ),
        "bizTransactionList",
        "承诺达标合格证号",
        "compliance certificate (合格证) number",
    ),
    "food": (
        {
            **event("commissioning", 2, quantityList=qty("food.dairy")),
            "action": "ADD",
            "ilmd": {"zs:productionDate": "2026-05-30", "cbvmda:itemExpirationDate": "2026-11-30"},
        },
        "ilmd",
        "生产日期",
        "production date",
    ),
    "drug": (
        event(
            "dispensing",
            3,
            epcList=["https://zhuisu.cn/code/83857930000879766660"],
            **{"zs:batch": "B2405", "zs:expiry": "2028-01-31"},
        ),
        "zs:expiry",
        "有效期（保质期）",
        "expiry (best-before) date",
    ),
    "agri_input": (
        event("shipping", 4, epcList=[dl("agri_input.pesticide", "/21/S1")], **{"zs:batch": "P1"}),
        "zs:batch",
        "批号",
        "batch/lot number",
    ),
    # (an inspection is an inspection body's to record: tests/sectors/equipment/test_lifecycle.py)
    "special_equipment": (
        event(
            "installing",
            5,
            epcList=["https://zhuisu.cn/code/311011001201800123"],
            bizTransactionList=[btt("installation_notice", "N1")],
        ),
        "bizTransactionList",
        "施工告知书编号",
        "installation notice number",
    ),
    "hazardous": (
        event(
            "shipping",
            6,
            quantityList=qty("hazardous.explosive_precursor"),
            bizTransactionList=[btt("e_waybill", "W1"), btt("permit", "P1")],
        ),
        "bizTransactionList",
        "电子运单号",
        "electronic waybill number",
    ),
    "imported": (
        event(
            "receiving",
            7,
            quantityList=qty("imported.wine"),
            **{"zs:originCountry": "FR"},
            bizTransactionList=[btt("customs_declaration", "C1"), btt("entry_inspection_certificate", "E1")],
        ),
        "zs:originCountry",
        "原产国",
        "country of origin",
    ),
}


@pytest.fixture
def products(maker: sessionmaker[Session]) -> None:
    with unit_of_work(maker) as s:
        producer = parties_service.create_party(s, name="示范市产品登记企业")
        for class_id, code in PRODUCTS.items():
            masterdata.register_product(s, name=class_id, class_id=class_id, producer=producer, gtin=code)


def count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


LICENCE_FLAGS = {
    "food": [["licence:sc_food_production"]],
    "drug": [["licence:drug_distribution", "licence:medical_institution"]],
}


def without(event_: dict[str, Any], key: str) -> dict[str, Any]:
    if key == "bizTransactionList":
        return {**event_, key: event_[key][1:]}
    if key == "ilmd":
        return {**event_, key: {k: v for k, v in event_[key].items() if k != "zs:productionDate"}}
    return {k: v for k, v in event_.items() if k != key}


@pytest.mark.usefixtures("products")
@pytest.mark.parametrize("top", sorted(CASES))
def test_missing_element_refused_and_complete_accepted(
    top: str, client: TestClient, creds: Credentials, session: Session
) -> None:
    # given
    complete, key, name_zh, name_en = CASES[top]
    events_before = count(session, Event)
    # when
    refused = client.post("/capture", json=document(without(complete, key), context=CONTEXT), headers=creds.headers)
    refused_en = client.post(
        "/capture",
        json=document(without(complete, key), context=CONTEXT),
        headers={**creds.headers, "Accept-Language": "en"},
    )
    # then
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert [e["code"] for e in errors] == ["missing_data_element"]
    assert f"缺少必填数据元素「{name_zh}」" in errors[0]["message"]
    assert f"lacks the required data element '{name_en}'" in refused_en.json()["errors"][0]["message"]
    assert count(session, Event) == events_before
    accepted = client.post("/capture", json=document(complete, context=CONTEXT), headers=creds.headers)
    assert accepted.status_code == 202, accepted.json()
    assert accepted.json()["captured"] == 1
    assert count(session, Event) == events_before + 1
    # the recorder holds no confirmed licence: the national licence rules (mode flag) flag food production and
    # drug dispensing (tests/oversight/inspections/test_licence_rules.py)
    assert list(session.scalars(select(EventFlag.elements))) == LICENCE_FLAGS.get(top, [])


@pytest.mark.usefixtures("products")
def test_rare_earth_incomplete_is_accepted_and_flagged(
    client: TestClient, creds: Credentials, session: Session
) -> None:
    # given: rare earth is configured to flag, not refuse
    incomplete = event("shipping", 8, quantityList=qty("rare_earth.smelted"))
    complete = event("shipping", 9, quantityList=qty("rare_earth.smelted"), bizTransactionList=[btt("inv", "I1")])
    # when
    first = client.post("/capture", json=document(incomplete, context=CONTEXT), headers=creds.headers)
    second = client.post("/capture", json=document(complete, context=CONTEXT), headers=creds.headers)
    # then
    assert (first.status_code, second.status_code) == (202, 202)
    flags = list(session.scalars(select(EventFlag)))
    assert [(f.class_id, f.rule_id, f.elements, f.release, f.recorder_id) for f in flags] == [
        ("rare_earth.smelted", "rare_earth.circulation", ["trade_document"], "national::2026.1", creds.party_id)
    ]
    flagged = session.get(Event, flags[0].event_pk)
    assert flagged is not None
    assert flagged.event_hash == first.json()["events"][0]["hash"]


def test_unclassified_event_is_not_checked(client: TestClient, creds: Credentials, session: Session) -> None:
    response = client.post(
        "/capture",
        json=document(event("receiving", 10, epcList=["urn:example:thing:1"]), context=CONTEXT),
        headers=creds.headers,
    )
    assert response.status_code == 202
    assert response.json()["captured"] == 1


def test_class_from_the_party_at_the_read_point(
    client: TestClient, creds: Credentials, session: Session, maker: sessionmaker[Session]
) -> None:
    # given: an unregistered product, read at the site of a party registered under drugs
    with unit_of_work(maker) as s:
        pharmacy = parties_service.create_party(
            s, name="示范市大药房", product_class="drug.preparation", roles=["pharmacy"]
        )
        masterdata.add_location(s, pharmacy, name="门店", gln="6901234000047")
        token = parties_service.issue_token(s, party=pharmacy).secret
    sold = event(
        "retail_selling", 11, epcList=["urn:example:box:1"], readPoint={"id": "https://id.gs1.org/414/6901234000047"}
    )
    # when the pharmacy records a sale at its own site
    response = client.post(
        "/capture", json=document(sold, context=CONTEXT), headers={"Authorization": f"Bearer {token}"}
    )
    # then
    assert response.status_code == 400
    assert [e["expected"].split(":")[0] for e in response.json()["errors"]] == ["drug_trace_code", "batch", "expiry"]
    assert count(session, Event) == 0
