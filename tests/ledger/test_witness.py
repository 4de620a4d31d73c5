"""tlog-witness add-checkpoint: the C2SP example request; the witness checks, one status code at a time."""

import base64
import json
from pathlib import Path

import pytest

from zhuisu.ledger.checkpoint import Checkpoint, sign_checkpoint
from zhuisu.ledger.cosignature import cosigner_vkey, verify_cosignatures
from zhuisu.ledger.errors import (
    InvalidProof,
    LedgerError,
    MalformedWitnessRequest,
    UnknownLog,
    UnverifiedNote,
    WitnessConflict,
)
from zhuisu.ledger.merkle import EMPTY_ROOT, consistency_proof, leaf_hash, root
from zhuisu.ledger.note import generate_key, parse
from zhuisu.ledger.witness import (
    AddCheckpoint,
    check_add_checkpoint,
    cosignature_response,
    format_add_checkpoint,
    parse_add_checkpoint,
    size_conflict_body,
)

DATA = Path(__file__).parent.parent / "data" / "tlog"
C2SP = json.loads((DATA / "c2sp-spec-examples.json").read_text())
ORIGIN = "trace.example.org/log/2026"
LOG_SKEY, LOG_VKEY = generate_key(ORIGIN)
WITNESS_SKEY, _ = generate_key("witness.example/w1")
LOGS = {ORIGIN: [LOG_VKEY]}
LEAVES = [leaf_hash(bytes([i])) for i in range(9)]


def _checkpoint(size: int) -> Checkpoint:
    return Checkpoint(ORIGIN, size, root(LEAVES[:size]))


def _request(old: int, size: int, proof: list[bytes] | None = None, skey: str = LOG_SKEY) -> AddCheckpoint:
    if proof is None:
        proof = consistency_proof(old, LEAVES[:size]) if 0 < old <= size else []
    return parse_add_checkpoint(format_add_checkpoint(old, proof, sign_checkpoint(_checkpoint(size), skey)))


class TestRequestFormat:
    def test_c2sp_example(self) -> None:
        body = C2SP["witnessAddCheckpointRequest"]["body"]
        request = parse_add_checkpoint(body)
        assert (request.old_size, len(request.proof)) == (20852014, 4)
        assert base64.b64encode(request.proof[0]).decode() == "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw="
        note = parse(request.checkpoint)
        assert note.text == "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        assert [s.name for s in note.signatures] == ["example.com/behind-the-sofa"] * 2
        assert request.text() == body

    @pytest.mark.parametrize(
        "body",
        [
            "old 01\n\nx",
            "old -1\n\nx",
            "new 1\n\nx",
            "old 1\nnot base64!\n\nx",
            "old 1\nAAAA\n\nx",
            "old 1\n" + "A" * 43 + "=\n" * 64 + "\nx",
            "old 1\n",
        ],
    )
    def test_malformed(self, body: str) -> None:
        with pytest.raises(MalformedWitnessRequest):
            parse_add_checkpoint(body)

    def test_format_limits(self) -> None:
        with pytest.raises(MalformedWitnessRequest):
            format_add_checkpoint(1, [bytes(32)] * 64, "x")


class TestChecks:
    def test_first_checkpoint_from_zero(self) -> None:
        assert check_add_checkpoint(_request(0, 5), LOGS, None) == _checkpoint(5)

    def test_growth_with_proof(self) -> None:
        assert check_add_checkpoint(_request(5, 9), LOGS, _checkpoint(5)) == _checkpoint(9)

    def test_same_checkpoint_again(self) -> None:
        assert check_add_checkpoint(_request(5, 5), LOGS, _checkpoint(5)) == _checkpoint(5)

    def test_unknown_origin_is_404(self) -> None:
        with pytest.raises(UnknownLog) as exc_info:
            check_add_checkpoint(_request(0, 5), {"other.example/log": [LOG_VKEY]}, None)
        assert exc_info.value.status_code == 404

    def test_unknown_signer_is_403(self) -> None:
        impostor, _ = generate_key(ORIGIN)
        with pytest.raises(UnverifiedNote) as exc_info:
            check_add_checkpoint(_request(0, 5, skey=impostor), LOGS, None)
        assert exc_info.value.status_code == 403

    def test_old_size_above_checkpoint_is_400(self) -> None:
        with pytest.raises(MalformedWitnessRequest) as exc_info:
            check_add_checkpoint(_request(9, 5, []), LOGS, _checkpoint(9))
        assert exc_info.value.status_code == 400

    @pytest.mark.parametrize(("old", "latest"), [(0, 5), (3, 5), (5, None)])
    def test_stale_old_size_is_409_with_known_size(self, old: int, latest: int | None) -> None:
        known = _checkpoint(latest) if latest is not None else None
        with pytest.raises(WitnessConflict) as exc_info:
            check_add_checkpoint(_request(old, 9), LOGS, known)
        assert (exc_info.value.status_code, exc_info.value.known_size) == (409, latest or 0)
        assert size_conflict_body(exc_info.value.known_size) == f"{latest or 0}\n"

    def test_equal_size_other_root_is_409(self) -> None:
        forked = Checkpoint(ORIGIN, 5, bytes(32))
        with pytest.raises(WitnessConflict, match="different root"):
            check_add_checkpoint(_request(5, 5), LOGS, forked)

    @pytest.mark.parametrize(
        ("old", "size", "proof", "latest"),
        [(5, 9, [bytes(32)] * 4, 5), (5, 9, [], 5), (0, 5, [bytes(32)], None), (5, 5, [bytes(32)], 5)],
    )
    def test_bad_proof_is_422(self, old: int, size: int, proof: list[bytes], latest: int | None) -> None:
        known = _checkpoint(latest) if latest is not None else None
        with pytest.raises(InvalidProof) as exc_info:
            check_add_checkpoint(_request(old, size, proof), LOGS, known)
        assert exc_info.value.status_code == 422

    def test_empty_tree_needs_empty_root(self) -> None:
        assert check_add_checkpoint(_request(0, 0), LOGS, None) == Checkpoint(ORIGIN, 0, EMPTY_ROOT)
        bad = format_add_checkpoint(0, [], sign_checkpoint(Checkpoint(ORIGIN, 0, bytes(32)), LOG_SKEY))
        with pytest.raises(InvalidProof, match="empty-tree root"):
            check_add_checkpoint(parse_add_checkpoint(bad), LOGS, None)

    def test_malformed_checkpoint_is_400(self) -> None:
        with pytest.raises(MalformedWitnessRequest):
            check_add_checkpoint(AddCheckpoint(0, (), "no checkpoint here\n"), LOGS, None)

    def test_errors_are_ledger_errors(self) -> None:
        with pytest.raises(LedgerError):
            check_add_checkpoint(_request(0, 5), {}, None)


class TestResponse:
    def test_cosignature_lines_complete_the_checkpoint(self) -> None:
        request = _request(0, 5)
        checkpoint = check_add_checkpoint(request, LOGS, None)
        body = cosignature_response(checkpoint, [WITNESS_SKEY], 1_700_000_000)
        assert body.startswith("— witness.example/w1 ")
        assert body.count("\n") == 1
        cosignatures = verify_cosignatures(request.checkpoint + body, [cosigner_vkey(WITNESS_SKEY)])
        assert [(c.name, c.timestamp) for c in cosignatures] == [("witness.example/w1", 1_700_000_000)]
