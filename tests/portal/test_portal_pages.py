"""The public pages and the Digital Link resolver, over HTTP, on the demo chain."""

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.portal.conftest import LOT, SSCC
from zhuisu.demo.service import DemoLoad
from zhuisu.models import Complaint
from zhuisu.web.ratelimit import TokenBucketLimiter


@pytest.mark.usefixtures("demo")
class TestProductPage:
    @pytest.mark.parametrize(
        ("_case", "path"),
        [
            ("digital link with serial", "/01/06901234123456/21/1001"),
            ("epc urn by /c/", "/c/" + quote("urn:epc:id:sgtin:6901234.012345.1001", safe="")),
            ("element string by /c/", "/c/" + quote("(01)06901234123456(21)1001", safe="")),
        ],
    )
    def test_serial_item_story(self, client: TestClient, _case: str, path: str) -> None:
        response = client.get(path, headers={"Accept": "text/html", "Accept-Language": "zh-CN"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        html = response.text
        assert '<p class="code" id="code">(01)06901234123456(21)1001</p>' in html  # as its label prints it
        assert '<span class="badge ok" id="verified"' in html
        assert "✔ 记录未被篡改</span>" in html  # plain words; the log's technical name only under 如何核验
        assert "<summary>如何核验</summary>" in html
        assert html.index("RFC 9162") > html.index('<details id="how-to-verify">')
        assert '<strong id="checked">9/9</strong>' in html
        assert '<dd id="production-date">2026-10-04</dd>' in html
        assert '<dd id="expiry-date">2026-10-09</dd>' in html
        assert html.count('class="step"') == 9
        assert "A2301000001" in html
        assert 'id="recall"' not in html

    def test_a_page_names_its_linkset_and_answers_head(self, client: TestClient) -> None:
        linkset = (
            '<http://testserver/01/06901234123456/21/1001?linkType=linkset>; rel="linkset"; '
            'type="application/linkset+json"'
        )
        page = client.get("/01/06901234123456/21/1001")
        head = client.head("/01/06901234123456/21/1001")
        assert (page.status_code, page.headers["link"]) == (200, linkset)
        assert (head.status_code, head.headers["link"], head.content) == (200, linkset, b"")
        assert head.headers["etag"] == page.headers["etag"]
        by_code = client.head("/c/" + quote("(01)06901234123456(21)1001", safe=""))
        assert (by_code.status_code, by_code.content) == (200, b"")
        assert client.head("/01/06901234000016").status_code == 404

    def test_a_compressed_digital_link(self, client: TestClient) -> None:
        # https://id.gs1.org/01/06901234123456/21/1001 compressed (GS1 Digital Link compression), on this node
        page = client.get("/AQyNozeFgEIIH0g")
        assert page.status_code == 200
        assert '<p class="code" id="code">(01)06901234123456(21)1001</p>' in page.text
        assert client.head("/AQyNozeFgEIIH0g").status_code == 200
        assert (
            client.get("/search", params={"q": "https://id.gs1.org/AQyNozeFgEIIH0g"}, follow_redirects=False).headers[
                "location"
            ]
            == "/01/06901234123456/21/1001"
        )
        # any other one-segment path is not taken for one
        assert client.get("/portal").status_code == 200
        assert client.get("/no-such-page").status_code == 404

    def test_no_commercial_secrets(self, client: TestClient) -> None:
        html = client.get("/01/06901234222227/10/L20261001").text
        assert "PO-2026" not in html
        assert "312.5" not in html

    def test_english_toggle_sets_cookie(self, client: TestClient) -> None:
        response = client.get("/00/069012340000000016?lang=en")
        assert response.status_code == 200
        assert response.cookies["zhuisu_lang"] == "en"
        assert "Journey" in response.text
        assert "流通轨迹" not in response.text
        assert "流通轨迹" in client.get("/00/069012340000000016?lang=zh").text


@pytest.mark.usefixtures("demo")
class TestResolver:
    def test_linkset_by_accept(self, client: TestClient) -> None:
        response = client.get("/00/069012340000000016", headers={"Accept": "application/linkset+json"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/linkset+json"
        entry = response.json()["linkset"][0]
        assert entry["anchor"] == SSCC
        assert entry["https://gs1.org/voc/pip"][0]["href"] == "http://testserver/00/069012340000000016"
        assert entry["https://gs1.org/voc/defaultLink"] == entry["https://gs1.org/voc/pip"]
        assert len(entry["https://zhuisu.cn/voc/ledgerProof"]) == 9

    def test_link_type_all_is_linkset(self, client: TestClient) -> None:
        response = client.get("/01/06901234222227/10/L20261001?linkType=all")
        assert response.json()["linkset"][0]["anchor"] == LOT

    def test_link_type_redirects(self, client: TestClient) -> None:
        response = client.get("/00/069012340000000016?linkType=gs1:traceability", follow_redirects=False)
        assert response.status_code == 307
        assert response.headers["location"] == "http://testserver/api/v1/portal/products/00/069012340000000016"

    def test_unknown_link_type_404(self, client: TestClient) -> None:
        response = client.get("/00/069012340000000016?linkType=gs1:smpc")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


class TestUnknownCode:
    @pytest.mark.parametrize(
        ("path", "status", "heading"),
        [
            ("/c/12345", 400, "不是可识别的追溯码"),
            ("/01/06901234000019", 400, "校验位错误"),
            ("/c/ZS1110105A1B2C3000000001O", 400, "长度不对"),
            ("/c/" + quote("ISBN 978-3-16", safe=""), 400, "不是可识别的追溯码"),
            ("/01/06901234000016", 404, "未找到这个追溯码的记录"),
            ("/c/" + quote("urn:example:lot:1", safe=""), 404, "未找到这个追溯码的记录"),
        ],
    )
    def test_helpful_page(self, client: TestClient, path: str, status: int, heading: str) -> None:
        response = client.get(path)
        assert response.status_code == status
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert f"<h1>{heading}</h1>" in response.text
        assert 'id="not-found"' in response.text
        assert '<form class="search" action="/search"' in response.text
        assert 'id="complaint-form"' in response.text

    def test_search_says_what_is_wrong_with_a_mistyped_code(self, client: TestClient) -> None:
        response = client.get("/search", params={"q": "06901234123457"}, follow_redirects=False)
        assert response.status_code == 400
        assert "校验位错误：校验位应为 6，实际为 7：可能有一位输错了。" in response.text
        assert 'value="06901234123457"' in response.text  # in the box, to correct it

    def test_linkset_of_unknown_is_problem(self, client: TestClient) -> None:
        response = client.get("/c/12345", headers={"Accept": "application/linkset+json"})
        assert response.status_code == 404
        assert response.json()["code"] == "unknown_code"

    def test_search_redirects_to_story(self, client: TestClient) -> None:
        response = client.get("/search", params={"q": "urn:epc:id:sscc:6901234.0000000001"}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/00/069012340000000016"

    def test_search_of_garbage_stays_on_search(self, client: TestClient) -> None:
        response = client.get("/search", params={"q": ""})
        assert response.status_code == 200
        assert 'name="q"' in response.text


class TestComplaintForm:
    def test_filed_and_acknowledged(self, client: TestClient, session: Session, demo: DemoLoad) -> None:
        response = client.post(
            "/complaints", data={"code": SSCC, "kind": "report", "message": " 包装破损 ", "contact": "13800000000"}
        )
        assert response.status_code == 201
        stored = session.scalars(select(Complaint)).one()
        assert f'<p class="reference" id="reference">{stored.reference}</p>' in response.text
        assert (stored.kind, stored.code, stored.message, stored.contact, stored.status, stored.language) == (
            "report",
            SSCC,
            "包装破损",
            "13800000000",
            "received",
            "zh",
        )
        assert stored.reference.startswith("TS")
        assert len(stored.reference) == 17

    def test_blank_message_stores_nothing(self, client: TestClient, session: Session) -> None:
        response = client.post("/complaints", data={"code": "", "message": "   "})
        assert response.status_code == 400
        assert session.scalar(select(func.count()).select_from(Complaint)) == 0


class TestRateLimit:
    def test_429_with_retry_after(self, client: TestClient) -> None:
        client.get("/portal")
        # a stopped clock: no token comes back while the requests run, however slow the machine (it flaked at 99)
        stopped = TokenBucketLimiter(rate=0.01, burst=2, clock=lambda: 0.0)
        client.app.state.portal.limiter = stopped  # type: ignore[attr-defined]
        codes = [client.get("/portal").status_code for _ in range(3)]
        response = client.get("/api/v1/portal/search", params={"q": "1"})
        assert codes == [200, 200, 429]
        assert response.status_code == 429
        assert response.headers["retry-after"] == "100"
        assert response.json()["code"] == "too_many_requests"
