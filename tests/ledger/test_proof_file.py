"""tlog-proof files: the C2SP example, offline verification end to end, proofs of real Sigstore entries."""

import base64
import json
from pathlib import Path

import pytest

from zhuisu.ledger.checkpoint import Checkpoint, sign_checkpoint
from zhuisu.ledger.cosignature import add_cosignature, cosigner_vkey
from zhuisu.ledger.errors import (
    InsufficientCosignatures,
    InvalidProof,
    MalformedProofFile,
    UnverifiedNote,
)
from zhuisu.ledger.keys import ecdsa_verifier, ed25519_verifier
from zhuisu.ledger.merkle import leaf_hash
from zhuisu.ledger.note import generate_key
from zhuisu.ledger.proof_file import TlogProof, build_proof, parse_proof, verify_proof
from zhuisu.ledger.subtrees import MemoryHashStore, inclusion_proof_at, root_at

DATA = Path(__file__).parent.parent / "data" / "tlog"
C2SP = json.loads((DATA / "c2sp-spec-examples.json").read_text())
REKOR = json.loads((DATA / "real-world" / "sigstore-rekor.json").read_text())
ORIGIN = "trace.example.org/log/2026"
LOG_SKEY, LOG_VKEY = generate_key(ORIGIN)
WITNESS_SKEYS = [generate_key(f"witness{i}.example")[0] for i in range(3)]
WITNESS_VKEYS = [cosigner_vkey(k) for k in WITNESS_SKEYS]


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


@pytest.fixture(scope="module")
def log() -> MemoryHashStore:
    store = MemoryHashStore()
    for i in range(20):
        store.append(leaf_hash(f"event {i}".encode()))
    return store


@pytest.fixture(scope="module")
def cosigned_note(log: MemoryHashStore) -> str:
    note = sign_checkpoint(Checkpoint(ORIGIN, 20, root_at(20, log)), LOG_SKEY)
    for timestamp, skey in enumerate(WITNESS_SKEYS, start=1_700_000_000):
        note = add_cosignature(note, skey, timestamp)
    return note


class TestC2SPExample:
    def test_parse(self) -> None:
        proof = parse_proof(C2SP["tlogProofParseOnly"]["text"])
        assert proof.extra == _b64("YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ")
        assert proof.extra[:30] == b"age-v1.2.1-darwin-arm64.tar.gz"
        assert (proof.index, len(proof.proof)) == (73894, 5)
        assert base64.b64encode(proof.proof[0]).decode() == "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ="
        assert proof.checkpoint.startswith("example.com/fancylog\n109482\n")
        assert proof.checkpoint.endswith("— witness3.example S4X82uH5[...]3oEcROGLFQ==\n")

    def test_roundtrip_is_byte_exact(self) -> None:
        text = C2SP["tlogProofParseOnly"]["text"]
        assert parse_proof(text).text() == text


class TestOfflineVerification:
    def test_verifies_with_quorum(self, log: MemoryHashStore, cosigned_note: str) -> None:
        text = build_proof(13, inclusion_proof_at(13, 20, log), cosigned_note, extra=b"salt")
        result = verify_proof(
            text, leaf_hash(b"event 13"), [LOG_VKEY], origin=ORIGIN, cosigners=WITNESS_VKEYS, quorum=2
        )
        assert (result.index, result.checkpoint.size, result.extra) == (13, 20, b"salt")
        assert [c.timestamp for c in result.cosignatures] == [1_700_000_000, 1_700_000_001, 1_700_000_002]

    def test_wrong_leaf(self, log: MemoryHashStore, cosigned_note: str) -> None:
        text = build_proof(13, inclusion_proof_at(13, 20, log), cosigned_note)
        with pytest.raises(InvalidProof):
            verify_proof(text, leaf_hash(b"event 12"), [LOG_VKEY])

    def test_wrong_index(self, log: MemoryHashStore, cosigned_note: str) -> None:
        text = build_proof(12, inclusion_proof_at(13, 20, log), cosigned_note)
        with pytest.raises(InvalidProof):
            verify_proof(text, leaf_hash(b"event 13"), [LOG_VKEY])

    def test_quorum_not_met(self, log: MemoryHashStore, cosigned_note: str) -> None:
        text = build_proof(13, inclusion_proof_at(13, 20, log), cosigned_note)
        with pytest.raises(InsufficientCosignatures, match="3 valid witness cosignatures, policy needs 4"):
            verify_proof(text, leaf_hash(b"event 13"), [LOG_VKEY], cosigners=WITNESS_VKEYS, quorum=4)
        with pytest.raises(InsufficientCosignatures, match="0 valid witness cosignatures, policy needs 1"):
            verify_proof(text, leaf_hash(b"event 13"), [LOG_VKEY], quorum=1)

    def test_unknown_log_key(self, log: MemoryHashStore, cosigned_note: str) -> None:
        text = build_proof(13, inclusion_proof_at(13, 20, log), cosigned_note)
        with pytest.raises(UnverifiedNote):
            verify_proof(text, leaf_hash(b"event 13"), [generate_key(ORIGIN)[1]])
        with pytest.raises(UnverifiedNote):
            verify_proof(text, leaf_hash(b"event 13"), [LOG_VKEY], origin="other.example/log")


class TestFormat:
    NOTE = f"{ORIGIN}\n1\n{'A' * 43}=\n\n— {ORIGIN} AAAAAAAA\n"

    def test_build_without_extra(self) -> None:
        text = build_proof(0, [bytes(32)], self.NOTE)
        assert text == f"c2sp.org/tlog-proof@v1\nindex 0\n{'A' * 43}=\n\n" + self.NOTE
        assert parse_proof(text) == TlogProof(0, (bytes(32),), self.NOTE, None)

    @pytest.mark.parametrize(
        "head",
        [
            "c2sp.org/tlog-proof@v2\nindex 0",
            "index 0",
            "c2sp.org/tlog-proof@v1\nindex 01",
            "c2sp.org/tlog-proof@v1\nindex -1",
            f"c2sp.org/tlog-proof@v1\nindex {2**64}",
            "c2sp.org/tlog-proof@v1",
            "c2sp.org/tlog-proof@v1\nextra !!\nindex 0",
            "c2sp.org/tlog-proof@v1\nindex 0\nextra AAAA",
            "c2sp.org/tlog-proof@v1\nindex 0\nAAAA",
            f"c2sp.org/tlog-proof@v1\nindex 0\n{'A' * 42}B=",
            "c2sp.org/tlog-proof@v1\nindex 0" + f"\n{'A' * 43}=" * 65,
        ],
    )
    def test_malformed_heads(self, head: str) -> None:
        with pytest.raises(MalformedProofFile):
            parse_proof(head + "\n\n" + self.NOTE)

    @pytest.mark.parametrize(
        "note",
        [
            "no signatures\n",
            f"{ORIGIN}\n1\n{'A' * 43}=\n\n",
            f"{ORIGIN}\nx\n{'A' * 43}=\n\n— {ORIGIN} AAAAAAAA\n",
        ],
    )
    def test_malformed_checkpoints(self, note: str) -> None:
        with pytest.raises(MalformedProofFile):
            parse_proof("c2sp.org/tlog-proof@v1\nindex 0\n\n" + note)
        with pytest.raises(MalformedProofFile):
            build_proof(0, [], note)

    def test_no_checkpoint(self) -> None:
        with pytest.raises(MalformedProofFile, match="no empty line"):
            parse_proof("c2sp.org/tlog-proof@v1\nindex 0\n")

    @pytest.mark.parametrize(("index", "proof"), [(-1, []), (0, [bytes(31)]), (0, [bytes(32)] * 65)])
    def test_build_rejects(self, index: int, proof: list[bytes]) -> None:
        with pytest.raises(MalformedProofFile):
            build_proof(index, proof, self.NOTE)


class TestRealSigstoreEntries:
    """Proof files built from real Rekor entries verify offline, with nothing but the log's public key."""

    def test_rekor_v2(self) -> None:
        entry = REKOR["rekorV2"]
        text = build_proof(entry["logIndex"], [_b64(h) for h in entry["hashes"]], entry["checkpoint"])
        log_key = ed25519_verifier(entry["keyName"], _b64(entry["publicKeySpki"])[-32:])
        result = verify_proof(text, leaf_hash(_b64(entry["canonicalizedBody"])), [log_key], origin=entry["keyName"])
        assert (result.index, result.checkpoint.size) == (645, 646)

    def test_rekor_v1(self) -> None:
        entry = REKOR["rekorV1"]
        text = build_proof(entry["logIndex"], [_b64(h) for h in entry["hashes"]], entry["checkpoint"])
        log_key = ecdsa_verifier(entry["keyName"], _b64(entry["publicKeySpki"]))
        leaf = leaf_hash(_b64(entry["canonicalizedBody"]))
        assert verify_proof(text, leaf, [log_key]).checkpoint.root_hash == _b64(entry["rootHash"])
        with pytest.raises(InvalidProof):
            verify_proof(text, leaf_hash(b"another entry"), [log_key])
