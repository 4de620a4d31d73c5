"""Signing a test client in through the form, as a browser does."""

import re

from fastapi.testclient import TestClient

_CSRF = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]*)">')


def sign_in(client: TestClient, token: str) -> str:
    """Sign ``client`` in with ``token`` (it keeps the session cookie); the CSRF token its forms carry, read from the
    console's issue form."""
    response = client.post("/signin", data={"token": token, "next": "/console"}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/console"), response.text
    found = _CSRF.search(client.get("/console").text)
    assert found is not None
    return found.group(1)
