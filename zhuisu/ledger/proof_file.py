"""``c2sp.org/tlog-proof@v1`` files: offline evidence that an entry is in a transparency log.

The file is the header line ``c2sp.org/tlog-proof@v1``, an optional ``extra <base64>`` line (opaque,
unauthenticated application data), ``index <n>``, the RFC 9162 audit path one base64 hash per line (leaf's
sibling first), an empty line, and the log's checkpoint verbatim with its signatures and cosignatures. A
verifier needs only this file, the leaf hash it recomputes from the entry, the log's vkey(s), and its witness
policy (cosigner vkeys and a quorum).

>>> body = "example.com/log\\n1\\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\\n"
>>> note = body + "\\n— example.com/log AAAAAA==\\n"
>>> text = build_proof(0, [], note)
>>> print(text, end="")
c2sp.org/tlog-proof@v1
index 0
<BLANKLINE>
example.com/log
1
AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
<BLANKLINE>
— example.com/log AAAAAA==
>>> parse_proof(text).index
0
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from zhuisu.ledger.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from zhuisu.ledger.cosignature import Cosignature, require_quorum, verify_cosignatures
from zhuisu.ledger.errors import MalformedCheckpoint, MalformedProofFile
from zhuisu.ledger.keys import Verifier, decode_base64, encode_base64
from zhuisu.ledger.merkle import HASH_SIZE, verify_inclusion

HEADER = "c2sp.org/tlog-proof@v1"
#: A tree of at most 2**64 leaves has audit paths of at most 64 hashes.
MAX_PROOF_HASHES = 64
_INDEX_RE = re.compile(r"index (0|[1-9][0-9]*)")


@dataclass(frozen=True)
class TlogProof:
    """A parsed proof file; nothing in it is verified yet."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def text(self) -> str:
        return build_proof(self.index, self.proof, self.checkpoint, self.extra)


@dataclass(frozen=True)
class VerifiedProof:
    """What a verified proof file establishes: the entry's index under a log-signed, witnessed checkpoint."""

    checkpoint: Checkpoint
    index: int
    cosignatures: tuple[Cosignature, ...]
    extra: bytes | None


def build_proof(index: int, proof: Sequence[bytes], checkpoint_note: str, extra: bytes | None = None) -> str:
    """The proof file text for the entry at ``index`` under a signed checkpoint (kept verbatim)."""
    if index < 0 or index >= 1 << 64:
        raise MalformedProofFile(f"index {index} is not a u64")
    if len(proof) > MAX_PROOF_HASHES or any(len(h) != HASH_SIZE for h in proof):
        raise MalformedProofFile("an audit path is at most 64 hashes of 32 bytes")
    _split_checkpoint(checkpoint_note)
    lines = [HEADER]
    if extra is not None:
        lines.append(f"extra {encode_base64(extra)}")
    lines.append(f"index {index}")
    lines.extend(encode_base64(h) for h in proof)
    return "\n".join(lines) + "\n\n" + checkpoint_note


def _split_checkpoint(note: str) -> Checkpoint:
    """Check that ``note`` looks like a signed checkpoint; its signatures are left to the verifier."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n") or note.endswith("\n\n"):
        raise MalformedProofFile("the checkpoint is not a signed note")
    try:
        return parse_checkpoint(note[: split + 1])
    except MalformedCheckpoint as exc:
        raise MalformedProofFile(f"the checkpoint is malformed: {exc}") from exc


def parse_proof(text: str) -> TlogProof:
    """Parse a proof file, checking its structure and the checkpoint body (not the signatures)."""
    head, sep, checkpoint = text.partition("\n\n")
    if not sep:
        raise MalformedProofFile("no empty line before the checkpoint")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise MalformedProofFile(f"the first line must be {HEADER}")
    position = 1
    extra = None
    if len(lines) > position and lines[position].startswith("extra "):
        try:
            extra = decode_base64(lines[position][len("extra ") :])
        except ValueError as exc:
            raise MalformedProofFile("extra data is not base64") from exc
        position += 1
    match = _INDEX_RE.fullmatch(lines[position]) if len(lines) > position else None
    if match is None or int(match.group(1)) >= 1 << 64:
        raise MalformedProofFile("missing or malformed index line")
    proof = [_parse_hash(line) for line in lines[position + 1 :]]
    if len(proof) > MAX_PROOF_HASHES:
        raise MalformedProofFile(f"{len(proof)} proof hashes, at most {MAX_PROOF_HASHES}")
    _split_checkpoint(checkpoint)
    return TlogProof(int(match.group(1)), tuple(proof), checkpoint, extra)


def _parse_hash(line: str) -> bytes:
    try:
        h = decode_base64(line)
    except ValueError as exc:
        raise MalformedProofFile("a proof line is not base64") from exc
    if len(h) != HASH_SIZE or encode_base64(h) != line:
        raise MalformedProofFile(f"a proof line is not the canonical base64 of {HASH_SIZE} bytes")
    return h


@lru_cache(maxsize=64)
def _opened(note: str, log_keys: tuple[str, ...], origin: str | None) -> Checkpoint:
    """A checkpoint whose signature checked out, once per note and keys: a story checks the proofs of many events
    against one checkpoint (an Ed25519 verification each, otherwise). Failures raise, so only successes are kept."""
    return open_checkpoint(note, log_keys, origin=origin)[0]


def verify_proof(
    text: str,
    leaf_hash: bytes,
    log_keys: Sequence[str | Verifier],
    *,
    origin: str | None = None,
    cosigners: Sequence[str | Verifier] = (),
    quorum: int = 0,
    not_after: int | None = None,
) -> VerifiedProof:
    """Verify a proof file offline: log signature, witness quorum, then inclusion of ``leaf_hash``.

    ``leaf_hash`` is the RFC 9162 leaf hash the verifier computes itself from the entry (the extra data may
    help it, but is not trusted). Raises a ``LedgerError``: ``MalformedProofFile``, ``MalformedNote``,
    ``InvalidSignature``/``UnverifiedNote``, ``InsufficientCosignatures`` or ``InvalidProof``.
    """
    parsed = parse_proof(text)
    if all(isinstance(k, str) for k in log_keys):
        checkpoint = _opened(parsed.checkpoint, tuple(str(k) for k in log_keys), origin)
    else:
        checkpoint, _ = open_checkpoint(parsed.checkpoint, log_keys, origin=origin)
    cosignatures = verify_cosignatures(parsed.checkpoint, cosigners, not_after=not_after) if cosigners else []
    require_quorum(cosignatures, quorum)
    verify_inclusion(parsed.index, checkpoint.size, leaf_hash, parsed.proof, checkpoint.root_hash)
    return VerifiedProof(checkpoint, parsed.index, tuple(cosignatures), parsed.extra)
