"""The market room through the app on both databases: a purchase by scan (the event's fields, the supplier's
shipment linked), a sale with its receipt, the ledger and on hand, an entry sent again (a duplicate, never a second
record), bad input (400 naming the field, nothing stored) and who sees which records."""

from datetime import UTC, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.sectors.market.world import (
    CABBAGE,
    CABBAGE_LOT,
    GLN,
    SHIPMENT_ID,
    TOMATO_LOT,
    World,
    pgln,
    site,
)
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.labels.payload import code_image
from zhuisu.models import AuditEntry, CaptureJob, Event, EventKey, MarketReceipt
from zhuisu.sectors.market.vocabulary import event_id

ZS = "https://zhuisu.cn/ns/epcis/"
#: When the stall's entries happened: 08:00 yesterday (Beijing).
WHEN = (utc_now() - timedelta(days=1)).astimezone(BEIJING).replace(hour=8, minute=0, second=0, microsecond=0)


def purchase(client_id: str = "p-00000001", **over: Any) -> dict[str, Any]:
    body = {
        "client_id": client_id,
        "code": f"(01){CABBAGE}(10)BC1",
        "quantity": 100,
        "unit": "斤",
        "unit_price": 1.2,
        "recorded_at": WHEN.isoformat(),
    }
    return body | over


def sale(client_id: str = "s-00000001", **over: Any) -> dict[str, Any]:
    body = {
        "client_id": client_id,
        "code": CABBAGE_LOT,
        "quantity": 6,
        "unit": "jin",
        "unit_price": 2.5,
        "recorded_at": (WHEN + timedelta(hours=2)).isoformat(),
    }
    return body | over


def stored(session: Session, eid: str) -> dict[str, Any]:
    found = session.scalar(
        select(Event.body).join(EventKey, EventKey.event_pk == Event.id).where(EventKey.event_id == eid)
    )
    assert found is not None
    return dict(found)


def counts(session: Session) -> tuple[int, ...]:
    """Events, capture jobs, receipts and the market's own audit rows (the app's request audit logs every write)."""
    rows = [int(session.scalar(select(func.count()).select_from(m)) or 0) for m in (Event, CaptureJob, MarketReceipt)]
    ours = select(func.count()).select_from(AuditEntry).where(AuditEntry.action.startswith("market_"))
    return (*rows, int(session.scalar(ours) or 0))


class TestLookup:
    def test_a_code_shipped_to_the_stall_names_its_supplier_and_documents(
        self, client: TestClient, world: World
    ) -> None:
        r = client.get("/api/v1/market/lookup", params={"code": f"(01){CABBAGE}(10)BC1"}, headers=world.h("a"))
        assert r.status_code == 200
        assert r.json() == {
            "input": f"(01){CABBAGE}(10)BC1",
            "code": CABBAGE_LOT,
            "scheme": "gs1-element-string",
            "lot_class": CABBAGE_LOT,
            "gtin": CABBAGE,
            "lot": "BC1",
            "product": "大白菜",
            "class_id": "edible_agri.vegetable",
            "supplier": {"id": world.ids["wholesaler"], "name": "示范蔬菜批发有限公司", "gln": GLN["wholesaler"]},
            "supplier_basis": "shipped_to_stall",
            "shipping_event": SHIPMENT_ID,
            "shipped_quantity": 50.0,
            "shipped_uom": "KGM",
            "documents": [
                {"type": "desadv", "bizTransaction": "urn:zhuisu:desadv:FH-0001"},
                {
                    "type": "https://zhuisu.cn/voc/BTT-compliance_certificate",
                    "bizTransaction": "urn:zhuisu:compliance_certificate:HG-1",
                },
            ],
            "compliance_certificate": "HG-1",
            "origin": "山东省寿光市",
        }

    def test_at_a_stall_it_was_not_shipped_to_the_owner_is_the_supplier(self, client: TestClient, world: World) -> None:
        found = client.get("/api/v1/market/lookup", params={"code": CABBAGE_LOT}, headers=world.h("b")).json()
        assert (found["supplier"]["id"], found["supplier_basis"], found["shipping_event"], found["documents"]) == (
            world.ids["wholesaler"],
            "owner",
            None,
            [],
        )

    def test_a_photo_of_the_label_is_decoded_on_the_server(self, client: TestClient, world: World) -> None:
        photo = code_image(CABBAGE_LOT, image_format="png", scale=8, node="http://127.0.0.1:8000")
        r = client.post("/api/v1/market/scan", files={"image": ("label.png", photo, "image/png")}, headers=world.h("a"))
        assert r.status_code == 200
        assert (r.json()["found"]["code"], r.json()["found"]["supplier_basis"]) == (CABBAGE_LOT, "shipped_to_stall")

    def test_not_a_code_is_a_400_naming_the_field(self, client: TestClient, world: World) -> None:
        r = client.get("/api/v1/market/lookup", params={"code": f"(01){CABBAGE[:-1]}9(10)BC1"}, headers=world.h("a"))
        assert (r.status_code, r.json()["field"]) == (400, "code")

    def test_a_party_without_a_stall_is_told_so(self, client: TestClient, world: World) -> None:
        r = client.get("/api/v1/market/lookup", params={"code": CABBAGE_LOT}, headers=world.h("outsider"))
        assert (r.status_code, r.json()["field"]) == (400, "stall")


class TestPurchase:
    def test_a_purchase_is_a_receiving_event_from_the_supplier(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        # when
        r = client.post("/api/v1/market/purchases", json=purchase(), headers=world.h("a"))
        # then
        eid = event_id(world.ids["a"], "purchase", "p-00000001")
        assert r.status_code == 201
        assert r.json() == {
            "kind": "purchase",
            "event_id": eid,
            "client_id": "p-00000001",
            "time": WHEN.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "stall_id": world.ids["stall_a"],
            "stall": "王记蔬菜 A-01",
            "code": CABBAGE_LOT,
            "product": "大白菜",
            "lot": "BC1",
            "quantity": 50.0,
            "uom": "KGM",
            "unit": "jin",
            "unit_quantity": 100.0,
            "unit_price": 1.2,
            "amount": 120.0,
            "supplier": {"id": world.ids["wholesaler"], "name": "示范蔬菜批发有限公司", "gln": GLN["wholesaler"]},
            "receipt": None,
            "duplicate": False,
        }
        body = stored(session, eid)
        assert {k: v for k, v in body.items() if k not in ("eventTime", "recordTime")} == {
            "type": "ObjectEvent",
            "eventID": eid,
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "receiving",
            "disposition": "sellable_accessible",
            "readPoint": {"id": site("a_site")},
            "bizLocation": {"id": site("a_site")},
            "quantityList": [{"epcClass": CABBAGE_LOT, "quantity": 50.0, "uom": "KGM"}],
            "sourceList": [{"type": "owning_party", "source": pgln("wholesaler")}],
            "destinationList": [
                {"type": "owning_party", "destination": pgln("a")},
                {"type": "location", "destination": site("a_site")},
            ],
            "bizTransactionList": [
                {"type": "desadv", "bizTransaction": "urn:zhuisu:desadv:FH-0001"},
                {
                    "type": "https://zhuisu.cn/voc/BTT-compliance_certificate",
                    "bizTransaction": "urn:zhuisu:compliance_certificate:HG-1",
                },
            ],
            "zs:shippingEvent": SHIPMENT_ID,
            "zs:origin": "山东省寿光市",
            "zs:marketEntry": {"clientId": "p-00000001", "unit": "jin", "quantity": 100.0, "unitPrice": 1.2},
            "zs:unitPrice": {"value": 2.4, "currency": "CNY", "uom": "KGM"},
        }
        assert body["eventTime"] == WHEN.isoformat(timespec="milliseconds")

    def test_an_entry_sent_again_is_a_duplicate_never_a_second_record(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        # given: recorded once (the phone went offline before it heard the answer)
        first = client.post("/api/v1/market/purchases", json=purchase(), headers=world.h("a"))
        before = counts(session)
        # when: the phone sends it again, even with another quantity typed
        again = client.post("/api/v1/market/purchases", json=purchase(quantity=7), headers=world.h("a"))
        # then
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json() == first.json() | {"duplicate": True}
        assert counts(session) == before

    def test_another_stall_holder_using_the_same_client_id_records_its_own(
        self, client: TestClient, world: World
    ) -> None:
        a = client.post("/api/v1/market/purchases", json=purchase(), headers=world.h("a"))
        b = client.post("/api/v1/market/purchases", json=purchase(), headers=world.h("b"))
        assert (a.status_code, b.status_code) == (201, 201)
        assert a.json()["event_id"] != b.json()["event_id"]

    def test_bad_input_is_a_400_naming_the_field_and_nothing_is_stored(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        before = counts(session)
        cases = [
            (purchase(unit="两"), "unit"),
            (purchase(quantity=0), "quantity"),
            (purchase(client_id="short"), "client_id"),
            (purchase(code="不是追溯码"), "code"),
            (purchase(recorded_at=(utc_now() + timedelta(hours=1)).isoformat()), "recorded_at"),
            (purchase(recorded_at=(utc_now() - timedelta(days=31)).isoformat()), "recorded_at"),
            (purchase(supplier="91000000000000000X"), "supplier"),
            (purchase(stall=world.ids["stall_b"]), "stall"),
            # the tomato lot's records carry no 合格证: receiving edible agricultural products needs one
            (purchase(code=TOMATO_LOT), "compliance_certificate"),
        ]
        found = []
        for body, _field in cases:
            r = client.post("/api/v1/market/purchases", json=body, headers=world.h("a"))
            # a service's error names its field; a body the schema refuses, its pointer
            found.append((r.status_code, r.json().get("field") or r.json()["errors"][0]["pointer"].lstrip("/")))
        assert found == [(400, f) for _, f in cases]
        assert counts(session) == before

    def test_a_missing_certificate_typed_in_is_recorded(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        r = client.post(
            "/api/v1/market/purchases",
            json=purchase(code=TOMATO_LOT, unit="kg", quantity=30, compliance_certificate="HG-9"),
            headers=world.h("a"),
        )
        assert (r.status_code, r.json()["supplier"]["id"]) == (201, world.ids["wholesaler"])
        body = stored(session, r.json()["event_id"])
        assert body["bizTransactionList"] == [
            {
                "type": "https://zhuisu.cn/voc/BTT-compliance_certificate",
                "bizTransaction": "urn:zhuisu:compliance_certificate:HG-9",
            }
        ]
        assert "zs:shippingEvent" not in body


class TestSale:
    def test_a_sale_gets_a_receipt_whose_page_is_the_consumer_view(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        client.post("/api/v1/market/purchases", json=purchase(), headers=world.h("a"))
        # when
        r = client.post("/api/v1/market/sales", json=sale(), headers=world.h("a"))
        # then
        assert r.status_code == 201
        number = r.json()["receipt"]
        assert (len(number), r.json()["quantity"], r.json()["amount"], r.json()["supplier"]) == (16, 3.0, 15.0, None)
        body = stored(session, r.json()["event_id"])
        assert (body["bizStep"], body["disposition"], body["zs:receipt"], body["sourceList"]) == (
            "retail_selling",
            "retail_sold",
            number,
            [{"type": "owning_party", "source": pgln("a")}],
        )
        public = client.get(f"/api/v1/market/receipts/{number}")
        assert public.json() == {
            "receipt": number,
            "stall": "王记蔬菜 A-01",
            "stall_number": "A-01",
            "market": "示范农贸市场",
            "market_region": "370102",
            "sold_at": r.json()["time"],
            "product": "大白菜",
            "lot": "BC1",
            "quantity": 6.0,
            "unit": "jin",
            "story": f"/01/{CABBAGE}/10/BC1",
        }
        page = client.get(f"/r/{number}")
        assert page.status_code == 200
        assert "王记蔬菜 A-01" in page.text
        assert f'href="/01/{CABBAGE}/10/BC1"' in page.text
        assert "2.5" not in page.text  # no price in the consumer's view
        assert client.get("/r/NOSUCHRECEIPT000").status_code == 404
        # the stall's 58 mm receipt: the price, and the QR Code of the receipt's page; another stall's is not found
        printed = client.get(f"/market/receipts/{number}", headers=world.h("a"))
        assert printed.status_code == 200
        assert "¥15.00" in printed.text
        assert "<svg" in printed.text
        assert client.get(f"/market/receipts/{number}", headers=world.h("b")).status_code == 404

    def test_a_sale_sent_again_keeps_its_one_receipt(self, client: TestClient, world: World, session: Session) -> None:
        client.post("/api/v1/market/purchases", json=purchase(), headers=world.h("a"))
        first = client.post("/api/v1/market/sales", json=sale(), headers=world.h("a"))
        before = counts(session)
        again = client.post("/api/v1/market/sales", json=sale(), headers=world.h("a"))
        assert (again.status_code, again.json()["receipt"], again.json()["duplicate"]) == (
            200,
            first.json()["receipt"],
            True,
        )
        assert counts(session) == before

    def test_a_lot_never_bought_or_another_unit_is_refused(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        client.post("/api/v1/market/purchases", json=purchase(), headers=world.h("a"))
        before = counts(session)
        never = client.post("/api/v1/market/sales", json=sale(code=TOMATO_LOT), headers=world.h("a"))
        boxes = client.post("/api/v1/market/sales", json=sale(unit="箱"), headers=world.h("a"))
        assert [(r.status_code, r.json()["field"]) for r in (never, boxes)] == [(400, "code"), (400, "unit")]
        assert counts(session) == before


class TestLedger:
    def test_the_day_s_entries_and_what_is_on_hand(self, client: TestClient, world: World) -> None:
        client.post("/api/v1/market/purchases", json=purchase(), headers=world.h("a"))
        client.post("/api/v1/market/sales", json=sale(), headers=world.h("a"))
        client.post("/api/v1/market/sales", json=sale("s-00000002", quantity=2, unit_price=None), headers=world.h("a"))
        ledger = client.get("/api/v1/market/ledger", headers=world.h("a")).json()
        day = WHEN.date()
        assert [(d["day"], len(d["purchases"]), len(d["sales"]), d["purchased_amount"], d["sold_amount"]) for d in
                ledger["days"]] == [(day.isoformat(), 1, 2, 120.0, 15.0)]  # fmt: skip
        assert [(s["unit_quantity"], s["amount"]) for s in ledger["days"][0]["sales"]] == [(6.0, 15.0), (2.0, None)]
        assert ledger["on_hand"] == [
            {
                "code": CABBAGE_LOT,
                "product": "大白菜",
                "lot": "BC1",
                "uom": "KGM",
                "purchased": 50.0,
                "sold": 4.0,
                "on_hand": 46.0,
            }
        ]
        assert (ledger["stall"]["number"], ledger["stall"]["holder_id"]) == ("A-01", world.ids["a"])

    def test_a_stall_outside_the_lane_is_not_found(self, client: TestClient, world: World) -> None:
        stall = world.ids["stall_a"]
        statuses = {
            who: client.get("/api/v1/market/ledger", params={"stall": stall}, headers=world.h(who)).status_code
            for who in ("a", "b", "operator", "regulator", "regulator_elsewhere", "wholesaler", "outsider")
        }
        assert statuses == {
            "a": 200,
            "b": 404,
            "operator": 200,
            "regulator": 200,
            "regulator_elsewhere": 404,
            "wholesaler": 404,
            "outsider": 404,
        }


class TestWhoSeesWhat:
    def test_each_caller_gets_exactly_its_records(self, client: TestClient, world: World) -> None:
        # given: a purchase at each stall and a sale at A
        a = client.post("/api/v1/market/purchases", json=purchase(), headers=world.h("a")).json()["event_id"]
        b = client.post("/api/v1/market/purchases", json=purchase("p-00000002"), headers=world.h("b")).json()
        sold = client.post("/api/v1/market/sales", json=sale(), headers=world.h("a")).json()["event_id"]
        # when / then
        seen: dict[str, tuple[list[str], list[str], list[str]]] = {}
        for who in (
            "a",
            "b",
            "operator",
            "wholesaler",
            "regulator",
            "regulator_elsewhere",
            "regulator_drug",
            "outsider",
        ):
            purchases = client.get("/api/v1/market/purchases", headers=world.h(who)).json()
            sales = client.get("/api/v1/market/sales", headers=world.h(who)).json()
            stalls = client.get("/api/v1/market/stalls", headers=world.h(who)).json()
            seen[who] = (
                sorted(p["event_id"] for p in purchases),
                [s["event_id"] for s in sales],
                [s["number"] for s in stalls],
            )
        both = sorted([a, b["event_id"]])
        assert seen == {
            "a": ([a], [sold], ["A-01"]),
            "b": ([b["event_id"]], [], ["A-02"]),
            "operator": (both, [sold], ["A-01", "A-02"]),
            # the supplier: the purchases of its goods, at any stall; no sales, no stalls
            "wholesaler": (both, [], []),
            "regulator": (both, [sold], ["A-01", "A-02"]),
            "regulator_elsewhere": ([], [], []),
            # in the jurisdiction, outside the mandate: the stalls, none of their entries
            "regulator_drug": ([], [], ["A-01", "A-02"]),
            "outsider": ([], [], []),
        }

    def test_signed_out_is_401_and_only_the_operator_registers_stalls(self, client: TestClient, world: World) -> None:
        assert client.get("/api/v1/market/ledger").status_code == 401
        body = {"market": GLN["market"], "holder": world.ids["outsider"], "site": GLN["outsider"], "number": "B-1"}
        r = client.post("/api/v1/market/stalls", json=body, headers=world.h("a"))
        assert r.status_code == 403


class TestPages:
    def test_the_phone_page_is_the_stall_holder_s(self, client: TestClient, world: World) -> None:
        page = client.get("/market", headers=world.h("a"))
        assert page.status_code == 200
        assert '<h1 id="stall-name">王记蔬菜 A-01</h1>' in page.text
        assert 'capture="environment"' in page.text
        assert "您还没有市场摊位" in client.get("/market", headers=world.h("outsider")).text
        signed_out = client.get("/market", follow_redirects=False)
        assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/signin?next=/market")
