"""The add-checkpoint exchange of c2sp.org/tlog-witness: request and response bodies, the witness's checks.

A log POSTs ``old <size>``, at most 63 base64 consistency-proof lines, an empty line and its signed
checkpoint; the witness checks it against the latest checkpoint it cosigned for that origin and answers with
cosignature lines. ``check_add_checkpoint`` performs the checks in the spec's order and raises the error whose
``status_code`` is the HTTP status to answer: ``UnknownLog`` 404, ``UnverifiedNote``/``InvalidSignature`` 403,
``MalformedWitnessRequest`` 400, ``WitnessConflict`` 409 (answer ``size_conflict_body(exc.known_size)``) and
``InvalidProof`` 422. Storing the new checkpoint atomically with the check is the caller's job.

>>> note = "example.com/log\\n1\\n" + "A" * 43 + "=\\n\\n— example.com/log AAAAAAAA\\n"
>>> request = parse_add_checkpoint("old 0\\n\\n" + note)
>>> request.old_size, request.proof, request.checkpoint.splitlines()[0]
(0, (), 'example.com/log')
>>> size_conflict_body(20852163)
'20852163\\n'
"""

import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from zhuisu.ledger.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from zhuisu.ledger.cosignature import cosign
from zhuisu.ledger.errors import (
    ForkedCheckpoint,
    InconsistentCheckpoint,
    InvalidProof,
    MalformedCheckpoint,
    MalformedNote,
    MalformedWitnessRequest,
    UnknownLog,
    WitnessConflict,
)
from zhuisu.ledger.keys import Verifier, decode_base64, encode_base64
from zhuisu.ledger.merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency
from zhuisu.ledger.note import parse

MAX_PROOF_LINES = 63
SIZE_CONTENT_TYPE = "text/x.tlog.size"
_OLD_RE = re.compile(r"old (0|[1-9][0-9]*)")


@dataclass(frozen=True)
class AddCheckpoint:
    """An add-checkpoint request: the size the log thinks the witness has, a proof from it, the checkpoint."""

    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: str

    def text(self) -> str:
        return format_add_checkpoint(self.old_size, self.proof, self.checkpoint)


def format_add_checkpoint(old_size: int, proof: Sequence[bytes], checkpoint_note: str) -> str:
    """The request body a log POSTs to ``<submission prefix>/add-checkpoint``."""
    if old_size < 0 or len(proof) > MAX_PROOF_LINES or any(len(h) != HASH_SIZE for h in proof):
        raise MalformedWitnessRequest("old size must be >= 0 and the proof at most 63 hashes of 32 bytes")
    lines = [f"old {old_size}", *(encode_base64(h) for h in proof)]
    return "".join(line + "\n" for line in lines) + "\n" + checkpoint_note


def parse_add_checkpoint(body: str) -> AddCheckpoint:
    """Parse a request body; raises ``MalformedWitnessRequest``."""
    head, sep, checkpoint = body.partition("\n\n")
    if not sep:
        raise MalformedWitnessRequest("no empty line before the checkpoint")
    lines = head.split("\n")
    match = _OLD_RE.fullmatch(lines[0])
    if match is None:
        raise MalformedWitnessRequest("the first line must be 'old <size>'")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise MalformedWitnessRequest(f"{len(lines) - 1} proof lines, at most {MAX_PROOF_LINES}")
    proof = []
    for line in lines[1:]:
        try:
            h = decode_base64(line)
        except ValueError as exc:
            raise MalformedWitnessRequest("a proof line is not base64") from exc
        if len(h) != HASH_SIZE:
            raise MalformedWitnessRequest(f"a proof line is not {HASH_SIZE} bytes")
        proof.append(h)
    return AddCheckpoint(int(match.group(1)), tuple(proof), checkpoint)


def check_add_checkpoint(
    request: AddCheckpoint,
    logs: Mapping[str, Sequence[str | Verifier]],
    latest: Checkpoint | None,
) -> Checkpoint:
    """The checkpoint to cosign, if ``request`` passes every tlog-witness check.

    ``logs`` maps each followed origin to its log keys; ``latest`` is the last checkpoint the witness cosigned
    for the request's origin (None if it never did).
    """
    try:
        origin = parse_checkpoint(parse(request.checkpoint).text).origin
    except (MalformedNote, MalformedCheckpoint) as exc:
        raise MalformedWitnessRequest(f"the checkpoint is malformed: {exc}") from exc
    if origin not in logs:
        raise UnknownLog(f"no log with origin {origin!r} is followed")
    checkpoint, _ = open_checkpoint(request.checkpoint, logs[origin], origin=origin)
    if request.old_size > checkpoint.size:
        raise MalformedWitnessRequest(f"old size {request.old_size} is above the checkpoint's {checkpoint.size}")
    known_size = latest.size if latest is not None else 0
    if request.old_size != known_size:
        raise WitnessConflict(f"old size {request.old_size}, but the latest cosigned is {known_size}", known_size)
    if latest is None or request.old_size == 0:
        if request.proof:
            raise InvalidProof("the proof from size 0 must be empty")
        if checkpoint.size == 0 and not hmac.compare_digest(checkpoint.root_hash, EMPTY_ROOT):
            raise InvalidProof("an empty tree must have the empty-tree root")
        return checkpoint
    if checkpoint.size == latest.size:
        if not hmac.compare_digest(checkpoint.root_hash, latest.root_hash):
            raise ForkedCheckpoint(f"a different root for size {checkpoint.size}", known_size)
        if request.proof:
            raise InvalidProof("the proof between equal sizes must be empty")
        return checkpoint
    try:
        verify_consistency(latest.size, checkpoint.size, latest.root_hash, checkpoint.root_hash, request.proof)
    except InvalidProof as exc:
        raise InconsistentCheckpoint(
            f"the checkpoint of size {checkpoint.size} is not proved to extend the cosigned one of size "
            f"{latest.size}: {exc}"
        ) from exc
    return checkpoint


def cosignature_response(checkpoint: Checkpoint, witness_skeys: Sequence[str], timestamp: int) -> str:
    """The 200 response body: one Ed25519 cosignature/v1 line per witness key."""
    return "".join(cosign(checkpoint.text(), skey, timestamp).line for skey in witness_skeys)


def size_conflict_body(known_size: int) -> str:
    """The 409 response body (``Content-Type: text/x.tlog.size``)."""
    return f"{known_size}\n"
