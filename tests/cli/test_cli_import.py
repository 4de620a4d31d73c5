"""`zhuisu import`, `zhuisu events query`, `zhuisu parties`/`tokens`, `zhuisu db upgrade` as a user runs them."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from typer.testing import CliRunner

from tests.support.bigdoc import write_events
from tests.support.epcis import DATA, EXAMPLES, document, events_of, load, object_event
from zhuisu.app.cli import app
from zhuisu.epcis.validation import validate_query_document
from zhuisu.models import Event

runner = CliRunner()


def stored(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        n = int(conn.scalar(select(func.count()).select_from(Event)) or 0)
    engine.dispose()
    return n


def run_json(*args: str) -> tuple[int, Any]:
    result = runner.invoke(app, list(args))
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else None


def test_import_json_reports_every_event_and_reimport_stores_nothing(cli_db: str) -> None:
    path = DATA / "epcis/JSON/Example_9.6.2-ObjectEvent.jsonld"
    n = len(events_of(load(path)))
    code, out = run_json("import", "--json", str(path))
    assert code == 0
    assert (out["captured"], out["duplicates"], out["rejected"]) == (n, 0, 0)
    assert [(e["file"], e["index"], e["status"], e["errors"]) for e in out["events"]] == [
        (str(path), i, "captured", []) for i in range(n)
    ]
    assert all(e["hash"].startswith("ni:///sha-256;") for e in out["events"])
    code, again = run_json("import", "--json", str(path))
    assert code == 0
    assert (again["captured"], again["duplicates"], again["rejected"]) == (0, n, 0)
    assert [e["hash"] for e in again["events"]] == [e["hash"] for e in out["events"]]
    assert stored(cli_db) == n


def test_import_of_every_example(cli_db: str) -> None:
    code, out = run_json("import", "--json", *map(str, EXAMPLES))
    assert code == 0
    assert out["rejected"] == 0
    assert out["captured"] + out["duplicates"] == sum(len(events_of(load(p))) for p in EXAMPLES)
    assert stored(cli_db) == out["captured"]


def test_rejected_file_stores_nothing_and_exits_non_zero(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonld"
    path.write_text(
        json.dumps(
            document(
                object_event(1),
                object_event(
                    2,
                    quantityList=[
                        {"epcClass": "urn:epc:class:lgtin:6901234.022222.L1", "quantity": "12", "uom": "KGM"}
                    ],
                ),
                object_event(3),
            )
        )
    )
    code, out = run_json("import", "--json", str(path))
    assert code == 1
    assert [e["status"] for e in out["events"]] == ["rejected"] * 3
    assert out["events"][1]["errors"][0]["pointer"] == "/epcisBody/eventList/1/quantityList/0/quantity"
    assert [e["errors"][0]["code"] for e in out["events"]] == [
        "document_rejected",
        "invalid_type",
        "document_rejected",
    ]
    assert (out["captured"], out["rejected"]) == (0, 3)
    assert stored(cli_db) == 0


def test_proceed_imports_the_valid_events(cli_db: str, tmp_path: Path) -> None:
    path = write_events(tmp_path / "mixed.jsonld", 50, broken_at=7)
    code, out = run_json("import", "--json", "--behaviour", "proceed", str(path))
    assert code == 1
    assert [i for i, e in enumerate(out["events"]) if e["status"] == "rejected"] == [7]
    assert out["events"][7]["errors"][0]["pointer"] == "/epcisBody/eventList/7/action"
    assert stored(cli_db) == 49


@pytest.mark.parametrize(
    ("_case", "content", "message"),
    [
        ("not json", "{", "不是有效的 JSON"),
        ("empty", "", "不是有效的 JSON"),
        ("no events", "{}", "EPCISDocument"),
        (
            "truncated",
            '{"@context": [], "epcisBody": {"eventList": [{"type": "ObjectEvent",',
            "不是有效的 JSON",
        ),
    ],
)
def test_broken_files_are_refused(_case: str, content: str, message: str, cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonld"
    path.write_text(content)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 1
    assert message in result.stderr
    assert stored(cli_db) == 0


def test_events_query_json_prints_a_valid_query_document(cli_db: str) -> None:
    run_json("import", "--json", str(DATA / "epcis/JSON/Example_9.6.1-ObjectEvent.jsonld"))
    code, doc = run_json("events", "query", "--json", "--param", "EQ_bizStep=shipping")
    assert code == 0
    assert validate_query_document(doc) == []
    assert [e["bizStep"] for e in doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]] == ["shipping"]
    result = runner.invoke(app, ["events", "query", "--param", "EQ_colour=red"])
    assert result.exit_code == 1
    assert "EQ_colour" in result.stderr


def test_parties_and_tokens(cli_db: str) -> None:
    code, party = run_json("parties", "add", "示范市粮油有限公司", "--uscc", "91110000600037341L", "--token", "--json")
    assert code == 0
    assert (party["name"], party["uscc"]) == ("示范市粮油有限公司", "91110000600037341L")
    assert party["token"].startswith("zs_")
    engine = create_engine(cli_db)
    with engine.connect() as conn:
        hashes = list(conn.scalars(text("select token_hash from api_tokens")))
    engine.dispose()
    assert party["token"] not in hashes
    assert len(hashes) == 1
    bad = runner.invoke(app, ["parties", "add", "坏代码公司", "--uscc", "91110000600037341X"])
    assert bad.exit_code == 1
    assert "统一社会信用代码" in bad.stderr
    listed = runner.invoke(app, ["tokens", "list", party["id"]])
    token_id = listed.stdout.split()[0]
    assert runner.invoke(app, ["tokens", "revoke", token_id]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["tokens", "list", party["id"]]).stdout


def test_killed_import_resumes_with_every_event_stored_once(cli_db: str, tmp_path: Path) -> None:
    # given a file large enough to be mid-way when killed
    path = write_events(tmp_path / "big.jsonld", 20_000)
    env = {**os.environ, "ZHUISU_DATABASE_URL": cli_db, "ZHUISU_IMPORT_BATCH_SIZE": "500"}
    cmd = [sys.executable, "-m", "zhuisu", "import", str(path)]
    # when it is killed after some batches committed
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while stored(cli_db) < 1000 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = stored(cli_db)
    assert 0 < partial < 20_000
    # then running it again stores the rest, each event once
    again = subprocess.run([*cmd, "--json"], env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    out = json.loads(again.stdout)
    assert (out["captured"], out["duplicates"], out["rejected"]) == (20_000 - partial, partial, 0)
    assert stored(cli_db) == 20_000
    assert "events/s" in again.stderr


def test_db_upgrade_is_idempotent(cli_db: str) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0
    assert "database at revision heads" in result.stdout


def test_a_context_after_the_events_is_read(cli_db: str, tmp_path: Path) -> None:
    # JSON-LD members come in any order: a document whose @context follows epcisBody (as some GS1 examples do)
    doc = document(object_event(1), object_event(2, readPoint={"id": "urn:epc:id:sgln:6901234.00002.0"}))
    late = {k: v for k, v in doc.items() if k != "@context"} | {"@context": doc["@context"]}
    path = tmp_path / "late-context.jsonld"
    path.write_text(json.dumps(late), encoding="utf-8")
    assert list(json.loads(path.read_text()))[-1] == "@context"
    code, out = run_json("import", "--json", str(path))
    assert (code, out["captured"], out["rejected"], out["document_errors"]) == (0, 2, 0, [])
    # and a late context does not hide an event's own error behind document_rejected
    bad = {**late, "epcisBody": {"eventList": [object_event(3, action="SIDEWAYS")]}}
    path.write_text(json.dumps(bad), encoding="utf-8")
    code, out = run_json("import", "--json", str(path))
    assert code == 1
    errors = [(e["code"], e["pointer"]) for e in out["events"][0]["errors"]]
    assert errors == [("unknown_action", "/epcisBody/eventList/0/action")]
    assert stored(cli_db) == 2


def test_an_xml_file_is_imported_as_the_document_it_stands_for(cli_db: str, tmp_path: Path) -> None:
    # a GS1 example in XML: its events are stored as POST /capture would store them, and importing it again finds
    # them all stored
    xml = DATA / "epcis/XML/Example_9.6.1-ObjectEvent-2020_06_18a.xml"
    n = 2
    code, out = run_json("import", "--json", str(xml))
    assert (code, out["captured"], out["rejected"], out["document_errors"]) == (0, n, 0, [])
    assert {e["file"] for e in out["events"]} == {str(xml)}
    code, again = run_json("import", "--json", str(xml))
    assert (code, again["captured"], again["duplicates"]) == (0, 0, n)
    broken = tmp_path / "broken.xml"
    broken.write_text("<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:2'><EPCISBody>", encoding="utf-8")
    code, bad = run_json("import", "--json", str(broken))
    assert (code, [e["code"] for e in bad["document_errors"]], bad["captured"]) == (1, ["invalid_xml"], 0)
    assert stored(cli_db) == n
