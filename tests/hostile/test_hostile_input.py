"""Hostile input is refused with a 400 (or the import's exit code) naming what is wrong, and nothing is written:
documents nested deeper than ``epcis.limits.MAX_DEPTH`` (JSON bodies, XML bodies, files for ``zhuisu import``, the
last with its memory bounded), invalid Unicode (a lone surrogate is refused, never stored as ``?``)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Credentials
from tests.support.epcis import document, object_event
from zhuisu.epcis.limits import MAX_DEPTH
from zhuisu.models import CaptureJob, Event, NamedQuery

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def _written(session: Session) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        int(session.scalar(select(func.count()).select_from(model)) or 0) for model in (Event, CaptureJob, NamedQuery)
    )


def _nested(levels: int) -> object:
    value: object = []
    for _ in range(levels - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("path", "body", "pointer"),
    [
        ("/capture", document(object_event(1, ilmd={"x": _nested(300)})), "/epcisBody/eventList/0/ilmd/x" + "/0" * 59),
        ("/events", {"@context": [CONTEXT]} | object_event(1, extra=_nested(100)), "/extra" + "/0" * 63),
    ],
    ids=["capture", "single event"],
)
def test_json_nested_too_deep(
    client: TestClient, creds: Credentials, session: Session, path: str, body: object, pointer: str
) -> None:
    before = _written(session)
    refused = client.post(path, content=json.dumps(body), headers=creds.headers | {"Content-Type": "application/json"})
    assert (refused.status_code, refused.json()["code"], refused.json()["pointer"]) == (400, "nested_too_deep", pointer)
    assert refused.json()["detail"] == f"请求体嵌套超过 64 层（{pointer}）"
    assert _written(session) == before


def test_json_at_the_limit_is_read(client: TestClient, creds: Credentials, session: Session) -> None:
    at_limit = document(object_event(1, **{"https://example.com/x": _nested(MAX_DEPTH - 4)}))  # 64 levels
    assert client.post("/capture", json=at_limit, headers=creds.headers).status_code == 202
    assert _written(session)[0] == 1


@pytest.mark.parametrize("levels", [100, 5000], ids=["parsed", "deeper than the parser goes"])
@pytest.mark.parametrize("media", ["application/json", None])
def test_other_json_bodies_nested_too_deep(
    client: TestClient, creds: Credentials, session: Session, levels: int, media: str | None
) -> None:
    # a body FastAPI parses (named queries, master data …) is refused as POST /capture refuses one, naming where
    body = '{"name": "deep", "query": {"EQ_bizStep": ' + "[" * levels + "]" * levels + "}}"
    before = _written(session)
    headers = creds.headers | ({"Content-Type": media} if media else {})
    refused = client.post("/queries", content=body, headers=headers)
    pointer = "/query/EQ_bizStep" + "/0" * 62
    assert (refused.status_code, refused.json()["code"], refused.json()["pointer"]) == (400, "nested_too_deep", pointer)
    assert refused.json()["detail"] == f"请求体嵌套超过 64 层（{pointer}）"
    assert _written(session) == before


def test_capture_nested_deeper_than_the_parser_goes(client: TestClient, creds: Credentials, session: Session) -> None:
    body = json.dumps(document(object_event(1))).replace(
        '"action"', '"deep": ' + "[" * 5000 + "]" * 5000 + ', "action"'
    )
    before = _written(session)
    refused = client.post("/capture", content=body, headers=creds.headers | {"Content-Type": "application/json"})
    pointer = "/epcisBody/eventList/0/deep" + "/0" * 60
    assert (refused.status_code, refused.json()["code"], refused.json()["pointer"]) == (400, "nested_too_deep", pointer)
    assert _written(session) == before


def test_xml_nested_too_deep(client: TestClient, creds: Credentials, session: Session) -> None:
    inner = "<x>" * 100 + "</x>" * 100
    xml = (
        '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" '
        'creationDate="2026-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>'
        "<eventTime>2026-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>"
        f'<epcList/><action>OBSERVE</action><extra xmlns="https://example.com/x">{inner}</extra>'
        "</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"
    )
    before = _written(session)
    refused = client.post("/capture", content=xml, headers=creds.headers | {"Content-Type": "application/xml"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_xml"
    assert refused.json()["pointer"].startswith("/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent/")
    assert "嵌套超过 64 层" in refused.json()["detail"]
    assert _written(session) == before


def test_a_lone_surrogate_is_refused_not_replaced(client: TestClient, creds: Credentials, session: Session) -> None:
    body = json.dumps(document(object_event(1, eventID="urn:uuid:x"))).replace("urn:uuid:x", "urn:uuid:\\ud800")
    before = _written(session)
    refused = client.post("/capture", content=body, headers=creds.headers | {"Content-Type": "application/json"})
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_json")
    assert "surrogate" in refused.json()["detail"]
    assert _written(session) == before


def test_import_of_a_file_nested_100000_deep_is_refused_in_bounded_memory(cli_db: str, tmp_path: Path) -> None:
    # given a 200 KB document whose one event nests 100,000 arrays
    deep = tmp_path / "deep.json"
    head = f'{{"@context":["{CONTEXT}"],"type":"EPCISDocument","schemaVersion":"2.0",'
    head += '"creationDate":"2026-01-01T00:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","x":'
    deep.write_text(head + "[" * 100_000 + "]" * 100_000 + "}]}}")
    env = {**os.environ, "ZHUISU_DATABASE_URL": cli_db}
    subprocess.run(
        [sys.executable, "-m", "zhuisu", "parties", "add", "导入方", "--uscc", "91110000600037341L"],
        env=env,
        check=True,
        capture_output=True,
    )
    # when it is imported by the real command, in a process of its own that reports its own peak memory
    peak = tmp_path / "peak"
    measured = (
        "import runpy, sys\n"
        f"sys.argv = ['zhuisu', 'import', {str(deep)!r}, '--as', '91110000600037341L', '--json']\n"
        "try:\n    runpy.run_module('zhuisu', run_name='__main__')\n"
        # VmHWM, not ru_maxrss: Linux carries a process's ru_maxrss across exec, from the (large) test process
        f"finally:\n    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        f"    open({str(peak)!r}, 'w').write(hwm)\n"
    )
    done = subprocess.run([sys.executable, "-c", measured], env=env, capture_output=True, text=True, timeout=120)
    peak_mb = int(peak.read_text()) / 1024
    # then it fails naming the nesting, reads no event, and stays within 200 MB
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [(e["file"], e["code"]) for e in report["document_errors"]] == [(str(deep), "nested_too_deep")]
    assert (report["events"], report["captured"], report["rejected"]) == ([], 0, 0)
    assert peak_mb < 200, peak_mb


@pytest.mark.parametrize(
    ("text", "refused"),
    [("x\\ud800y", True), ("x\\udc00y", True), ("\\ud83d\\ude00", False), ("\\\\ud800", False)],
    ids=["lone high", "lone low", "a pair", "an escaped backslash"],
)
def test_import_refuses_a_lone_surrogate(cli_db: str, tmp_path: Path, text: str, refused: bool) -> None:
    file = tmp_path / "surrogate.json"
    event = object_event(1, eventID="urn:uuid:surrogate", **{"https://example.com/note": "PLACEHOLDER"})
    file.write_text(json.dumps(document(event)).replace("PLACEHOLDER", text))
    env = {**os.environ, "ZHUISU_DATABASE_URL": cli_db}
    done = subprocess.run(
        [sys.executable, "-m", "zhuisu", "import", str(file), "--json"], env=env, capture_output=True, text=True
    )
    report = json.loads(done.stdout)
    if refused:
        assert (done.returncode, [e["code"] for e in report["document_errors"]], report["captured"]) == (
            1,
            ["invalid_json"],
            0,
        )
    else:
        assert (done.returncode, report["captured"]) == (0, 1), done.stderr


def test_a_property_name_xml_cannot_carry_is_refused(client: TestClient, creds: Credentials, session: Session) -> None:
    # a name the XML binding could not write (the node serves every event as XML too) is refused where it is …
    bad = document(object_event(1, **{"https://example.com/x": {"1st place": "金奖", "名次": 1}}))
    before = _written(session)
    refused = client.post("/capture", json=bad, headers=creds.headers)
    assert refused.status_code == 400
    assert [(e["pointer"], e["code"]) for e in refused.json()["errors"]] == [
        ("/epcisBody/eventList/0/https:~1~1example.com~1x/1st place", "invalid_name")
    ]
    job = session.get(CaptureJob, refused.json()["captureID"])
    assert job is not None
    assert (job.success, job.captured, job.rejected) == (False, 0, 1)  # the refusal is on record, no event stored
    assert _written(session) == (before[0], before[1] + 1, before[2])
    # … and a name in any script XML allows is kept, and served as XML
    good = document(object_event(2, eventID="urn:uuid:named", **{"https://example.com/x": {"名次": 1}}))
    assert client.post("/capture", json=good, headers=creds.headers).status_code == 202
    served = client.get("/events/urn:uuid:named", headers=creds.headers | {"Accept": "application/xml"})
    assert served.status_code == 200
    assert "<名次>1</名次>" in served.text
