"""The canonical error shape, and the one-transaction-per-request contract."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Credentials
from zhuisu.models import Party
from zhuisu.web.deps import DbSession


def test_problem_shape(client: TestClient, creds: Credentials) -> None:
    response = client.get("/capture/missing", headers=creds.headers)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "epcisException:NoSuchNameException",
        "title": "未找到",
        "status": 404,
        "detail": "没有采集任务 missing",
        "instance": "http://testserver/capture/missing",
        "code": "not_found",
    }
    english = client.get("/capture/missing", headers={**creds.headers, "Accept-Language": "en"})
    assert english.json()["detail"] == "no capture job missing"
    assert english.json()["title"] == "Not found"


def test_unknown_route_is_a_problem_too(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.json()["code"] == "http_404"


def test_epcis_headers_on_every_response(client: TestClient) -> None:
    response = client.get("/")
    assert (response.headers["GS1-EPCIS-Version"], response.headers["GS1-CBV-Version"]) == ("2.0.0", "2.0.0")


def test_a_request_whose_commit_fails_is_not_2xx(app: Any, session: Session) -> None:
    # given a handler whose write only fails at commit time (no flush before the response)
    def add_twins(db: DbSession) -> dict[str, bool]:
        db.add_all([Party(name="甲", uscc="91110000600037341L"), Party(name="乙", uscc="91110000600037341L")])
        return {"ok": True}

    app.add_api_route("/test/twins", add_twins, methods=["POST"])
    # when
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/test/twins")
    # then
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert session.scalar(select(func.count()).select_from(Party).where(Party.name.in_(["甲", "乙"]))) == 0


def test_openapi_documents_the_400_an_invalid_request_gets(client: TestClient, creds: Credentials) -> None:
    # found by `make fuzz`: FastAPI documents a 422 HTTPValidationError, the handler answers a 400 problem document
    answer = client.get("/api/v1/catalog/flags", params={"limit": "many"}, headers=creds.headers)
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_request")
    spec = client.get("/openapi.json").json()
    operations = [op for item in spec["paths"].values() for op in item.values()]
    assert "400" in spec["paths"]["/api/v1/catalog/flags"]["get"]["responses"]
    takes_input = [op for op in operations if op.get("parameters") or op.get("requestBody")]
    assert (len(takes_input), [op["operationId"] for op in takes_input if "400" not in op["responses"]]) == (165, [])
    assert "HTTPValidationError" not in str(spec)
    # a path parameter holding what no route's path can (a newline) matches no route: 404, documented too
    assert client.get("/trace/a%0Ab", headers=creds.headers).status_code == 404
    with_path_parameters = [op for op in takes_input if any(p["in"] == "path" for p in op.get("parameters", ()))]
    assert [op["operationId"] for op in with_path_parameters if "404" not in op["responses"]] == []


def test_an_integer_past_64_bits_is_an_invalid_request(client: TestClient, admin: Credentials) -> None:
    # found by `make fuzz`: an offset or entry id past 2^63 - 1 reached the database (500, OverflowError on SQLite)
    huge = str(2**63)
    answers = [
        client.get("/api/v1/catalog/flags", params={"offset": huge}, headers=admin.headers),
        client.get("/audit", params={"before": huge}, headers=admin.headers),
    ]
    assert [(r.status_code, r.json()["code"], r.json()["errors"][0]["pointer"]) for r in answers] == [
        (400, "invalid_request", "/offset"),
        (400, "invalid_request", "/before"),
    ]
    largest = str(2**63 - 1)
    assert client.get("/api/v1/catalog/flags", params={"offset": largest}, headers=admin.headers).json() == []
    assert client.get("/audit", params={"before": largest}, headers=admin.headers).status_code == 200
