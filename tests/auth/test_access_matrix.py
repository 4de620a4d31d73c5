"""The access matrix: every operation of the OpenAPI document has a row in ``access_matrix.csv`` saying who may call it,
and the app keeps to it for the callers it can be checked with generically. A new route without a row fails.

``access`` is one of: ``public`` (no token: the consumer view, the ledger, published vocabularies), ``token`` (any party
with a valid token), ``owner`` (the party whose record it is, or the admin: ``tests/auth/test_ownership.py`` asserts the
records), ``admin``, ``oversight`` (a regulator, or the admin), ``regulator`` (a regulator only: the desk),
``signed-in`` (a session cookie or a token: the console), ``node`` (a child node's token: federation). The outcome for
each kind of caller is in the columns after ``rule`` (``tests/auth/test_actor_matrix.py``)."""

import csv
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Credentials

MATRIX = Path(__file__).with_name("access_matrix.csv")
ACCESS = {"public", "token", "owner", "admin", "oversight", "regulator", "signed-in", "node"}
#: Path parameters filled with values that match nothing stored: the checks run before the lookup.
FILL = {
    "code": "urn:epc:id:sgtin:6901234.012345.1",
    "event_id": "urn:uuid:matrix",
    "path": "0/000",
    "class_id": "food",
    "kind": "licences",
    "fmt": "csv",
}


def _rows() -> list[dict[str, str]]:
    with MATRIX.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _operations(app: FastAPI) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops}


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: FILL.get(m.group(1), "matrix"), path)


def test_every_operation_has_exactly_one_row(app: FastAPI) -> None:
    rows = [(r["method"], r["path"]) for r in _rows()]
    assert len(rows) == len(set(rows)), "an operation has two rows"
    missing = sorted(_operations(app) - set(rows))
    stale = sorted(set(rows) - _operations(app))
    assert (missing, stale) == ([], []), f"add a row to {MATRIX.name} for {missing}; remove {stale}"
    assert {r["access"] for r in _rows()} <= ACCESS
    assert all(r["rule"].strip() for r in _rows())


@pytest.mark.parametrize("row", _rows(), ids=lambda r: f"{r['method']} {r['path']}")
def test_anonymous_caller(client: TestClient, row: dict[str, str]) -> None:
    status = client.request(row["method"], _url(row["path"])).status_code
    if row["access"] == "public":
        assert status not in (401, 403)
    else:
        assert status == 401


@pytest.mark.parametrize(
    "row",
    [r for r in _rows() if r["access"] in ("admin", "oversight", "regulator", "node")],
    ids=lambda r: f"{r['method']} {r['path']}",
)
def test_enterprise_is_refused_what_is_not_its_own(client: TestClient, creds: Credentials, row: dict[str, str]) -> None:
    response = client.request(row["method"], _url(row["path"]), headers=creds.headers)
    expected = {"admin": "admin_only", "node": "node_only"}.get(row["access"], "permission_denied")
    assert (response.status_code, response.json()["code"]) == (403, expected)


def test_openapi_declares_the_bearer_scheme_where_a_token_is_needed(app: FastAPI) -> None:
    spec = app.openapi()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    mismatched = [
        (r["method"], r["path"], r["access"])
        for r in _rows()
        if bool(spec["paths"][r["path"]][r["method"].lower()].get("security")) != (r["access"] != "public")
    ]
    assert mismatched == []
