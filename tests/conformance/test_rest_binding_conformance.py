"""The GS1 EPCIS 2.0 REST binding's OpenAPI document, run by schemathesis against the app in-process (ASGI) on the demo
pork chain: no 5xx, and no response breaking the documented status codes, content types, headers or bodies — except
the few places where the document contradicts itself or the issue, each named below with its reason.

Bounded (a few examples per operation, no shrinking) so that it runs in about a minute; ``scripts/conformance.py``
runs the full schemathesis CLI against a live server.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.generation.case import Case
from schemathesis.openapi.checks import JsonSchemaError
from schemathesis.specs.openapi import checks as openapi_checks
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Credentials
from tests.support.epcis import document, object_event
from zhuisu.demo.content import demo_document
from zhuisu.models import Event

SPEC = Path(__file__).parent.parent / "data" / "rest-binding" / "openapi.json"
#: NUL characters included: a NUL anywhere in a request is a 400 (web.guards; capture names the event and field).
CONFIG = SchemathesisConfig.from_dict({"generation": {"allow-x00": True}})
EXAMPLES_PER_OPERATION = 3
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]
#: Operations whose path parameter schema (``format: uri`` and a CBV enum) hypothesis cannot satisfy.
UNSATISFIABLE = {
    "GET /dispositions/{disposition}",
    "GET /dispositions/{disposition}/events",
    "OPTIONS /dispositions/{disposition}",
    "OPTIONS /dispositions/{disposition}/events",
}


@dataclass(frozen=True)
class Found:
    operation: str
    status: int
    failure: Failure


def _is_link(found: Found) -> bool:
    instance = getattr(found.failure, "instance", None)
    return isinstance(instance, str) and instance.startswith("<") and 'rel="next"' in instance


def _schema_path(found: Found) -> list[Any]:
    return list(found.failure.schema_path) if isinstance(found.failure, JsonSchemaError) else []


#: (reason, predicate): a failure is explained when a predicate holds. Each is a defect of the binding document or a
#: deliberate choice documented in docs/epcis.md ("Conformance").
EXPLAINED: list[tuple[str, Callable[[Found], bool]]] = [
    (
        'binding types the Link header `format: uri`, but an RFC 8288 value `<…>; rel="next"` is never a URI',
        lambda f: f.failure.title == "Response header does not conform to the schema" and _is_link(f),
    ),
    (
        "binding's CaptureJob is oneOf two property-only schemas: every job without `errorFile` matches both",
        lambda f: f.operation in ("GET /capture", "GET /capture/{captureID}") and "oneOf" in _schema_path(f),
    ),
    (
        "binding types GET /queries/{queryName} (one query) as an array",
        lambda f: f.operation == "GET /queries/{queryName}" and f.status == 200 and _schema_path(f) == ["type"],
    ),
    (
        "binding's 409 response requires status 406 and type ResourceAlreadyExistsException",
        lambda f: f.status == 409 and f.failure.title == "Response violates schema",
    ),
    (
        "a malformed, foreign or expired nextPageToken or query parameter is refused with 400 QueryParameterException "
        "(issue #3), where the binding documents no 400",
        lambda f: f.status == 400 and f.failure.title == "Undocumented status code",
    ),
    (
        "binding documents 400 problem bodies of the subscription resources as application/json; RFC 7807 problems "
        "are application/problem+json as everywhere else",
        lambda f: (
            f.status == 400
            and f.failure.title == "Undocumented Content-Type"
            and f.operation.startswith(("GET /queries/{queryName}/events", "POST /queries/{queryName}/subscriptions"))
        ),
    ),
]


def explain(found: Found) -> str | None:
    if found.status >= 500:
        return None
    return next((reason for reason, holds in EXPLAINED if holds(found)), None)


def run_operations(schema: Any, headers: dict[str, str]) -> tuple[list[Found], set[str]]:
    """Every failure of every operation (a few examples each), and the operations that could not be generated."""
    found: list[Found] = []
    unsatisfiable: set[str] = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            found += run_operation(operation, headers)
        except Unsatisfiable:
            unsatisfiable.add(f"{operation.method.upper()} {operation.path}")
    return found, unsatisfiable


def run_operation(operation: Any, headers: dict[str, str]) -> list[Found]:
    label = f"{operation.method.upper()} {operation.path}"
    found: list[Found] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Case) -> None:
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except* Failure as group:
            found.extend(Found(label, response.status_code, f) for f in _leaves(group))

    call()
    return found


def _leaves(group: BaseExceptionGroup[Failure]) -> list[Failure]:
    out: list[Failure] = []
    for exc in group.exceptions:
        out += _leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc]
    return out


@pytest.mark.slow
def test_the_rest_binding_finds_nothing_unexplained(app: FastAPI, client: TestClient, creds: Credentials) -> None:
    # given the demo chain
    assert client.post("/capture", json=demo_document(), headers=creds.headers).status_code == 202
    schema = schemathesis.openapi.from_path(SPEC, config=CONFIG)
    schema.app = app
    # when
    found, unsatisfiable = run_operations(schema, creds.headers)
    # then
    unexplained = [(f.operation, f.status, f.failure.title, str(f.failure)[:400]) for f in found if explain(f) is None]
    assert unexplained == []
    assert unsatisfiable == UNSATISFIABLE


def test_a_nul_character_in_a_rejected_event_is_no_server_error(
    app: FastAPI, creds: Credentials, session: Session
) -> None:
    # given an event whose unknown (rejected) field name holds a NUL character
    event = object_event(1, **{"bad\u0000field": 1})
    # when
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/capture", json=document(event), headers=creds.headers)
    # then
    assert (response.status_code, response.json()["code"]) == (400, "document_rejected")
    assert session.scalar(select(func.count()).select_from(Event)) == 0


@pytest.mark.parametrize("where", ["value", "nested", "list"])
def test_a_nul_character_in_a_value_is_refused_by_name(
    where: str, app: FastAPI, creds: Credentials, session: Session
) -> None:
    # given an otherwise valid event holding a NUL in a string value (jsonb could not store it)
    fields: dict[str, tuple[dict[str, Any], str]] = {
        "value": ({"example:note": "a\u0000b"}, "/example:note"),
        "nested": ({"example:batch": {"example:note": "\u0000"}}, "/example:batch/example:note"),
        "list": ({"example:notes": ["ok", "x\u0000"]}, "/example:notes/1"),
    }
    extra, pointer = fields[where]
    event = object_event(1, **extra)
    context = [
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        {"example": "http://ns.example.com/epcis/"},
    ]
    # when
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/capture", json=document(event, context=context), headers=creds.headers)
    # then: refused, naming the field, and nothing stored
    body = response.json()
    assert (response.status_code, body["code"]) == (400, "document_rejected")
    nul = [e for e in body["errors"] if e["code"] == "nul_character"]
    assert [e["pointer"] for e in nul] == ["/epcisBody/eventList/0" + pointer]
    assert session.scalar(select(func.count()).select_from(Event)) == 0


class TestFindings:
    """Server errors the live schemathesis run found, each pinned as the request it sent."""

    def test_an_epcis_body_that_is_a_list_is_rejected(self, client: TestClient, creds: Credentials) -> None:
        doc = {**document(object_event(1)), "epcisBody": [None, None]}
        response = client.post("/capture", json=doc, headers=creds.headers)
        assert (response.status_code, response.json()["code"]) == (400, "document_rejected")

    def test_a_query_name_outside_latin_1_gets_an_encoded_location(
        self, client: TestClient, creds: Credentials
    ) -> None:
        body = {"name": "出栏\U0010b02f", "query": {"eventType": "ObjectEvent"}}
        response = client.post("/queries", json=body, headers=creds.headers)
        assert (response.status_code, response.headers["Location"]) == (
            201,
            "/queries/%E5%87%BA%E6%A0%8F%F4%8B%80%AF",
        )

    def test_a_single_captured_event_answers_with_the_event(self, client: TestClient, creds: Credentials) -> None:
        event = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], **object_event(7)}
        event_id = "urn:uuid:6e0c3a1c-0000-4000-8000-000000000007"
        response = client.post("/events", json={**event, "eventID": event_id}, headers=creds.headers)
        assert response.status_code == 201
        body = response.json()
        assert {k: body[k] for k in ("eventID", "type", "action", "epcList", "bizStep")} == {
            "eventID": "urn:uuid:6e0c3a1c-0000-4000-8000-000000000007",
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "epcList": ["urn:epc:id:sgtin:6901234.012345.7"],
            "bizStep": "shipping",
        }
        assert (body["@context"], "hash" in body) == (
            ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            False,
        )
        assert response.headers["Location"] == "/events/urn:uuid:6e0c3a1c-0000-4000-8000-000000000007"

    def test_a_named_query_outside_latin_1_pages_with_an_encoded_link(
        self, client: TestClient, creds: Credentials
    ) -> None:
        # given a query over two events, named outside Latin-1
        doc = document(object_event(1), object_event(2))
        assert client.post("/capture", json=doc, headers=creds.headers).status_code == 202
        body = {"name": "\U000af056", "query": {"eventType": "ObjectEvent"}}
        assert client.post("/queries", json=body, headers=creds.headers).status_code == 201
        # when
        response = client.get("/queries/%F2%AF%81%96/events", params={"perPage": 1}, headers=creds.headers)
        # then
        assert response.status_code == 200
        assert response.headers["Link"].startswith("</queries/%F2%AF%81%96/events?nextPageToken=")
