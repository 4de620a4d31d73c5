"""The canteen procurement ledger through the app on both databases: a receipt recorded as a receiving event with
its licence check, the exact ledger row and workbook cells, bad input refused naming the field with nothing stored,
the invoice photo kept byte for byte, and which rows each kind of caller reads."""

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.sectors.canteen.world import MILK, SITE, World, count, post, receipt, uscc
from tests.support.signin import sign_in
from zhuisu.models import AuditEntry, CanteenPhoto, CanteenReceipt, Event


def test_a_receipt_is_a_receiving_event_and_a_ledger_row(client: TestClient, world: World, session: Session) -> None:
    # when: the canteen records the supplier's milk
    r = post(client, world, receipt())
    # then: the row, with the licence verified on the day
    assert r.status_code == 201, r.json()
    row = r.json()
    assert {k: row[k] for k in row if k not in ("id", "event_id", "received_at")} == {
        "canteen_id": world.ids["canteen"],
        "canteen": "示范市第二中学食堂",
        "region": "370102",
        "day": "2026-06-01",
        "supplier_id": world.ids["supplier"],
        "supplier_name": "示范市放心食品配送有限公司",
        "supplier_uscc": uscc(9902),
        "product_name": "示范牌纯牛奶",
        "spec": "250 mL",
        "code": f"https://id.gs1.org/01/{MILK}/10/L1",
        "gtin": MILK,
        "lot": "L1",
        "quantity": 20.0,
        "uom": "XBX",
        "unit_name": "箱",
        "production_date": "2026-05-28",
        "expiry": "2026-06-27",
        "origin": "",
        "licence_status": "verified",
        "licence_status_name": "已核验",
        "licence_type": "food_business",
        "licence_number": "JY13701020099002",
        "invoice_number": "FP-0001",
        "invoice_photo": None,
        "certificate_kind": "inspection_report",
        "certificate_number": "CC-L1",
        "certificate_source": "entered",
        "certificate_result": None,
        "receiver": "王建国",
    }
    # and: the event at the canteen's site, from the supplier, naming the invoice and the certificate
    event = session.scalar(select(Event).where(Event.event_id == row["event_id"]))
    assert event is not None
    body = event.body
    assert (event.biz_step, event.biz_location, event.read_point) == (
        "receiving",
        f"https://id.gs1.org/414/{SITE}",
        f"https://id.gs1.org/414/{SITE}",
    )
    assert body["sourceList"] == [{"type": "owning_party", "source": "https://id.gs1.org/417/6909990000028"}]
    assert body["bizTransactionList"] == [
        {"type": "inv", "bizTransaction": "urn:zhuisu:inv:FP-0001"},
        {"type": "testres", "bizTransaction": "urn:zhuisu:cert:CC-L1"},
    ]
    assert body["zs:receiver"] == "王建国"
    assert body["zs:licenceCheck"] == {
        "status": "verified",
        "class": "food.dairy",
        "checkedOn": "2026-06-01",
        "type": "food_business",
        "number": "JY13701020099002",
        "issuer": "示范市市场监督管理局",
        "validTo": "2026-12-31",
    }
    assert [a.action for a in session.scalars(select(AuditEntry).where(AuditEntry.action.startswith("canteen_")))] == [
        "canteen_receipt_recorded"
    ]


def test_the_daily_ledger_and_its_workbook(client: TestClient, world: World) -> None:
    # given: the milk (verified) and greens from an unlicensed stall (not verified)
    assert post(client, world, receipt()).status_code == 201
    greens = receipt(
        supplier="示范市路边蔬菜摊", code="", product_name="青菜", spec="散装", quantity=12.5, unit="KGM", lot="QC1",
        production_date=None, expiry=None, origin="山东省寿光市", invoice_number="",
        certificate_kind="compliance_certificate", certificate_number="HGZ-1",
        received_at="2026-06-01T10:00:00+08:00", invoice_photo="",
    )  # fmt: skip
    r = post(client, world, {**greens, "invoice_number": "PF-9"})
    assert r.status_code == 201, r.json()
    assert (r.json()["licence_status"], r.json()["licence_number"]) == ("unverified", None)
    # when: the day's ledger, another day's, and the workbook
    day = client.get("/api/v1/canteen/ledger?day=2026-06-01", headers=world.h("canteen")).json()
    other = client.get("/api/v1/canteen/ledger?day=2026-06-02", headers=world.h("canteen")).json()
    x = client.get("/api/v1/canteen/ledger.xlsx?day=2026-06-01", headers=world.h("canteen"))
    # then
    assert [(row["product_name"], row["licence_status"]) for row in day["rows"]] == [
        ("示范牌纯牛奶", "verified"),
        ("青菜", "unverified"),
    ]
    assert other["rows"] == []
    assert x.headers["content-disposition"] == 'attachment; filename="canteen-ledger-2026-06-01.xlsx"'
    sheet = load_workbook(io.BytesIO(x.content)).active
    assert sheet is not None
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["日期", "品名", "规格", "数量/单位", "供货者", "许可证号及核验结果", "生产日期/批号", "保质期", "票据号",
         "检验合格证明", "验收人", "食堂"],
        ["2026-06-01", "示范牌纯牛奶", "250 mL", "20 箱", "示范市放心食品配送有限公司", "JY13701020099002 已核验",
         "2026-05-28 / L1", "2026-06-27", "FP-0001", "检验报告 CC-L1", "王建国", "示范市第二中学食堂"],
        ["2026-06-01", "青菜", "散装", "12.5 千克", "示范市路边蔬菜摊", "无有效许可证 未核验", "QC1", None, "PF-9",
         "承诺达标合格证 HGZ-1", "王建国", "示范市第二中学食堂"],
    ]  # fmt: skip
    # and: a range export holds the same rows; a range ending before it starts is refused
    ranged = client.get("/api/v1/canteen/ledger.xlsx?since=2026-05-01&until=2026-06-30", headers=world.h("canteen"))
    assert load_workbook(io.BytesIO(ranged.content)).active.max_row == 3
    bad = client.get("/api/v1/canteen/ledger?since=2026-06-02&until=2026-06-01", headers=world.h("canteen"))
    assert (bad.status_code, bad.json()["field"]) == (400, "until")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"receiver": "  "}, "receiver"),
        ({"unit": "XYZ"}, "unit"),
        ({"supplier": "91110000600037341L"}, "supplier"),
        ({"supplier": "", "supplier_name": "某商行", "supplier_uscc": "91370102MA0009901X"}, "supplier_uscc"),
        ({"supplier": "", "supplier_name": ""}, "supplier"),
        ({"invoice_number": ""}, "invoice_number"),
        ({"expiry": "2026-05-01"}, "expiry"),
        ({"lot": "L2"}, "lot"),
        ({"code": "", "product_name": ""}, "product_name"),
        ({"received_at": "2099-01-01T00:00:00+08:00"}, "received_at"),
        ({"code": "", "product_name": "酸奶", "lot": ""}, "lot"),
        ({"invoice_photo": "ab" * 32}, "invoice_photo"),
        ({"site": "6909990000998"}, "site"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    client: TestClient, world: World, session: Session, change: dict[str, Any], field: str
) -> None:
    r = post(client, world, receipt(**change))
    assert (r.status_code, r.json().get("field")) == (400, field), r.json()
    audited = session.scalars(select(AuditEntry.action).where(AuditEntry.action.startswith("canteen_"))).all()
    assert (count(session, CanteenReceipt), count(session, Event), count(session, CanteenPhoto), audited) == (
        0,
        0,
        0,
        [],
    )


def test_only_a_canteen_records_receipts(client: TestClient, world: World, session: Session) -> None:
    for who in ("supplier", "regulator", "inspector"):
        r = post(client, world, receipt(), who=who)
        assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    assert post(client, world, receipt(), who="canteen").status_code == 201
    assert client.post("/api/v1/canteen/receipts", json=receipt()).status_code == 401
    assert count(session, CanteenReceipt) == 1


JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40 + b"\xff\xd9"


def test_the_invoice_photo_is_kept_byte_for_byte(client: TestClient, world: World, session: Session) -> None:
    # when: the canteen uploads a photo and names it in a receipt without an invoice number
    up = client.post(
        "/api/v1/canteen/photos", files={"photo": ("票据.jpg", JPEG, "image/jpeg")}, headers=world.h("canteen")
    )
    assert up.status_code == 201, up.json()
    digest = up.json()["sha256"]
    assert up.json() == {"sha256": digest, "content_type": "image/jpeg", "size": len(JPEG), "filename": "票据.jpg"}
    r = post(client, world, receipt(invoice_number="", invoice_photo=digest))
    assert (r.status_code, r.json()["invoice_photo"]) == (201, digest)
    # then: the same bytes back to the canteen and to the supplier (its delivery), to nobody else
    for who in ("canteen", "supplier", "regulator"):
        got = client.get(f"/api/v1/canteen/photos/{digest}", headers=world.h(who))
        assert (got.status_code, got.content, got.headers["content-type"]) == (200, JPEG, "image/jpeg")
    for who in ("other", "regulator_elsewhere", "unlicensed"):
        assert client.get(f"/api/v1/canteen/photos/{digest}", headers=world.h(who)).status_code == 404
    stored = session.get(CanteenPhoto, digest)
    assert stored is not None
    assert bytes(stored.data) == JPEG


def test_a_photo_too_large_or_not_an_image_is_refused(
    client: TestClient, world: World, session: Session, app: Any
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"canteen_photo_max_bytes": 1000})
    big = client.post(
        "/api/v1/canteen/photos", files={"photo": ("a.jpg", JPEG, "image/jpeg")}, headers=world.h("canteen")
    )
    text = client.post(
        "/api/v1/canteen/photos", files={"photo": ("a.txt", b"hi", "text/plain")}, headers=world.h("canteen")
    )
    assert (big.status_code, big.json()["code"], big.json()["field"]) == (413, "too_large", "invoice_photo")
    assert (text.status_code, text.json()["field"]) == (400, "invoice_photo")
    assert count(session, CanteenPhoto) == 0


def _rows(client: TestClient, world: World, who: str) -> list[str] | int:
    r = client.get("/api/v1/canteen/ledger?since=2026-06-01&until=2026-06-30", headers=world.h(who) if who else {})
    return [row["product_name"] for row in r.json()["rows"]] if r.status_code == 200 else r.status_code


def test_who_reads_which_rows(client: TestClient, world: World) -> None:
    # given: the milk from the licensed supplier, greens from the stall
    assert post(client, world, receipt()).status_code == 201
    greens = receipt(supplier=uscc(9903), code="", product_name="青菜", lot="QC1", origin="寿光", production_date=None,
                     expiry=None, unit="KGM", certificate_kind="compliance_certificate",
                     certificate_number="HGZ-1")  # fmt: skip
    assert post(client, world, greens).status_code == 201
    # then: the canteen its own, each supplier its deliveries, the regulator of the district's food its canteens
    assert {who: _rows(client, world, who) for who in (
        "canteen", "supplier", "unlicensed", "other", "regulator", "regulator_elsewhere", "regulator_no_mandate",
        "inspector", "",
    )} == {
        "canteen": ["示范牌纯牛奶", "青菜"],
        "supplier": ["示范牌纯牛奶"],
        "unlicensed": ["青菜"],
        "other": [],
        "regulator": ["示范牌纯牛奶", "青菜"],
        "regulator_elsewhere": [],
        "regulator_no_mandate": [],
        "inspector": [],
        "": 401,
    }  # fmt: skip


def test_a_code_fills_the_product(client: TestClient, world: World) -> None:
    r = client.get(f"/api/v1/canteen/lookup?code=(01){MILK}(10)L7", headers=world.h("canteen"))
    assert r.json() == {
        "code": f"https://id.gs1.org/01/{MILK}/10/L7",
        "product_name": "示范牌纯牛奶",
        "spec": "250 mL",
        "gtin": MILK,
        "lot": "L7",
        "class_id": "food.dairy",
        "inspection": None,
        "inspection_result": None,
    }


def test_the_page_records_a_receipt_with_its_photo(client: TestClient, world: World, session: Session) -> None:
    csrf = sign_in(client, world.tokens["canteen"])
    form = {k: str(v) for k, v in receipt(received_at="2026-06-01T09:30").items() if v is not None}
    page = client.get("/canteen")
    assert page.status_code == 200
    assert 'id="receive-form"' in page.text
    # a bad one first: the form again, naming the field, nothing stored
    bad = client.post("/canteen/receipts", data={**form, "receiver": "", "csrf_token": csrf})
    assert bad.status_code == 400
    assert 'data-field="receiver"' in bad.text
    assert count(session, CanteenReceipt) == 0
    r = client.post(
        "/canteen/receipts",
        data={**form, "invoice_number": "", "csrf_token": csrf},
        files={"invoice_photo": ("p.jpg", JPEG, "image/jpeg")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/canteen/ledger?day=2026-06-01#r-")
    ledger = client.get("/canteen/ledger?day=2026-06-01")
    assert "示范牌纯牛奶" in ledger.text
    assert "已核验" in ledger.text
    row = session.scalars(select(CanteenReceipt)).one()
    photo = session.get(CanteenPhoto, row.invoice_photo or "")
    assert photo is not None
    assert bytes(photo.data) == JPEG
