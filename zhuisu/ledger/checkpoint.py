"""C2SP checkpoints (c2sp.org/tlog-checkpoint@v1.0.0): a log's signed tree head, as a signed note.

The note text is at least three non-empty lines: the origin (the log's identity), the tree size in ASCII
decimal without leading zeros, and the standard base64 of the 32-byte RFC 9162 root hash; any further lines
are opaque, non-empty extension lines (NOT RECOMMENDED). Parsing here is strict: every rule is checked, the
size must fit in a u64, and the root must be canonical base64 of exactly 32 bytes.

>>> text = "example.com/behind-the-sofa\\n20852163\\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\\n"
>>> cp = parse_checkpoint(text)
>>> cp.origin, cp.size, cp.root_hash.hex()[:8], cp.extensions
('example.com/behind-the-sofa', 20852163, '0ac5186a', ())
>>> cp.text() == text
True
"""

import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

from zhuisu.ledger.errors import InconsistentTree, InvalidProof, MalformedCheckpoint, UnverifiedNote
from zhuisu.ledger.keys import Verifier, decode_base64, encode_base64
from zhuisu.ledger.merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency
from zhuisu.ledger.note import OpenedNote, open_note, sign

_SIZE_RE = re.compile(r"0|[1-9][0-9]*")
_MAX_SIZE = (1 << 64) - 1


@dataclass(frozen=True)
class Checkpoint:
    """The body of a checkpoint: which log, how many leaves, and the root hash over them."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The note text (the checkpoint body), ending in a newline."""
        _check_fields(self)
        lines = [self.origin, str(self.size), encode_base64(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)


def _check_line(line: str, what: str) -> None:
    if not line:
        raise MalformedCheckpoint(f"checkpoint {what} is empty")
    if "\n" in line or any(c < " " for c in line):
        raise MalformedCheckpoint(f"checkpoint {what} contains a control character")


def _check_fields(cp: Checkpoint) -> None:
    _check_line(cp.origin, "origin")
    if not 0 <= cp.size <= _MAX_SIZE:
        raise MalformedCheckpoint(f"tree size {cp.size} is not a u64")
    if len(cp.root_hash) != HASH_SIZE:
        raise MalformedCheckpoint(f"root hash is {len(cp.root_hash)} bytes, want {HASH_SIZE}")
    for line in cp.extensions:
        _check_line(line, "extension line")


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body (a note text); raise ``MalformedCheckpoint`` on any deviation from the spec."""
    if not text.endswith("\n"):
        raise MalformedCheckpoint("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedCheckpoint(f"checkpoint has {len(lines)} lines, want at least 3")
    origin, size_text, root_text, *extensions = lines
    if not _SIZE_RE.fullmatch(size_text) or int(size_text) > _MAX_SIZE:
        raise MalformedCheckpoint(f"tree size {size_text[:30]!r} is not a decimal u64 without leading zeros")
    try:
        root_hash = decode_base64(root_text)
    except ValueError as exc:
        raise MalformedCheckpoint("root hash is not base64") from exc
    if len(root_hash) != HASH_SIZE or encode_base64(root_hash) != root_text:
        raise MalformedCheckpoint(f"root hash is not the canonical base64 of {HASH_SIZE} bytes")
    checkpoint = Checkpoint(origin, int(size_text), root_hash, tuple(extensions))
    _check_fields(checkpoint)
    return checkpoint


def sign_checkpoint(checkpoint: Checkpoint, skey: str | Sequence[str]) -> str:
    """The checkpoint as a signed note (the log's key name SHOULD equal the origin)."""
    return sign(checkpoint.text(), skey)


def open_checkpoint(
    note: str | bytes, log_keys: Sequence[str | Verifier], *, origin: str | None = None
) -> tuple[Checkpoint, OpenedNote]:
    """Verify the log's signature on a checkpoint note and parse it.

    ``log_keys`` are the log's vkeys (several during a key rotation); other signatures, such as witness
    cosignatures, are ignored here. When ``origin`` is given the checkpoint must be for that log. Raises
    ``MalformedNote``/``MalformedCheckpoint``, ``InvalidSignature`` or ``UnverifiedNote``.
    """
    opened = open_note(note, log_keys)
    checkpoint = parse_checkpoint(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise UnverifiedNote(f"checkpoint is for {checkpoint.origin!r}, not {origin!r}")
    return checkpoint, opened


def verify_checkpoint_consistency(old: Checkpoint, new: Checkpoint, proof: Sequence[bytes]) -> None:
    """Check that ``new`` extends ``old`` of the same log; raise ``InconsistentTree`` if the pair is a fork.

    Size 0 follows the C2SP witness rule: an empty tree must carry the empty-tree root and needs an empty
    proof. Two validly signed checkpoints that fail here are evidence that the log misbehaved.
    """
    if old.origin != new.origin:
        raise InconsistentTree(f"checkpoints of different logs: {old.origin!r} and {new.origin!r}")
    if new.size < old.size:
        raise InconsistentTree(f"tree shrank from {old.size} to {new.size}")
    for cp in (old, new):
        if cp.size == 0 and not hmac.compare_digest(cp.root_hash, EMPTY_ROOT):
            raise InconsistentTree("an empty tree must have the empty-tree root")
    if old.size == 0:
        if proof:
            raise InconsistentTree("a proof from the empty tree must be empty")
        return
    try:
        verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof)
    except InvalidProof as exc:
        raise InconsistentTree(f"{new.size} does not extend {old.size}: {exc}") from exc
