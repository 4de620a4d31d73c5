"""HTTP tests of issuance: POST /codes/issue, GET /codes/batches/{id}[/labels.pdf], GET /codes/{code}."""

import pypdfium2
import zxingcpp
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials
from tests.support.signin import sign_in
from zhuisu.db.session import unit_of_work
from zhuisu.issuance import service
from zhuisu.models import CodeBatch, Event, Party
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

ZS = ["ZS11100000000010000000001D", "ZS11100000000010000000002B", "ZS111000000000100000000039"]
GTIN14 = "06901234567892"


def _register_prefix(maker: sessionmaker[Session], party_id: str) -> None:
    with unit_of_work(maker) as session:
        service.set_gs1_prefix(session, party=session.get_one(Party, party_id), prefix="6901234")


def _counts(maker: sessionmaker[Session]) -> tuple[int, int]:
    with unit_of_work(maker) as session:
        return (
            int(session.scalar(select(func.count()).select_from(CodeBatch)) or 0),
            int(session.scalar(select(func.count()).select_from(Event)) or 0),
        )


class TestIssue:
    def test_zhuisu_codes(self, client: TestClient, creds: Credentials) -> None:
        response = client.post(
            "/codes/issue",
            headers=creds.headers,
            json={"product": "RICE-5KG", "product_name": "五常大米 5kg", "lot": "L1", "count": 3},
        )

        assert response.status_code == 201
        body = response.json()
        assert body["codes"] == ZS
        assert {
            k: body[k]
            for k in (
                "party_id",
                "issued_by_id",
                "scheme",
                "gtin",
                "product_code",
                "product_name",
                "lot",
                "lot_code",
                "first_serial",
                "last_serial",
                "count",
                "event_count",
            )
        } == {
            "party_id": creds.party_id,
            "issued_by_id": creds.party_id,
            "scheme": "zhuisu",
            "gtin": None,
            "product_code": "RICE-5KG",
            "product_name": "五常大米 5kg",
            "lot": "L1",
            "lot_code": "ZS211000000000100000000018",
            "first_serial": 1,
            "last_serial": 3,
            "count": 3,
            "event_count": 1,
        }

    def test_gs1_codes(self, client: TestClient, creds: Credentials, maker: sessionmaker[Session]) -> None:
        _register_prefix(maker, creds.party_id)

        response = client.post("/codes/issue", headers=creds.headers, json={"gtin": "6901234567892", "count": 2})

        assert response.status_code == 201
        assert response.json()["codes"] == [
            f"https://id.gs1.org/01/{GTIN14}/21/1",
            f"https://id.gs1.org/01/{GTIN14}/21/2",
        ]

    def test_invalid_field_is_a_problem_naming_it(
        self, client: TestClient, creds: Credentials, maker: sessionmaker[Session]
    ) -> None:
        before = _counts(maker)

        response = client.post(
            "/codes/issue", headers={**creds.headers, "Accept-Language": "en"}, json={"product": "RICE", "count": 0}
        )

        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert (body["code"], body["field"], body["detail"]) == (
            "invalid_issue_field",
            "count",
            "count must be between 1 and 100000, got 0",
        )
        assert _counts(maker) == before

    def test_gtin_without_prefix_names_gtin(self, client: TestClient, creds: Credentials) -> None:
        response = client.post("/codes/issue", headers=creds.headers, json={"gtin": "6901234567892", "count": 1})

        assert (response.status_code, response.json()["field"]) == (422, "gtin")

    def test_unknown_member_is_refused(self, client: TestClient, creds: Credentials) -> None:
        response = client.post("/codes/issue", headers=creds.headers, json={"product": "A", "count": 1, "x": 1})

        assert response.status_code == 400
        assert response.json()["errors"][0]["pointer"] == "/x"

    def test_needs_a_token(self, client: TestClient, maker: sessionmaker[Session]) -> None:
        response = client.post("/codes/issue", json={"product": "A", "count": 1})

        assert response.status_code == 401
        assert _counts(maker) == (0, 0)


class TestBatch:
    def test_batch_with_codes(self, client: TestClient, creds: Credentials) -> None:
        batch_id = client.post("/codes/issue", headers=creds.headers, json={"product": "A", "count": 3}).json()["id"]

        response = client.get(f"/codes/batches/{batch_id}", headers=creds.headers)

        assert response.status_code == 200
        assert (response.json()["id"], response.json()["codes"]) == (batch_id, ZS)

    def test_other_partys_batch_is_forbidden(
        self, client: TestClient, creds: Credentials, maker: sessionmaker[Session]
    ) -> None:
        batch_id = client.post("/codes/issue", headers=creds.headers, json={"product": "A", "count": 1}).json()["id"]
        with unit_of_work(maker) as session:
            other = parties_service.create_party(session, name="别家公司")
            token = parties_service.issue_token(session, party=other).secret

        response = client.get(f"/codes/batches/{batch_id}", headers={"Authorization": f"Bearer {token}"})

        assert (response.status_code, response.json()["code"]) == (403, "not_your_batch")

    def test_missing_batch(self, client: TestClient, creds: Credentials) -> None:
        response = client.get("/codes/batches/nope", headers=creds.headers)

        assert (response.status_code, response.json()["code"]) == (404, "not_found")

    def test_labels_pdf_scans_back(self, client: TestClient, creds: Credentials) -> None:
        batch_id = client.post(
            "/codes/issue", headers=creds.headers, json={"product": "A", "product_name": "五常大米", "count": 3}
        ).json()["id"]

        response = client.get(f"/codes/batches/{batch_id}/labels.pdf", headers=creds.headers)

        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        page = pypdfium2.PdfDocument(response.content)[0]
        decoded = sorted(b.text for b in zxingcpp.read_barcodes(page.render(scale=200 / 72, grayscale=True).to_pil()))
        assert decoded == [f"http://127.0.0.1:8000/c/{code}" for code in ZS]
        assert "五常大米 测试食品有限公司" in page.get_textpage().get_text_range()

    def test_datamatrix_labels_of_a_zhuisu_batch_are_refused(self, client: TestClient, creds: Credentials) -> None:
        batch_id = client.post("/codes/issue", headers=creds.headers, json={"product": "A", "count": 1}).json()["id"]

        response = client.get(f"/codes/batches/{batch_id}/labels.pdf?symbology=datamatrix", headers=creds.headers)

        assert (response.status_code, response.json()["code"], response.json()["field"]) == (
            400,
            "not_encodable",
            "symbology",
        )


class TestCheck:
    def test_issued_code(self, client: TestClient, creds: Credentials, maker: sessionmaker[Session]) -> None:
        _register_prefix(maker, creds.party_id)
        batch_id = client.post(
            "/codes/issue", headers=creds.headers, json={"gtin": "6901234567892", "count": 2}
        ).json()["id"]

        response = client.get(f"/codes/https://id.gs1.org/01/{GTIN14}/21/2", headers=creds.headers)

        assert response.status_code == 200
        body = response.json()
        assert (body["scheme"], body["valid"], body["value"], body["issued_here"], body["batch"]["id"]) == (
            "gs1-digital-link",
            True,
            f"https://id.gs1.org/01/{GTIN14}/21/2",
            True,
            batch_id,
        )

    def test_foreign_code_is_recognised_not_issued(self, client: TestClient, creds: Credentials) -> None:
        response = client.get("/codes/83857930000879766660", headers=creds.headers)

        body = response.json()
        assert (response.status_code, body["scheme"], body["valid"], body["issued_here"], body["batch"]) == (
            200,
            "drug-trace-code",
            True,
            False,
            None,
        )

    def test_invalid_code_says_why(self, client: TestClient, creds: Credentials) -> None:
        response = client.get("/codes/6901234567893", headers=creds.headers)

        body = response.json()
        assert (body["scheme"], body["valid"], body["error"], body["issued_here"]) == (
            "gtin",
            False,
            "check digit should be 2, got 3",
            False,
        )


def _dairy_product(maker: sessionmaker[Session], party_id: str) -> None:
    """The party's GS1 prefix, and a dairy product under it (its class's rules ask for the production and expiry
    dates)."""
    _register_prefix(maker, party_id)
    with unit_of_work(maker) as session:
        producer = session.get_one(Party, party_id)
        masterdata.register_product(session, name="纯牛奶", class_id="food.dairy", producer=producer, gtin=GTIN14)


class TestDatesTheCatalogAsksFor:
    def test_a_dairy_product_needs_its_production_and_expiry_dates(
        self, client: TestClient, creds: Credentials, maker: sessionmaker[Session]
    ) -> None:
        # given a registered dairy product, whose class's rules ask a commissioning for both dates
        _dairy_product(maker, creds.party_id)
        before = _counts(maker)
        # when codes are asked for without them
        refused = client.post("/codes/issue", headers=creds.headers, json={"gtin": GTIN14, "lot": "M1", "count": 2})
        # then a 422 names the field, and nothing is issued
        assert refused.status_code == 422, refused.json()
        assert refused.json()["field"] == "production_date"
        assert refused.json()["detail"] == (
            "该产品类别的规则要求赋码时记录：生产日期、有效期（保质期）"
            "（规则 food.production：出厂记录须有批号、生产日期、保质期；目录 national::2026.1）"
        )
        assert _counts(maker) == before
        # and with them, the commissioning carries them
        dated = {"gtin": GTIN14, "lot": "M1", "count": 2, "production_date": "2026-12-01", "expiry": "2027-06-01"}
        issued = client.post("/codes/issue", headers=creds.headers, json=dated)
        assert issued.status_code == 201, issued.json()
        with unit_of_work(maker) as session:
            bodies = session.scalars(select(Event.body).where(Event.recorder_id == creds.party_id)).all()
        assert [b["ilmd"] for b in bodies] == [
            {"cbvmda:lotNumber": "M1", "cbvmda:productionDate": "2026-12-01", "cbvmda:itemExpirationDate": "2027-06-01"}
        ]


class TestFromLabelToPage:
    """What a phone camera does with a printed label: open the URL in its QR Code."""

    def _label_urls(self, client: TestClient, creds: Credentials, body: dict[str, object]) -> list[str]:
        issued = client.post("/codes/issue", headers=creds.headers, json=body)
        assert issued.status_code == 201, issued.json()
        pdf = client.get(f"/codes/batches/{issued.json()['id']}/labels.pdf", headers=creds.headers).content
        page = pypdfium2.PdfDocument(pdf)[0]
        return sorted(b.text for b in zxingcpp.read_barcodes(page.render(scale=200 / 72, grayscale=True).to_pil()))

    def test_an_issued_zhuisu_code(self, client: TestClient, creds: Credentials) -> None:
        [url] = self._label_urls(client, creds, {"product": "RICE", "product_name": "五常大米", "count": 1})
        assert url == f"http://127.0.0.1:8000/c/{ZS[0]}"
        page = client.get(url.removeprefix("http://127.0.0.1:8000"))  # a consumer: no token
        assert page.status_code == 200, page.text[:300]
        assert "ZS1-110000-000001-0000000001-D" in page.text  # the code as printed under the symbol
        assert "五常大米" in page.text  # what the batch that issued it says
        assert 'id="product-class"' not in page.text  # no empty 品类 row: the batch names no class
        assert "追溯码未找到" not in page.text
        trace = client.get(f"/trace/{ZS[0]}", headers=creds.headers).json()
        assert (trace["code"], [s["biz_step"] for s in trace["timeline"]]) == (
            f"urn:zhuisu:code:{ZS[0]}",
            ["commissioning"],
        )

    def test_an_issued_gs1_code(self, client: TestClient, creds: Credentials, maker: sessionmaker[Session]) -> None:
        _register_prefix(maker, creds.party_id)
        [url] = self._label_urls(client, creds, {"gtin": "6901234567892", "count": 1})
        assert url == "http://127.0.0.1:8000/01/06901234567892/21/1"
        page = client.get(url.removeprefix("http://127.0.0.1:8000"))
        assert page.status_code == 200, page.text[:300]
        assert "(01)06901234567892(21)1" in page.text


class TestConsoleIssueForm:
    def test_the_console_form_takes_the_dates_the_class_asks_for(
        self, client: TestClient, creds: Credentials, maker: sessionmaker[Session]
    ) -> None:
        _dairy_product(maker, creds.party_id)
        csrf_token = sign_in(client, creds.token)
        # as a browser sends the form: the date inputs left empty
        form = {
            "csrf_token": csrf_token,
            "gtin": GTIN14,
            "lot": "M2",
            "count": "2",
            "production_date": "",
            "expiry": "",
        }
        before = _counts(maker)
        refused = client.post("/console/batches", data=form, follow_redirects=False)
        assert refused.status_code == 400
        assert "该产品类别的规则要求赋码时记录：生产日期、有效期（保质期）" in refused.text
        assert 'name="production_date"' in refused.text
        assert _counts(maker) == before
        dated = form | {"production_date": "2026-12-01", "expiry": "2027-06-01"}
        issued = client.post("/console/batches", data=dated, follow_redirects=False)
        assert issued.status_code == 303
        with unit_of_work(maker) as session:
            bodies = session.scalars(select(Event.body).where(Event.recorder_id == creds.party_id)).all()
        assert [b["ilmd"] for b in bodies] == [
            {"cbvmda:lotNumber": "M2", "cbvmda:productionDate": "2026-12-01", "cbvmda:itemExpirationDate": "2027-06-01"}
        ]
