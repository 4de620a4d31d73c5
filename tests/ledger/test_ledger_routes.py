"""The ledger over HTTP on both databases: checkpoint, key, proofs, consistency, tiles, the witness endpoint and
the witness client pushing to it."""

import base64
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials
from tests.support.epcis import document, object_event
from zhuisu.capture import service as capture_service
from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.ledger import evidence, keystore, merkle, witness_client, witness_service
from zhuisu.ledger.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from zhuisu.ledger.cosignature import verify_cosignatures
from zhuisu.ledger.keys import generate_key
from zhuisu.ledger.tiles import decode_entry_bundle
from zhuisu.ledger.witness import SIZE_CONTENT_TYPE, format_add_checkpoint
from zhuisu.models import LedgerCheckpoint, LedgerCosignature, LedgerWitnessState, Party, WitnessedLog

CHILD = "child.example/ledger"
CHILD_SKEY, CHILD_VKEY = generate_key(CHILD)
CHILD_LEAVES = [merkle.leaf_hash(b"child %d" % i) for i in range(9)]


@pytest.fixture
def settings(engine: Engine, tmp_path: Path) -> Settings:
    """Keys under the test's own directory; this node witnesses the child log."""
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path,
        ledger_witnessed_logs=[CHILD_VKEY],
    )


def capture(maker: sessionmaker[Session], creds: Credentials, count: int, start: int = 0) -> list[str]:
    with unit_of_work(maker) as s:
        party = s.get(Party, creds.party_id)
        assert party is not None
        events = [object_event(i, eventID=f"urn:uuid:r-{i}") for i in range(start, start + count)]
        capture_service.capture_document(s, document(*events), actor=party)
    return [f"urn:uuid:r-{i}" for i in range(start, start + count)]


def child_checkpoint(size: int) -> str:
    return sign_checkpoint(Checkpoint(CHILD, size, merkle.root(CHILD_LEAVES[:size])), CHILD_SKEY)


def b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


class TestReadEndpoints:
    def test_key_is_the_log_vkey_and_needs_no_token(self, client: TestClient, settings: Settings) -> None:
        response = client.get("/ledger/key")
        assert (response.status_code, response.text) == (200, keystore.log_key(settings).vkey + "\n")
        assert response.text.startswith("127.0.0.1:8000/ledger+")

    def test_checkpoint_signed_by_the_capture(
        self, client: TestClient, maker: sessionmaker[Session], creds: Credentials, settings: Settings
    ) -> None:
        capture(maker, creds, 5)
        first = client.get("/ledger/checkpoint")
        assert first.status_code == 200
        body, _ = open_checkpoint(first.text, [keystore.log_key(settings).vkey], origin="127.0.0.1:8000/ledger")
        assert body.size == 5
        assert client.get("/ledger/checkpoint").text == first.text
        capture(maker, creds, 2, start=5)
        assert client.get("/ledger/checkpoint").text.split("\n")[1] == "7"

    def test_proof_checks_against_the_served_event(
        self, client: TestClient, maker: sessionmaker[Session], creds: Credentials, settings: Settings
    ) -> None:
        ids = capture(maker, creds, 6)
        proof = client.get(f"/ledger/proof/{ids[4]}")
        served = client.get(f"/events/{ids[4]}", headers=creds.headers).json()
        assert proof.status_code == 200
        checked = evidence.check_event_proof(proof.text, served, [keystore.log_key(settings).vkey])
        assert (checked.proof.index, checked.proof.checkpoint.size) == (4, 6)

    def test_reads_sign_nothing(
        self, client: TestClient, maker: sessionmaker[Session], creds: Credentials, connection: Connection
    ) -> None:
        # given events written by a session that does not sign (a bulk load: no node settings)
        ids = capture(maker, creds, 2)
        with unit_of_work(sessionmaker(bind=connection, join_transaction_mode="create_savepoint")) as bare:
            party = bare.get_one(Party, creds.party_id)
            capture_service.capture_document(bare, document(object_event(7, eventID="urn:uuid:bulk")), actor=party)
        with maker() as s:
            before = list(s.scalars(select(LedgerCheckpoint.size).order_by(LedgerCheckpoint.id)))
        # when the checkpoint, a proof of the unsigned entry and one of a signed entry are read
        checkpoint = client.get("/ledger/checkpoint")
        unsigned = client.get("/ledger/proof/urn:uuid:bulk")
        signed = client.get(f"/ledger/proof/{ids[0]}")
        # then the latest signed checkpoint is served, the unsigned entry is 409, and nothing was signed
        assert (checkpoint.status_code, checkpoint.text.split("\n")[1]) == (200, "2")
        assert (unsigned.status_code, unsigned.json()["code"]) == (409, "not_yet_signed")
        assert signed.status_code == 200
        with maker() as s:
            assert list(s.scalars(select(LedgerCheckpoint.size).order_by(LedgerCheckpoint.id))) == before == [0, 2]

    def test_worker_round_signs_what_was_written_unsigned(
        self, client: TestClient, maker: sessionmaker[Session], creds: Credentials, connection: Connection
    ) -> None:
        with unit_of_work(sessionmaker(bind=connection, join_transaction_mode="create_savepoint")) as bare:
            party = bare.get_one(Party, creds.party_id)
            capture_service.capture_document(bare, document(object_event(7, eventID="urn:uuid:bulk")), actor=party)
        assert client.get("/ledger/proof/urn:uuid:bulk").status_code == 409
        client.app.state.subscriptions_worker.run_once()  # type: ignore[attr-defined]
        assert client.get("/ledger/checkpoint").text.split("\n")[1] == "1"
        assert client.get("/ledger/proof/urn:uuid:bulk").status_code == 200

    def test_proof_of_unknown_event_is_404(self, client: TestClient) -> None:
        response = client.get("/ledger/proof/urn:uuid:nope")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")

    def test_consistency(self, client: TestClient, maker: sessionmaker[Session], creds: Credentials) -> None:
        capture(maker, creds, 7)
        response = client.get("/ledger/consistency", params={"old": 3, "new": 7})
        body = response.json()
        proof = [base64.b64decode(h) for h in body["proof"]]
        merkle.verify_consistency(3, 7, base64.b64decode(body["oldRoot"]), base64.b64decode(body["newRoot"]), proof)
        assert (body["oldSize"], body["newSize"], len(proof)) == (3, 7, 4)
        bad = client.get("/ledger/consistency", params={"old": 3, "new": 8})
        assert (bad.status_code, bad.json()["code"]) == (422, "out_of_range")

    def test_tiles(self, client: TestClient, maker: sessionmaker[Session], creds: Credentials) -> None:
        capture(maker, creds, 3)
        tile = client.get("/ledger/tile/0/000.p/3")
        entries = decode_entry_bundle(client.get("/ledger/tile/entries/000.p/3").content)
        assert tile.content == b"".join(merkle.leaf_hash(e) for e in entries)
        assert (tile.headers["content-type"], len(entries)) == ("application/octet-stream", 3)
        assert client.get("/ledger/tile/0/000.p/4").status_code == 404
        assert client.get("/ledger/tile/0/0").status_code == 404


class TestWitnessEndpoint:
    def post(self, client: TestClient, old: int, proof: list[bytes], note: str) -> Any:
        return client.post("/ledger/witness/add-checkpoint", content=format_add_checkpoint(old, proof, note))

    def stored(self, maker: sessionmaker[Session]) -> list[tuple[str, int]]:
        with maker() as s:
            return [(w.origin, w.size) for w in s.scalars(select(WitnessedLog))]

    def test_cosigns_and_follows_the_child_log(
        self, client: TestClient, maker: sessionmaker[Session], settings: Settings
    ) -> None:
        note = child_checkpoint(4)
        first = self.post(client, 0, [], note)
        assert first.status_code == 200
        witness_vkey = client.get("/ledger/witness/key").text.strip()
        assert witness_vkey == keystore.witness_key(settings).vkey
        assert [c.name for c in verify_cosignatures(note + first.text, [witness_vkey])] == [
            "127.0.0.1:8000/ledger/witness"
        ]
        second = self.post(client, 4, merkle.consistency_proof(4, CHILD_LEAVES[:9]), child_checkpoint(9))
        assert second.status_code == 200
        assert self.stored(maker) == [(CHILD, 9)]

    def test_conflict_answers_the_known_size(self, client: TestClient, maker: sessionmaker[Session]) -> None:
        assert self.post(client, 0, [], child_checkpoint(4)).status_code == 200
        response = self.post(client, 0, [], child_checkpoint(9))
        assert (response.status_code, response.text) == (409, "4\n")
        assert response.headers["content-type"].startswith(SIZE_CONTENT_TYPE)
        assert self.stored(maker) == [(CHILD, 4)]

    @pytest.mark.parametrize(
        ("_case", "status"), [("unknown log", 404), ("bad signature", 403), ("bad proof", 422), ("old above size", 400)]
    )
    def test_refusals_store_nothing(
        self, client: TestClient, maker: sessionmaker[Session], _case: str, status: int
    ) -> None:
        assert self.post(client, 0, [], child_checkpoint(4)).status_code == 200
        other_skey, _ = generate_key(CHILD)
        stranger, _ = generate_key("stranger.example/log")
        root = merkle.root(CHILD_LEAVES[:9])
        cases: dict[str, tuple[int, list[bytes], str]] = {
            "unknown log": (4, [], sign_checkpoint(Checkpoint("stranger.example/log", 9, root), stranger)),
            "bad signature": (4, [], sign_checkpoint(Checkpoint(CHILD, 9, root), other_skey)),
            "bad proof": (4, [b"\x00" * 32] * 3, child_checkpoint(9)),
            "old above size": (5, [], child_checkpoint(4)),
        }
        response = self.post(client, *cases[_case])
        assert response.status_code == status
        assert self.stored(maker) == [(CHILD, 4)]


class TestWitnessClient:
    @pytest.fixture
    def node(self, settings: Settings) -> Settings:
        """This node witnesses itself, so its client can push to its own endpoint."""
        settings.ledger_witnessed_logs = [CHILD_VKEY, keystore.log_key(settings).vkey]
        return settings

    def witness(self, settings: Settings) -> witness_service.Witness:
        return witness_service.Witness(keystore.witness_key(settings).vkey, "http://testserver/ledger/witness")

    def via(self, client: TestClient, calls: list[int]) -> witness_client.Post:
        def post(url: str, body: str) -> tuple[int, str]:
            response = client.post(url, content=body)
            calls.append(response.status_code)
            return response.status_code, response.text

        return post

    def test_push_gathers_a_cosignature_into_later_proofs(
        self, client: TestClient, maker: sessionmaker[Session], creds: Credentials, node: Settings
    ) -> None:
        ids = capture(maker, creds, 4)
        client.get("/ledger/checkpoint")
        calls: list[int] = []
        results = witness_client.push(maker, [self.witness(node)], self.via(client, calls))
        assert [(r.outcome, r.detail) for r in results] == [("cosigned", "cosigned size 4")]
        assert witness_client.push(maker, [self.witness(node)], self.via(client, calls))[0].detail == "up to date"
        assert calls == [200]
        proof = client.get(f"/ledger/proof/{ids[1]}").text
        served = client.get(f"/events/{ids[1]}", headers=creds.headers).json()
        checked = evidence.check_event_proof(
            proof, served, [keystore.log_key(node).vkey], cosigners=[keystore.witness_key(node).vkey], quorum=1
        )
        assert [c.name for c in checked.proof.cosignatures] == ["127.0.0.1:8000/ledger/witness"]
        with maker() as s:
            assert s.scalar(select(func.count()).select_from(LedgerCosignature)) == 1

    def test_down_witness_is_recorded_and_retried(
        self, client: TestClient, maker: sessionmaker[Session], creds: Credentials, node: Settings
    ) -> None:
        capture(maker, creds, 3)
        client.get("/ledger/checkpoint")

        def down(url: str, body: str) -> tuple[int, str]:
            raise httpx.ConnectError("connection refused")

        results = witness_client.push(maker, [self.witness(node)], down)
        assert [r.outcome for r in results] == ["failed"]
        with maker() as s:
            state = s.scalars(select(LedgerWitnessState)).one()
            assert (state.known_size, state.last_error) == (0, "0: unreachable: connection refused")
        calls: list[int] = []
        assert witness_client.push(maker, [self.witness(node)], self.via(client, calls))[0].outcome == "cosigned"
        assert calls == [200]

    def test_conflict_teaches_the_witness_size(
        self, client: TestClient, maker: sessionmaker[Session], creds: Credentials, node: Settings
    ) -> None:
        capture(maker, creds, 3)
        client.get("/ledger/checkpoint")
        calls: list[int] = []
        witness_client.push(maker, [self.witness(node)], self.via(client, calls))
        capture(maker, creds, 4, start=3)
        client.get("/ledger/checkpoint")
        with unit_of_work(maker) as s:
            s.scalars(select(LedgerWitnessState)).one().known_size = 0  # the log forgot what the witness has
        results = witness_client.push(maker, [self.witness(node)], self.via(client, calls))
        assert ([r.outcome for r in results], calls) == (["cosigned"], [200, 409, 200])
        with maker() as s:
            cosigned: list[Any] = list(s.scalars(select(LedgerCosignature.checkpoint_id)))
            sizes = [s.get(LedgerCheckpoint, i).size for i in cosigned]  # type: ignore[union-attr]
        assert sizes == [3, 7]
