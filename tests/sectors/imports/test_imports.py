"""Import lots end to end on both databases, through the app: registration (refused input changes nothing), a
certificate registered afterwards, domestic sales and receipts, cross-border e-commerce orders, the
``import_uncertified_sale`` rule, the consumer product page, and who sees which lots."""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from tests.support.epcis import document
from tests.support.signin import sign_in
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Alert, CaptureJob, Event, ImportCertificate, ImportLot, Party
from zhuisu.oversight import alerts
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service


def _check(body: str) -> str:
    return body + ean.calc_check_digit(body)


WINE, OIL = _check("0690666000001"), _check("0690666000002")
PORT, BUYER_SITE, BUYER_GLN = _check("690666000011"), _check("690666000012"), _check("690666000002")
DECLARATION = "422020261000099001"
BTT = "https://zhuisu.cn/voc/BTT-"
URN_DECLARATION = f"urn:zhuisu:customs_declaration:{DECLARATION}"
URN_CERTIFICATE = "urn:zhuisu:entry_inspection_certificate:"
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"zs": "https://zhuisu.cn/ns/epcis/"}]


@dataclass
class World:
    tokens: dict[str, str]
    ids: dict[str, str]

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def world(maker: sessionmaker[Session]) -> World:
    tokens, ids = {}, {}
    with unit_of_work(maker) as s:
        for key, jurisdiction, mandate in (
            ("regulator", "3702", ["imported"]),
            ("regulator_elsewhere", "1101", ["imported"]),
            ("regulator_food", "3702", ["food"]),
        ):
            reg = parties_service.create_party(s, name=f"海关 {key}", party_type="government")
            parties_service.grant(s, reg, actor_role="regulator", jurisdiction=jurisdiction, mandate=mandate)
            tokens[key] = parties_service.issue_token(s, party=reg).secret
        for key, name, roles, gln in (
            ("importer", "环球进口食品有限公司", ["importer"], None),
            ("other", "另一进口商", ["importer"], None),
            ("buyer", "泉城酒业商行", ["wholesaler"], BUYER_GLN),
            ("outsider", "无关超市", ["retailer"], None),
        ):
            p = parties_service.create_party(s, name=name, region="370202", roles=roles, gln=gln)
            tokens[key], ids[key] = parties_service.issue_token(s, party=p).secret, p.id
        importer = s.get_one(Party, ids["importer"])
        masterdata.add_location(s, importer, name="前湾港保税仓", gln=PORT, region="370211")
        masterdata.add_location(s, s.get_one(Party, ids["buyer"]), name="酒业仓库", gln=BUYER_SITE, region="370202")
        for gtin, name, class_id in ((WINE, "意大利红葡萄酒", "imported.wine"), (OIL, "橄榄油", "imported.olive_oil")):
            masterdata.register_product(s, name=name, class_id=class_id, producer=importer, gtin=gtin)
    return World(tokens, ids)


def _lot(**changes: object) -> dict[str, object]:
    today = utc_now().astimezone(BEIJING).date().isoformat()
    return {
        "gtin": WINE, "lot": "IT26", "country": "IT", "declaration": DECLARATION, "certificate": "370100226000001",
        "port": PORT, "entry_date": today, "quantity": 600, "uom": "H87",
    } | changes  # fmt: skip


def test_a_certified_lot_sold_and_ordered(client: TestClient, world: World, session: Session) -> None:
    registered = client.post("/api/v1/imports/lots", json=_lot(), headers=world.h("importer"))
    assert registered.status_code == 201, registered.text
    read = registered.json()
    assert (read["country_zh"], read["region"], read["certified"], read["class_id"]) == (
        "意大利", "370211", True, "imported.wine",
    )  # fmt: skip
    entry = session.scalars(select(Event).where(Event.event_id == read["entry_event_id"])).one()
    assert (entry.biz_step, entry.action, entry.body["ilmd"]["cbvmda:countryOfOrigin"]) == ("receiving", "ADD", "IT")
    sale = {"kind": "shipping", "buyer": world.ids["buyer"], "quantity": 60}
    assert (
        client.post(f"/api/v1/imports/lots/{DECLARATION}/sales", json=sale, headers=world.h("importer")).status_code
        == 201
    )
    received = client.post(
        f"/api/v1/imports/lots/{DECLARATION}/receipts",
        json={"quantity": 60, "site": BUYER_SITE},
        headers=world.h("buyer"),
    )
    assert received.status_code == 201, received.text
    order = {"order_number": "CB-1", "quantity": 2, "platform": "跨境购"}
    ordered = client.post(f"/api/v1/imports/lots/{DECLARATION}/orders", json=order, headers=world.h("importer"))
    assert (ordered.status_code, ordered.json()["orders"]) == (201, ["CB-1"])
    again = client.post(f"/api/v1/imports/lots/{DECLARATION}/orders", json=order, headers=world.h("importer"))
    assert again.status_code == 409
    assert [e["step"] for e in ordered.json()["events"]] == ["receiving", "shipping", "receiving", "retail_selling"]
    assert session.scalar(select(func.count()).select_from(Alert)) == 0
    # the consumer page shows the country and the certificates
    story = client.get(f"/api/v1/portal/products/{_code()}")
    assert story.status_code == 200, story.text
    body = story.json()
    assert (body["origin_country"], body["origin_country_zh"], body["origin_country_en"]) == ("IT", "意大利", "Italy")
    # each document once (the events carrying it along the chain name it again), and 产地 is not the importer's
    # region nor the country code: the country of origin says where it comes from
    assert sorted((c["kind_en"], c["number"]) for c in body["certificates"]) == [
        ("customs declaration", DECLARATION),
        ("entry inspection and quarantine certificate", "370100226000001"),
    ]
    assert body["origin"] is None
    page = client.get(f"/01/{WINE}/10/IT26")
    assert (page.status_code, 'id="origin-country"' in page.text) == (200, True)
    # who sees it
    seen = {
        who: [lot["declaration"] for lot in client.get("/api/v1/imports/lots", headers=world.h(who)).json()]
        for who in ("importer", "other", "buyer", "outsider", "regulator", "regulator_elsewhere", "regulator_food")
    }
    assert seen == {
        "importer": [DECLARATION], "other": [], "buyer": [DECLARATION], "outsider": [], "regulator": [DECLARATION],
        "regulator_elsewhere": [], "regulator_food": [],
    }  # fmt: skip
    assert client.get(f"/api/v1/imports/lots/{DECLARATION}", headers=world.h("outsider")).status_code == 404
    workbook = client.get("/api/v1/imports/lots.xlsx", headers=world.h("importer"))
    assert (workbook.status_code, workbook.content[:2]) == (200, b"PK")


def _code() -> str:
    return f"https://id.gs1.org/01/{WINE}/10/IT26"


def test_a_sale_before_the_certificate_is_alerted_once(client: TestClient, world: World, session: Session) -> None:
    # given: an olive oil lot that only arrived
    body = _lot(gtin=OIL, lot="ES26", country="ES", certificate="")
    read = client.post("/api/v1/imports/lots", json=body, headers=world.h("importer")).json()
    assert (read["certified"], read["events"][0]["step"]) == (False, "arriving")
    # a shipment is refused by the national catalog (no certificate), and changes nothing
    before = session.scalar(select(func.count()).select_from(Event))
    refused = client.post(
        f"/api/v1/imports/lots/{DECLARATION}/sales",
        json={"kind": "shipping", "buyer": world.ids["buyer"], "quantity": 5},
        headers=world.h("importer"),
    )
    assert (refused.status_code, refused.json()["field"]) == (400, "event")
    assert "入境货物检验检疫证明编号" in refused.json()["detail"]
    assert session.scalar(select(func.count()).select_from(Event)) == before
    # when: it is sold at retail, then the certificate comes
    sold = client.post(
        f"/api/v1/imports/lots/{DECLARATION}/sales",
        json={"kind": "retail_selling", "quantity": 5},
        headers=world.h("importer"),
    )
    assert sold.status_code == 201
    later = client.post(
        f"/api/v1/imports/lots/{DECLARATION}/certificates", json={"number": "3701-LATE"}, headers=world.h("importer")
    )
    assert (later.status_code, later.json()["certified"], later.json()["events"][-1]["step"]) == (
        201,
        True,
        "receiving",
    )
    after = client.post(
        f"/api/v1/imports/lots/{DECLARATION}/sales",
        json={"kind": "retail_selling", "quantity": 1},
        headers=world.h("importer"),
    )
    assert after.status_code == 201
    with unit_of_work(client.app.state.sessionmaker) as s:  # type: ignore[attr-defined]
        alerts.scan(s, config=RiskConfig.of(None))
    found = [(a.rule, a.party_id, a.region, a.class_id) for a in session.scalars(select(Alert))]
    assert found == [("import_uncertified_sale", world.ids["importer"], "370202", "imported.olive_oil")]
    again = client.post(
        f"/api/v1/imports/lots/{DECLARATION}/certificates", json={"number": "3701-LATE"}, headers=world.h("importer")
    )
    assert again.status_code == 409
    other = client.post(
        f"/api/v1/imports/lots/{DECLARATION}/certificates", json={"number": "X1"}, headers=world.h("other")
    )
    assert other.status_code == 404


def test_a_sale_naming_a_certificate_the_lot_lacks_is_alerted(
    client: TestClient, world: World, session: Session
) -> None:
    client.post("/api/v1/imports/lots", json=_lot(gtin=OIL, lot="ES27", certificate=""), headers=world.h("importer"))
    now = utc_now().astimezone(BEIJING).isoformat(timespec="milliseconds")
    forged = {
        "type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000077", "eventTime": now,
        "eventTimeZoneOffset": "+08:00", "action": "OBSERVE", "bizStep": "shipping",
        "quantityList": [{"epcClass": f"https://id.gs1.org/01/{OIL}/10/ES27", "quantity": 3, "uom": "H87"}],
        "bizTransactionList": [
            {"type": f"{BTT}customs_declaration", "bizTransaction": URN_DECLARATION},
            {"type": f"{BTT}entry_inspection_certificate", "bizTransaction": f"{URN_CERTIFICATE}FAKE"},
        ],
        "sourceList": [{"type": "owning_party", "source": f"urn:zhuisu:party:{world.ids['importer']}"}],
        "destinationList": [{"type": "owning_party", "destination": f"https://id.gs1.org/417/{BUYER_GLN}"}],
        "zs:originCountry": "IT",
    }  # fmt: skip
    captured = client.post("/capture", json=document(forged, context=CONTEXT), headers=world.h("importer"))
    assert captured.status_code in (201, 202), captured.text
    found = [(a.rule, a.party_id) for a in session.scalars(select(Alert))]
    assert found == [("import_uncertified_sale", world.ids["importer"])]


@pytest.mark.parametrize(
    ("_case", "who", "changes", "status", "field"),
    [
        ("not an importer", "buyer", {}, 403, None),
        ("declaration", "importer", {"declaration": "4220-2026"}, 400, "declaration"),
        ("country", "importer", {"country": "QQ"}, 400, "country"),
        ("product not imported", "importer", {"gtin": _check("0690666000009")}, 400, "gtin"),
        ("another's port", "importer", {"port": BUYER_SITE}, 400, "port"),
        ("future", "importer", {"entry_date": "2999-01-01"}, 400, "entry_date"),
    ],
)
def test_bad_registrations_change_nothing(
    client: TestClient, world: World, session: Session, _case: str, who: str, changes: dict[str, object], status: int,
    field: str | None,
) -> None:  # fmt: skip
    models = (Event, CaptureJob, ImportLot, ImportCertificate)
    before = [session.scalar(select(func.count()).select_from(m)) for m in models]
    response = client.post("/api/v1/imports/lots", json=_lot(**changes), headers=world.h(who))
    assert (response.status_code, response.json().get("field")) == (status, field), response.text
    assert [session.scalar(select(func.count()).select_from(m)) for m in models] == before


def test_the_pages(client: TestClient, world: World, session: Session) -> None:
    csrf = sign_in(client, world.tokens["importer"])
    page = client.get("/imports/lots")
    assert (page.status_code, 'id="lot-form"' in page.text, "意大利" in page.text) == (200, True, True)
    form = {k: str(v) for k, v in _lot(certificate="").items()} | {"csrf_token": csrf}
    done = client.post("/imports/lots", data=form, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, f"/imports/lots/{DECLARATION}")
    refused = client.post("/imports/lots", data=form | {"declaration": "1"}, follow_redirects=False)
    assert (refused.status_code, session.scalar(select(func.count()).select_from(ImportLot))) == (400, 1)
    cert = client.post(
        f"/imports/lots/{DECLARATION}/certificates", data={"csrf_token": csrf, "certificate_number": "C-1"},
        follow_redirects=False,
    )  # fmt: skip
    assert cert.status_code == 303
    shown = client.get(f"/imports/lots/{DECLARATION}")
    assert (shown.status_code, "C-1" in shown.text) == (200, True)
