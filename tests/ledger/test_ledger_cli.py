"""`zhuisu ledger` as a user runs it: verify after SQL tampering, prove, check-proof offline, checkpoint, key."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.support.bigdoc import write_events
from zhuisu.app.cli import app
from zhuisu.cli.runtime import settings as runtime_settings
from zhuisu.db.engine import make_engine
from zhuisu.events import service as events_service
from zhuisu.events.stored import StoredEvent
from zhuisu.ledger import keystore, merkle, verify
from zhuisu.ledger import repository as ledger_repository
from zhuisu.ledger import service as ledger_service
from zhuisu.ledger.leaf import leaf_for_event
from zhuisu.ledger.tiles import decode_entry_bundle
from zhuisu.models import Event, EventEpc, EventKey, LedgerCheckpoint, LedgerCosignature, LedgerLeaf, LedgerNode
from zhuisu.parties import service as parties_service

runner = CliRunner()
EVENTS = 300


@pytest.fixture
def store(cli_db: str, tmp_path: Path) -> Iterator[Engine]:
    """A node database holding EVENTS imported events (no eventIDs: the event hash is the id)."""
    result = runner.invoke(app, ["import", str(write_events(tmp_path / "events.json", EVENTS))])
    assert result.exit_code == 0, result.output
    engine = make_engine(cli_db)
    yield engine
    engine.dispose()


def event_ids(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return list(s.scalars(select(Event.event_id).order_by(Event.id)))


def served_event(engine: Engine, event_id: str) -> dict[str, Any]:
    """The event exactly as GET /events/{eventID} serves it."""
    with Session(engine) as s:
        return events_service.query_document(s, [events_service.get_event(s, event_id)])


def verify_json() -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["ledger", "verify", "--json"])
    assert result.stdout.startswith("{"), (result.output, result.exception)
    return result.exit_code, json.loads(result.stdout)


def tamper(engine: Engine, changed: str, deleted: str, template: str) -> str:
    """Change one event's body, delete one, insert one behind the service's back; the inserted eventID."""
    with Session(engine) as s, s.begin():
        body = s.scalar(select(Event.body).where(Event.event_id == changed))
        assert body is not None
        s.execute(
            update(Event)
            .where(Event.event_id == changed)
            .values(body={**body, "epcList": ["urn:epc:id:sgtin:6901234.012345.999999"]})
        )
        pk = s.scalar(select(Event.id).where(Event.event_id == deleted))
        s.execute(delete(EventEpc).where(EventEpc.event_pk == pk))
        s.execute(delete(EventKey).where(EventKey.event_pk == pk))
        s.execute(delete(Event).where(Event.id == pk))
        events = Event.metadata.tables["events"]
        row = s.execute(select(events).where(events.c.event_id == template)).mappings().one()
        forged = {**row, "event_id": "urn:uuid:forged", "event_hash": "ni:///sha-256;forged?ver=CBV2.0"}
        del forged["id"]
        s.execute(insert(events).values(**forged))
    return "urn:uuid:forged"


class TestVerify:
    def test_untouched_store_verifies(self, store: Engine) -> None:
        runner.invoke(app, ["ledger", "checkpoint"])
        code, report = verify_json()
        assert (code, report["ok"], report["leaves"], report["checkpoints"]) == (0, True, EVENTS, 1)
        assert report["findings"] == []

    def test_names_exactly_the_changed_deleted_and_inserted_events(self, store: Engine) -> None:
        # given a signed checkpoint over the whole store
        assert runner.invoke(app, ["ledger", "checkpoint"]).exit_code == 0
        ids = event_ids(store)
        # when one event is changed, one deleted and one inserted in SQL
        forged = tamper(store, changed=ids[17], deleted=ids[250], template=ids[3])
        code, report = verify_json()
        # then verify names exactly those three and fails
        assert code == 1
        assert report["ok"] is False
        assert sorted((f["kind"], f["eventID"]) for f in report["findings"]) == sorted(
            [("changed", ids[17]), ("deleted", ids[250]), ("inserted", forged)]
        )
        text = runner.invoke(app, ["ledger", "verify"]).stdout
        assert f"changed\t{ids[17]}\t" in text
        assert f"deleted\t{ids[250]}\t" in text
        assert f"inserted\t{forged}\t" in text

    def test_finds_what_users_read_beside_the_body(self, store: Engine) -> None:
        # given a signed store, when the columns and index rows that queries and trace read are changed in SQL
        assert runner.invoke(app, ["ledger", "checkpoint"]).exit_code == 0
        ids = event_ids(store)
        with Session(store) as s, s.begin():
            pk = {i: s.scalar(select(Event.id).where(Event.event_id == ids[i])) for i in (10, 11, 12, 13, 14, 15, 16)}
            s.execute(update(Event).where(Event.id == pk[10]).values(biz_step="destroying"))
            s.execute(update(Event).where(Event.id == pk[11]).values(event_time=datetime(2020, 1, 1, tzinfo=UTC)))
            s.execute(update(Event).where(Event.id == pk[12]).values(read_point="https://id.gs1.org/414/6901234999999"))
            s.execute(update(Event).where(Event.id == pk[13]).values(disposition="recalled"))
            first = s.scalar(select(EventEpc.id).where(EventEpc.event_pk == pk[14]).limit(1))
            s.execute(
                update(EventEpc).where(EventEpc.id == first).values(value="https://id.gs1.org/01/06901234999990/21/1")
            )
            s.execute(delete(EventEpc).where(EventEpc.event_pk == pk[15]))
            s.execute(
                insert(EventEpc).values(event_pk=pk[16], role="epc", value="https://id.gs1.org/00/069012340000000012")
            )
        code, report = verify_json()
        # then each is named, with what changed
        assert code == 1
        assert sorted((f["eventID"], f["detail"].split(": ", 1)[1]) for f in report["findings"]) == sorted(
            [
                (ids[10], "biz_step changed"),
                (ids[11], "event_time changed"),
                (ids[12], "read_point changed"),
                (ids[13], "disposition changed"),
                (ids[14], "event_epcs changed"),
                (ids[15], "event_epcs changed"),
                (ids[16], "event_epcs changed"),
            ]
        )

    def test_a_log_rewritten_whole_is_caught_by_a_checkpoint_held_elsewhere(
        self, store: Engine, tmp_path: Path
    ) -> None:
        # given a checkpoint someone outside the node kept (a witness, a regulator)
        assert runner.invoke(app, ["ledger", "checkpoint"]).exit_code == 0
        held = tmp_path / "held.checkpoint"
        with Session(store) as s:
            latest = ledger_service.latest_checkpoint(s)
            assert latest is not None
            held.write_text(latest.note, encoding="utf-8")
        # when an attacker with the database and the node's key rebuilds the whole log (here: the same events in
        # another order) and signs it afresh, deleting the old checkpoints
        key = keystore.log_key(runtime_settings())
        with Session(store) as s, s.begin():
            for table in (LedgerCosignature, LedgerCheckpoint, LedgerNode, LedgerLeaf):
                s.execute(delete(table))
            ledger_repository.save_head(s, 0, [])
            rows = list(s.scalars(select(Event).order_by(Event.id.desc())))
            stored = [
                StoredEvent(e.id, e.event_id, e.event_hash, e.record_time, e.recorder_id, e.body, None) for e in rows
            ]
            ledger_service.append_events(s, stored)
            ledger_service.make_checkpoint(s, origin=keystore.log_origin(runtime_settings()), skey=key.skey)
        # then the store checks out on its own, but not against the checkpoint held elsewhere
        code, alone = verify_json()
        assert (code, alone["findings"]) == (0, [])
        result = runner.invoke(app, ["ledger", "verify", "--json", "--checkpoint", str(held)])
        report = json.loads(result.stdout)
        assert result.exit_code == 1
        assert [(f["kind"], f["detail"]) for f in report["findings"]] == [
            ("tree", f"external checkpoint {EVENTS}: the stored leaves give another root (history rewritten)")
        ]

    def test_a_changed_recorder_is_found_through_its_commitment(self, store: Engine) -> None:
        assert runner.invoke(app, ["ledger", "checkpoint"]).exit_code == 0
        ids = event_ids(store)
        with Session(store) as s, s.begin():
            other = parties_service.create_party(s, name="冒名企业")
            s.flush()
            s.execute(update(Event).where(Event.event_id == ids[5]).values(recorder_id=other.id))
        code, report = verify_json()
        assert code == 1
        assert [(f["kind"], f["eventID"], f["detail"].rsplit(": ", 1)[-1]) for f in report["findings"]] == [
            ("changed", ids[5], "recorder changed")
        ]

    def test_a_version_1_leaf_still_verifies(self) -> None:
        event = {"type": "ObjectEvent", "eventTime": "2026-03-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
                 "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:6901234.012345.1"]}  # fmt: skip
        v1 = leaf_for_event(event, None, record_time="2026-03-02T00:00:00.000Z", recorder="p1")
        row = SimpleNamespace(idx=0, event_pk=1, event_id="urn:uuid:v1", leaf=v1.data(), salt=None)
        stored = SimpleNamespace(
            event_id="urn:uuid:v1",
            event_hash=v1.event_hash,
            body=event,
            record_time="2026-03-02T00:00:00.000Z",
            recorder_id="p1",
            context_id=None,
        )
        assert v1.data().startswith(b"zhuisu-leaf/v1\n")
        assert verify.check_event(row, stored, {}) is None  # type: ignore[arg-type]
        forged = SimpleNamespace(**{**vars(stored), "recorder_id": "p2"})
        found = verify.check_event(row, forged, {})  # type: ignore[arg-type]
        assert found is not None
        assert found.detail == "leaf 0: recorder changed"

    def test_reports_a_rewritten_log_against_the_signed_checkpoint(self, store: Engine) -> None:
        assert runner.invoke(app, ["ledger", "checkpoint"]).exit_code == 0
        with Session(store) as s, s.begin():
            s.execute(delete(LedgerLeaf).where(LedgerLeaf.idx == EVENTS - 1))
        code, report = verify_json()
        assert code == 1
        kinds = [(f["kind"], f["eventID"]) for f in report["findings"]]
        assert ("inserted", event_ids(store)[-1]) in kinds
        assert any(f["kind"] == "tree" and f"checkpoint {EVENTS}" in f["detail"] for f in report["findings"])


class TestProveAndCheckProof:
    @pytest.fixture
    def evidence(self, store: Engine, tmp_path: Path) -> tuple[Path, Path, Path, dict[str, Any]]:
        event_id = event_ids(store)[42]
        proof = tmp_path / "event.proof"
        assert runner.invoke(app, ["ledger", "prove", event_id, "--out", str(proof)]).exit_code == 0
        event_file = tmp_path / "event.json"
        served = served_event(store, event_id)
        event_file.write_text(json.dumps(served, ensure_ascii=False), encoding="utf-8")
        vkey = tmp_path / "log.vkey"
        vkey.write_text(runner.invoke(app, ["ledger", "key"]).stdout, encoding="utf-8")
        return proof, event_file, vkey, served

    def test_proof_checks_offline(
        self, evidence: tuple[Path, Path, Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        proof, event_file, vkey, _ = evidence
        monkeypatch.setenv("ZHUISU_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
        result = runner.invoke(
            app, ["ledger", "check-proof", str(proof), "--event", str(event_file), "--vkey", str(vkey)]
        )
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"OK: leaf 42 of 127.0.0.1:8000/ledger (tree size {EVENTS}), 0 witness")
        assert proof.read_text().startswith("c2sp.org/tlog-proof@v1\nextra ")

    @pytest.mark.parametrize(
        ("_case", "old", "new"),
        [
            ("epc serial", "6901234.012345.42", "6901234.012345.43"),
            ("event time", ":42.042+08:00", ":42.043+08:00"),
            ("record time", 'Z"', 'Z "'),
            ("action", "OBSERVE", "OBSERVF"),
        ],
    )
    def test_one_changed_byte_fails(
        self, evidence: tuple[Path, Path, Path, dict[str, Any]], _case: str, old: str, new: str
    ) -> None:
        proof, event_file, vkey, served = evidence
        text = json.dumps(served, ensure_ascii=False)
        if _case == "record time":
            record_time = served["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["recordTime"]
            old, new = record_time, record_time[:-2] + str((int(record_time[-2]) + 1) % 10) + "Z"
        assert text.count(old) == 1
        event_file.write_text(text.replace(old, new), encoding="utf-8")
        result = runner.invoke(
            app, ["ledger", "check-proof", str(proof), "--event", str(event_file), "--vkey", str(vkey)]
        )
        assert result.exit_code == 1
        assert "proof does not verify" in result.output

    def test_another_log_key_fails(self, evidence: tuple[Path, Path, Path, dict[str, Any]]) -> None:
        proof, event_file, _, _ = evidence
        other = "127.0.0.1:8000/ledger+5d5b4f43+AXzJKUkrtdqNb2/PdHVwtyHhSQWHWlnaMFNf3yjMjT52"
        result = runner.invoke(app, ["ledger", "check-proof", str(proof), "--event", str(event_file), "--vkey", other])
        assert result.exit_code != 0


class TestCheckpointAndKey:
    def test_checkpoint_signs_once_per_size(self, store: Engine) -> None:
        first = runner.invoke(app, ["ledger", "checkpoint"]).stdout
        again = runner.invoke(app, ["ledger", "checkpoint"]).stdout
        assert first == again
        assert first.startswith(f"127.0.0.1:8000/ledger\n{EVENTS}\n")
        with Session(store) as s:
            assert list(s.scalars(select(LedgerCheckpoint.size))) == [EVENTS]

    def test_key_is_created_once_with_mode_600(self, cli_db: str, tmp_path: Path) -> None:
        first = runner.invoke(app, ["ledger", "key"]).stdout
        assert runner.invoke(app, ["ledger", "key"]).stdout == first
        assert first.startswith("127.0.0.1:8000/ledger+")
        assert (tmp_path / "var" / "ledger.key").stat().st_mode & 0o777 == 0o600


class TestTilesAtScale:
    def test_level_1_tile_holds_the_root_of_each_256_leaves(self, store: Engine) -> None:
        with Session(store) as s:
            leaves = [bytes(d) for d in s.scalars(select(LedgerLeaf.leaf).order_by(LedgerLeaf.idx))]
            tile = ledger_service.read_tile(s, "tile/1/000.p/1")
            full = ledger_service.read_tile(s, "tile/0/000")
            entries = decode_entry_bundle(ledger_service.read_tile(s, "tile/entries/001.p/44"))
        hashes = [merkle.leaf_hash(d) for d in leaves]
        assert tile == merkle.root(hashes[:256])
        assert full == b"".join(hashes[:256])
        assert entries == leaves[256:]
