"""Ed25519 cosignature/v1: the C2SP example, a real witness cosignature, and signing round trips."""

import json
from pathlib import Path

import pytest

from zhuisu.ledger.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint
from zhuisu.ledger.cosignature import (
    Cosignature,
    add_cosignature,
    cosign,
    cosignature_message,
    cosigner_verifier,
    cosigner_vkey,
    require_quorum,
    verify_cosignatures,
)
from zhuisu.ledger.errors import (
    InsufficientCosignatures,
    InvalidKey,
    InvalidSignature,
    MalformedCheckpoint,
    UnverifiedNote,
)
from zhuisu.ledger.keys import SIG_COSIGNATURE_V1, SIG_ECDSA_P256, Verifier, parse_skey
from zhuisu.ledger.merkle import leaf_hash
from zhuisu.ledger.note import Signature, generate_key, open_note, parse, sign, verify

DATA = Path(__file__).parent.parent / "data" / "tlog"
C2SP = json.loads((DATA / "c2sp-spec-examples.json").read_text())
WITNESSED = json.loads((DATA / "real-world" / "witnessed-checkpoints.json").read_text())
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
CHECKPOINT = Checkpoint("example.com/log", 1, leaf_hash(b""))


class TestC2SPExample:
    def test_cosignature_line_layout(self) -> None:
        case = C2SP["cosignedCheckpointParseOnly"]
        note = parse(case["note"])
        witness = note.signatures[1]
        want = case["witnessSignature"]
        assert (witness.name, f"{witness.key_id:08x}", len(witness.signature)) == (
            want["name"],
            want["keyIdHex"],
            want["payloadLen"],
        )
        assert int.from_bytes(witness.signature[:8], "big") == want["timestamp"]

    def test_signed_message(self) -> None:
        case = C2SP["cosignedCheckpointParseOnly"]
        body = parse(case["note"]).text
        message = cosignature_message(case["witnessSignature"]["timestamp"], body.encode())
        assert message.decode() == case["signedMessageForThisTimestamp"]


class TestRealWitness:
    """arche2025h1.staging.ct.transparency.dev, cosigned by the remora.n621.de witness."""

    def test_log_signature_and_cosignature_verify(self) -> None:
        text, names = verify(WITNESSED["note"], [WITNESSED["logVkey"]])
        assert names == ["arche2025h1.staging.ct.transparency.dev"]
        assert parse_checkpoint(text).size == 1432088532
        cosignatures = verify_cosignatures(WITNESSED["note"], [WITNESSED["witnessVkey"]])
        assert cosignatures == [Cosignature("remora.n621.de", 0xDA77ADE7, WITNESSED["witnessTimestamp"])]

    def test_other_witness_lines_are_ignored(self) -> None:
        opened = open_note(WITNESSED["note"], [WITNESSED["witnessVkey"]])
        assert len(opened.unverified) == 5

    def test_tampered_checkpoint_fails(self) -> None:
        tampered = WITNESSED["note"].replace("1432088532", "1432088533")
        with pytest.raises(InvalidSignature):
            verify_cosignatures(tampered, [WITNESSED["witnessVkey"]])

    def test_future_timestamp_is_rejected_when_asked(self) -> None:
        with pytest.raises(InvalidSignature, match="future"):
            verify_cosignatures(WITNESSED["note"], [WITNESSED["witnessVkey"]], not_after=1779573023)
        assert len(verify_cosignatures(WITNESSED["note"], [WITNESSED["witnessVkey"]], not_after=1779573024)) == 1


class TestCosign:
    def test_deterministic_line(self) -> None:
        first = cosign(CHECKPOINT.text(), PETER_SKEY, 1679315147)
        assert first == cosign(CHECKPOINT.text(), PETER_SKEY, 1679315147)
        assert (first.name, first.key_id, first.signature[:8]) == (
            "PeterNeumann",
            0x18B9780B,
            (1679315147).to_bytes(8, "big"),
        )
        assert first.line.startswith("— PeterNeumann GLl4CwAAAABkGFDL")

    def test_add_and_verify(self) -> None:
        log_skey, log_vkey = generate_key("example.com/log")
        w1, _ = generate_key("witness1.example")
        w2, _ = generate_key("witness2.example")
        note = sign_checkpoint(CHECKPOINT, log_skey)
        note = add_cosignature(add_cosignature(note, w1, 100), w2, 200)
        # the log signature still verifies, and the note text is unchanged
        assert verify(note, [log_vkey])[0] == CHECKPOINT.text()
        cosignatures = verify_cosignatures(note, [cosigner_vkey(w1), cosigner_vkey(w2)])
        assert [(c.name, c.timestamp) for c in cosignatures] == [
            ("witness1.example", 100),
            ("witness2.example", 200),
        ]
        require_quorum(cosignatures, 2)
        with pytest.raises(InsufficientCosignatures, match="2 valid witness cosignatures, policy needs 3"):
            require_quorum(cosignatures, 3)

    def test_recosigning_replaces_the_line(self) -> None:
        log_skey, _ = generate_key("example.com/log")
        note = add_cosignature(add_cosignature(sign_checkpoint(CHECKPOINT, log_skey), PETER_SKEY, 1), PETER_SKEY, 2)
        assert [c.timestamp for c in verify_cosignatures(note, [cosigner_vkey(PETER_SKEY)])] == [2]

    def test_plain_ed25519_vkey_is_accepted_as_cosigner(self) -> None:
        skey, vkey = generate_key("witness.example")
        note = add_cosignature(sign_checkpoint(CHECKPOINT, PETER_SKEY), skey, 7)
        assert cosigner_verifier(vkey).sig_type == SIG_COSIGNATURE_V1
        assert [c.timestamp for c in verify_cosignatures(note, [vkey])] == [7]

    def test_cosignature_is_not_a_log_signature(self) -> None:
        # As a plain note key (0x01) the same key has another key ID: the cosignature line is unknown to it.
        skey, vkey = generate_key("witness.example")
        note = add_cosignature(sign_checkpoint(CHECKPOINT, PETER_SKEY), skey, 7)
        with pytest.raises(UnverifiedNote):
            open_note(note, [vkey])

    def test_no_cosignature(self) -> None:
        assert verify_cosignatures(sign_checkpoint(CHECKPOINT, PETER_SKEY), [cosigner_vkey(PETER_SKEY)]) == []

    @pytest.mark.parametrize("timestamp", [-1, 2**63])
    def test_timestamp_range(self, timestamp: int) -> None:
        with pytest.raises(InvalidSignature):
            cosign(CHECKPOINT.text(), PETER_SKEY, timestamp)

    def test_only_checkpoints_are_cosigned(self) -> None:
        with pytest.raises(MalformedCheckpoint):
            cosign("hello\n", PETER_SKEY, 1)
        # given a valid cosignature over a text that is not a checkpoint
        signer = parse_skey(PETER_SKEY)
        payload = (1).to_bytes(8, "big") + signer.sign(cosignature_message(1, b"hello\n"))
        note = sign("hello\n", PETER_SKEY) + Signature("PeterNeumann", 0x18B9780B, payload).line
        # then it is refused
        with pytest.raises(MalformedCheckpoint):
            verify_cosignatures(note, [cosigner_vkey(PETER_SKEY)])

    def test_ecdsa_keys_are_not_cosigners(self) -> None:
        with pytest.raises(InvalidKey):
            cosigner_verifier(Verifier("rekor.sigstore.dev", 1, SIG_ECDSA_P256, b""))
