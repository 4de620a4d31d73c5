"""``zhuisu convert IN OUT`` and ``POST /convert``: both bindings, same event hashes."""

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from zhuisu.app.cli import app
from zhuisu.epcis.hashing import event_hash
from zhuisu.epcis.xml import reader

DATA = Path(__file__).parent.parent / "data"
VECTOR = DATA / "event-hash" / "epcisDocWithVariousEventTypes"
V12 = Path(__file__).parent / "data" / "epcis12-mixed.xml"


def _hashes(doc: dict[str, Any]) -> list[str]:
    return [event_hash(e, doc["@context"]) for e in doc["epcisBody"]["eventList"]]


def test_cli_converts_xml_to_json_ld(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonld"
    result = CliRunner().invoke(app, ["convert", str(VECTOR.with_suffix(".xml")), str(out)])
    assert result.exit_code == 0, result.output
    assert _hashes(json.loads(out.read_text())) == VECTOR.with_suffix(".hashes").read_text().split()


def test_cli_converts_json_ld_to_xml(tmp_path: Path) -> None:
    out = tmp_path / "out.xml"
    result = CliRunner().invoke(app, ["convert", str(VECTOR.with_suffix(".jsonld")), str(out)])
    assert result.exit_code == 0, result.output
    assert _hashes(reader.read_document(out.read_bytes())) == VECTOR.with_suffix(".hashes").read_text().split()


def test_cli_converts_epcis_1_2_to_stdout() -> None:
    result = CliRunner().invoke(app, ["convert", str(V12), "-", "--to", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == json.loads(V12.with_suffix(".jsonld").read_text())


def test_cli_refuses_what_is_neither_binding(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("hello")
    result = CliRunner().invoke(app, ["convert", str(source), str(tmp_path / "out.xml")])
    assert result.exit_code == 1
    assert not (tmp_path / "out.xml").exists()


def test_route_converts_both_ways(client: TestClient) -> None:
    xml = VECTOR.with_suffix(".xml").read_bytes()
    as_json = client.post("/convert", content=xml, headers={"Content-Type": "application/xml"})
    back = client.post("/convert", content=as_json.content, headers={"Content-Type": "application/ld+json"})
    assert as_json.status_code == back.status_code == 200
    assert as_json.headers["content-type"] == "application/ld+json"
    assert back.headers["content-type"] == "application/xml"
    expected = VECTOR.with_suffix(".hashes").read_text().split()
    assert _hashes(as_json.json()) == _hashes(reader.read_document(back.content)) == expected


def test_route_refuses_bad_xml(client: TestClient) -> None:
    response = client.post("/convert", content=b"<a", headers={"Content-Type": "text/xml"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_xml"
