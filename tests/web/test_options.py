"""OPTIONS discovery on every resource (GS1 EPCIS 2.0 REST binding): Allow, and the GS1 version/format headers."""

from collections.abc import Mapping

import pytest
from fastapi.testclient import TestClient

from zhuisu import __version__
from zhuisu.app.web import create_app
from zhuisu.config import Settings

DISCOVERY = {
    "gs1-epcis-version": "2.0.0",
    "gs1-epcis-min": "1.2.0",
    "gs1-epcis-max": "2.0.0",
    "gs1-cbv-version": "2.0.0",
    "gs1-cbv-min": "1.2.0",
    "gs1-cbv-max": "2.0.0",
    "gs1-epc-format": "No_Preference",
    "gs1-cbv-xml-format": "No_Preference",
    "gs1-vendor-version": f"zhuisu-{__version__}",
}


@pytest.fixture(scope="module")
def web() -> TestClient:
    """No database is needed: discovery reads the routes, never the data (the lifespan is not run)."""
    return TestClient(create_app(Settings(database_url="sqlite://")))


def gs1_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.startswith("gs1-")}


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/", "OPTIONS, GET"),
        ("/events", "OPTIONS, GET, POST"),
        ("/events/urn:uuid:6e0c3a1c-0000-4000-8000-000000000001", "OPTIONS, GET"),
        ("/eventTypes", "OPTIONS, GET"),
        ("/eventTypes/ObjectEvent", "OPTIONS, GET"),
        ("/eventTypes/ObjectEvent/events", "OPTIONS, GET"),
        ("/epcs", "OPTIONS, GET"),
        ("/epcs/https:%2F%2Fid.gs1.org%2F01%2F09521234543213%2F21%2Fabc/events", "OPTIONS, GET"),
        ("/bizSteps/shipping", "OPTIONS, GET"),
        ("/bizLocations/urn:epc:id:sgln:0012345.11111.0/events", "OPTIONS, GET"),
        ("/readPoints", "OPTIONS, GET"),
        ("/dispositions/in_transit/events", "OPTIONS, GET"),
        ("/queries", "OPTIONS, GET, POST"),
        ("/queries/MyQuery", "OPTIONS, GET, DELETE"),
        ("/queries/MyQuery/events", "OPTIONS, GET"),
        ("/queries/MyQuery/subscriptions", "OPTIONS, GET, POST"),
        ("/nextPageToken/abc", "OPTIONS, DELETE"),
    ],
)
def test_every_resource_answers_options(web: TestClient, path: str, allow: str) -> None:
    # no credentials: discovery says what the node can do, not what it holds
    response = web.options(path)
    assert (response.status_code, response.content) == (204, b"")
    assert response.headers["Allow"] == allow
    assert gs1_headers(response.headers) == DISCOVERY


def test_capture_announces_its_limits_and_behaviours(web: TestClient) -> None:
    settings = web.app.state.settings  # type: ignore[attr-defined]
    limits = {
        "gs1-epcis-capture-limit": str(settings.capture_limit_events),
        "gs1-epcis-capture-file-size-limit": str(settings.capture_limit_bytes),
    }
    response = web.options("/capture")
    assert (response.status_code, response.headers["Allow"]) == (204, "OPTIONS, GET, POST")
    assert gs1_headers(response.headers) == {**DISCOVERY, **limits, "gs1-capture-error-behaviour": "all"}
    job = web.options("/capture/0123abc")
    assert (job.status_code, job.headers["Allow"]) == (204, "OPTIONS, GET")
    assert gs1_headers(job.headers) == {**DISCOVERY, **limits}


def test_an_unknown_resource_is_404(web: TestClient) -> None:
    response = web.options("/no/such/resource")
    assert response.status_code == 404
    assert (response.json()["type"], response.json()["instance"]) == (
        "epcisException:NoSuchNameException",
        "http://testserver/no/such/resource",
    )
    assert "allow" not in response.headers


def test_other_methods_still_route_normally(web: TestClient) -> None:
    # OPTIONS is answered before routing: an unknown path stays 404 and a wrong method 405 for other verbs
    assert web.get("/no/such/resource").status_code == 404
    assert web.put("/events").status_code == 405
