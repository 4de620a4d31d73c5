"""A NUL character in a request's path or query string is a 400 problem naming it, on both databases."""

import doctest
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Credentials
from zhuisu.models import NamedQuery, Party
from zhuisu.web import guards


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/events?EQ_bizStep=a%00b", "EQ_bizStep"),
        ("/events?EQ_action=ADD&MATCH_epc=urn%00x", "MATCH_epc"),
        ("/events?EQ_bizStep%00=x", "EQ_bizStep\\u0000"),
        ("/events/urn%00x", "path"),
        ("/epcs/a%00b/events", "path"),
        ("/queries/a%00b", "path"),
        ("/bizLocations/a%00b", "path"),
    ],
)
def test_nul_in_the_request_is_a_400_naming_it(url: str, parameter: str, app: FastAPI, creds: Credentials) -> None:
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(url, headers=creds.headers)
    body = response.json()
    assert (response.status_code, body["code"], body["parameter"]) == (400, "nul_character", parameter)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["GS1-EPCIS-Version"] == "2.0.0"


def test_a_query_without_nul_is_untouched(client: TestClient, creds: Credentials) -> None:
    response = client.get("/events?EQ_bizStep=shipping", headers=creds.headers)
    assert (response.status_code, response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == (
        200,
        [],
    )


def test_doctests() -> None:
    result = doctest.testmod(guards, report=False)
    assert (result.failed, result.attempted) == (0, 3)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/queries", {"name": "a\u0000b", "query": {"eventType": "ObjectEvent"}}),
        ("/queries", {"name": "n1", "query": {"EQ_bizStep": "x\u0000"}}),
        ("/api/v1/parties", {"name": "x\u0000"}),
    ],
)
def test_nul_in_a_json_body_is_a_400_and_nothing_is_stored(
    path: str, body: dict[str, object], app: FastAPI, creds: Credentials, session: Session
) -> None:
    before = (_count(session, NamedQuery), _count(session, Party))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post(path, json=body, headers=creds.headers)
    assert (response.status_code, response.json()["code"], response.json()["parameter"]) == (
        400,
        "nul_character",
        "body",
    )
    assert (_count(session, NamedQuery), _count(session, Party)) == before


def test_the_text_of_an_escaped_backslash_is_no_nul(client: TestClient, creds: Credentials) -> None:
    body = {"name": "backslash-u0000", "query": {"eventType": "ObjectEvent", "EQ_bizStep": "a\\u0000"}}
    response = client.post("/queries", json=body, headers=creds.headers)
    assert response.status_code == 201


def _count(session: Session, model: type[NamedQuery] | type[Party]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_api_docs_load_nothing_from_another_host(client: TestClient) -> None:
    """/docs works offline: Swagger UI comes from the node's own vendored files."""
    page = client.get("/docs")
    assert page.status_code == 200
    assert re.findall(r'(?:src|href)="([^"]+)"', page.text) == [
        "/static/vendor/swagger-ui.css",
        "data:,",
        "/static/vendor/swagger-ui-bundle.js",
    ]
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200
    assert client.get("/redoc").status_code == 404
