"""The trace CLI (--json contract), HTTP routes and exports, on both databases."""

import csv
import io
import json
from pathlib import Path

import orjson
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import Credentials
from tests.trace import chains
from tests.trace.chains import CANTEEN, DC, HOSPITAL, I1, MARKET, PLANT, A, B, c, eid, pgln
from tests.trace.test_trace_service import capture
from zhuisu.app.cli import app
from zhuisu.cli.runtime import session_maker
from zhuisu.db.session import unit_of_work
from zhuisu.recall import export
from zhuisu.recall import service as recall_service

LOT_A = "https://id.gs1.org/01/06901234222227/10/A1"


def _load(maker: sessionmaker[Session]) -> None:
    with unit_of_work(maker) as s:
        capture(s, chains.pork_chain())


class TestCli:
    def test_trace_json(self, cli_db: str) -> None:
        _load(session_maker())
        result = CliRunner().invoke(app, ["trace", chains.B, "--direction", "back", "--json"])
        assert result.exit_code == 0, result.output
        out = json.loads(result.output)
        assert list(out) == ["code", "direction", "things", "events", "parties", "findings"]
        assert out["code"] == "https://id.gs1.org/01/06901234444445/10/B1"
        assert out["direction"] == "back"
        assert set(out["things"]) == c(B, A, chains.P1, chains.P2, chains.P3)
        assert out["events"][-1] == eid("e26")
        assert [f["kind"] for f in out["findings"]] == ["shipped_not_received"]

    def test_impact_json(self, cli_db: str) -> None:
        _load(session_maker())
        result = CliRunner().invoke(app, ["trace", "impact", "(01)06901234222227(10)A1", "--json"])
        assert result.exit_code == 0, result.output
        out = json.loads(result.output)
        assert list(out) == ["code", "things", "quantities", "holders", "regions"]
        assert out["code"] == LOT_A
        assert out["quantities"] == {
            LOT_A: {"value": 300.0, "uom": "KGM"},
            "https://id.gs1.org/01/06901234444445/10/B1": {"value": 100.0, "uom": "KGM"},
        }
        assert out["holders"] == sorted(pgln(g) for g in (PLANT, DC, MARKET, HOSPITAL, CANTEEN))
        assert out["regions"] == ["370104", "370105", "370112", "370113", "370114"]

    def test_export_writes_the_file_with_a_progress_bar_on_stderr(self, cli_db: str, tmp_path: Path) -> None:
        _load(session_maker())
        out = tmp_path / "impact.csv"
        result = CliRunner().invoke(
            app, ["trace", "export", "(01)06901234222227(10)A1", "--format", "csv", "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert result.stdout == f"{out}: 10 things\n"
        for shown in ("导出 / export", "3/3", "10 things"):
            assert shown in result.stderr
        rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        assert rows[0] == list(export.COLUMNS)
        with unit_of_work(session_maker()) as session:
            impact = recall_service.recall_impact(session, LOT_A)
            assert len(impact.things) == 10
            assert out.read_bytes() == export.render(session, impact, fmt="csv", where=export.Filter())
        # no file and no bar without --out
        bad = CliRunner().invoke(app, ["trace", "export", "(01)06901234222227(10)A1", "--format", "csv"])
        assert bad.exit_code == 1
        assert "export needs --format xlsx|csv|jsonld and --out FILE" in bad.stderr

    def test_bad_direction(self, cli_db: str) -> None:
        result = CliRunner().invoke(app, ["trace", LOT_A, "--direction", "sideways"])
        assert result.exit_code == 1


class TestRoutes:
    def test_trace_by_digital_link_path(self, client: TestClient, admin: Credentials, session: Session) -> None:
        capture(session, chains.pork_chain())
        session.flush()
        response = client.get(f"/trace/{LOT_A}", params={"direction": "forward"}, headers=admin.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["code"] == LOT_A
        assert set(body["things"]) == c(
            A, chains.I1, chains.I2, chains.I3, B, chains.C1, chains.C2, chains.PL1, chains.PL2, chains.PL3
        )

    def test_impact_route(self, client: TestClient, admin: Credentials, session: Session) -> None:
        capture(session, chains.pork_chain())
        session.flush()
        response = client.get(f"/trace/{LOT_A}/impact", headers=admin.headers)
        assert response.status_code == 200, response.text
        assert response.json()["regions"] == ["370104", "370105", "370112", "370113", "370114"]

    def test_needs_a_token(self, client: TestClient) -> None:
        assert client.get(f"/trace/{LOT_A}").status_code == 401

    def test_csv_export_filtered(self, client: TestClient, admin: Credentials, session: Session) -> None:
        capture(session, chains.pork_chain())
        session.flush()
        response = client.get(f"/trace/{LOT_A}/impact.csv", params={"product": "06901234333336"}, headers=admin.headers)
        assert response.status_code == 200, response.text
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == list(export.COLUMNS)
        assert {r[0] for r in rows[1:]} == c(chains.I1, chains.I2, chains.I3)
        # I1: made (e8), packed (e9), unpacked (e22), sold (e23); I2: e8, e9; I3: e8, e10
        assert len(rows) == 1 + 8
        sold = next(r for r in rows if r[13] == eid("e23"))
        assert (sold[4], sold[6], sold[9], sold[12]) == (
            "Selling 销售",
            "https://id.gs1.org/414/6901234000054",
            "https://id.gs1.org/414/6901234000030",
            pgln(MARKET),
        )


class TestExports:
    def test_xlsx_and_epcis_document(self, session: Session) -> None:
        capture(session, chains.pork_chain())
        impact = recall_service.recall_impact(session, I1)
        only = next(iter(c(I1)))
        where = export.Filter(product="6901234333336", code_from=only, code_to=only)
        book = load_workbook(io.BytesIO(export.render(session, impact, fmt="xlsx", where=where)))
        sheet = book.active
        assert sheet is not None
        values = list(sheet.values)
        assert values[0] == export.COLUMNS
        assert [v[13] for v in values[1:]] == [eid("e8"), eid("e9"), eid("e22"), eid("e23")]
        doc = orjson.loads(export.render(session, impact, fmt="jsonld", where=where))
        assert [e["eventID"] for e in doc["epcisBody"]["eventList"]] == [eid("e8"), eid("e9"), eid("e22"), eid("e23")]
        assert doc["type"] == "EPCISDocument"
