"""``zhuisu export parquet``: the files are real Parquet that DuckDB reads (as national analytics would), with exactly
the events, identifiers and parties stored, a child's events carrying where they were first recorded, and a window
of record time exporting only its events."""

from datetime import timedelta
from pathlib import Path

import duckdb
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import Credentials
from tests.support.epcis import document, object_event
from zhuisu.app.cli import app
from zhuisu.capture import service as capture_service
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.columnar import service
from zhuisu.kit.time import utc_now
from zhuisu.models import Event, EventOrigin, Party

runner = CliRunner()


def _capture(maker: sessionmaker[Session], party_id: str, *events: dict[str, object]) -> None:
    with unit_of_work(maker) as s:
        result = capture_service.capture_document(s, document(*events), actor=s.get_one(Party, party_id))
        assert result.job.success, result.outcomes


def test_duckdb_reads_the_export(maker: sessionmaker[Session], creds: Credentials, tmp_path: Path) -> None:
    shipped = object_event(
        1, eventID="urn:uuid:col-1", epcList=["urn:epc:id:sgtin:6901234.012345.1", "urn:epc:id:sgtin:6901234.012345.2"]
    )
    counted = object_event(
        2,
        eventID="urn:uuid:col-2",
        epcList=[],
        quantityList=[{"epcClass": "urn:epc:class:lgtin:6901234.012345.L1", "quantity": 12.5, "uom": "KGM"}],
    )
    _capture(maker, creds.party_id, shipped, counted)
    with unit_of_work(maker) as s:  # the second arrived from a child node (its provenance kept)
        pk = s.query(Event.id).filter(Event.event_id == "urn:uuid:col-2").scalar()
        s.add(
            EventOrigin(
                event_pk=pk,
                via_id=creds.party_id,
                node="city-a.example/ledger",
                node_url="https://city-a.example",
                record_time=utc_now() - timedelta(days=1),
                recorder={},
                hash="h",
                withheld=[],
            )
        )
    with unit_of_work(maker, write=False) as s:
        done = service.export(s, tmp_path / "out", origin="province.example/ledger")
    assert done.to_json()["files"] == {"events.parquet": 2, "event_epcs.parquet": 3, "parties.parquet": 1}
    db = duckdb.connect()
    events = db.execute(
        f"SELECT event_id, type, biz_step, recorder_id, origin_node, json_extract_string(body, '$.eventID') "
        f"FROM '{tmp_path}/out/events.parquet' ORDER BY event_id"
    ).fetchall()
    assert events == [
        ("urn:uuid:col-1", "ObjectEvent", "shipping", creds.party_id, "province.example/ledger", "urn:uuid:col-1"),
        ("urn:uuid:col-2", "ObjectEvent", "shipping", creds.party_id, "city-a.example/ledger", "urn:uuid:col-2"),
    ]
    identifiers = db.execute(
        f"SELECT e.event_id, x.role, x.value, x.quantity, x.uom FROM '{tmp_path}/out/event_epcs.parquet' x "
        f"JOIN '{tmp_path}/out/events.parquet' e USING (event_id) ORDER BY x.value"
    ).fetchall()
    assert identifiers == [
        ("urn:uuid:col-2", "quantity", "https://id.gs1.org/01/06901234123456/10/L1", 12.5, "KGM"),
        ("urn:uuid:col-1", "epc", "https://id.gs1.org/01/06901234123456/21/1", None, None),
        ("urn:uuid:col-1", "epc", "https://id.gs1.org/01/06901234123456/21/2", None, None),
    ]
    assert db.execute(f"SELECT name, uscc FROM '{tmp_path}/out/parties.parquet'").fetchall() == [
        ("测试食品有限公司", "91110000600037341L")
    ]
    kinds = dict(
        db.execute(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{tmp_path}/out/events.parquet')"
        ).fetchall()
    )
    assert (kinds["event_time"], kinds["record_time"], kinds["has_error_declaration"]) == (
        "TIMESTAMP WITH TIME ZONE",
        "TIMESTAMP WITH TIME ZONE",
        "BOOLEAN",
    )


def test_a_window_of_record_time(maker: sessionmaker[Session], creds: Credentials, tmp_path: Path, cli_db: str) -> None:
    _capture(maker, creds.party_id, object_event(3, eventID="urn:uuid:old"))
    with unit_of_work(maker) as s:
        s.execute(
            update(Event).where(Event.event_id == "urn:uuid:old").values(record_time=utc_now() - timedelta(days=40))
        )
    _capture(maker, creds.party_id, object_event(4, eventID="urn:uuid:new"))
    with unit_of_work(maker, write=False) as s:
        since = utc_now() - timedelta(days=1)
        done = service.export(s, tmp_path / "recent", since=since, origin="here/ledger")
    assert done.rows == {"events": 1, "event_epcs": 1, "parties": 1}
    ids = duckdb.connect().execute(f"SELECT event_id FROM '{tmp_path}/recent/events.parquet'").fetchall()
    assert ids == [("urn:uuid:new",)]


def test_the_command(cli_db: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "parquet", "--out", str(tmp_path / "x"), "--json"])
    assert result.exit_code == 0, result.output
    assert '"files": {"events.parquet": 0, "event_epcs.parquet": 0, "parties.parquet": 0}' in result.output
    assert duckdb.connect().execute(f"SELECT count(*) FROM '{tmp_path}/x/events.parquet'").fetchall() == [(0,)]
    bad = runner.invoke(app, ["export", "parquet", "--out", str(tmp_path / "y"), "--since", "yesterday"])
    assert bad.exit_code == 1
    assert not (tmp_path / "y").exists()
