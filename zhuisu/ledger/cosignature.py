"""Ed25519 witness cosignatures, cosignature/v1 of c2sp.org/tlog-cosignature (note signature type 0x04).

A cosignature line is ``— <cosigner name> base64(key ID ‖ u64 BE timestamp ‖ Ed25519 signature)`` with key ID
``SHA-256(name ‖ "\\n" ‖ 0x04 ‖ public key)[:4]``, and the signature is over
``"cosignature/v1\\ntime <timestamp>\\n" ‖ <checkpoint body>``. It states that, as of that time, this is the
largest consistent tree the cosigner has seen for the origin. The name is not signed, so each cosigner needs
its own key. Cosigner keys here are ordinary Go Ed25519 skeys; their vkeys carry type 0x04.

>>> skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
>>> cosigner_vkey(skey)
'PeterNeumann+18b9780b+BBpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'
>>> cosignature_message(1679315147, b"example.com/log\\n1\\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\\n")
b'cosignature/v1\\ntime 1679315147\\nexample.com/log\\n1\\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\\n'
"""

from collections.abc import Sequence
from dataclasses import dataclass

from zhuisu.ledger.checkpoint import parse_checkpoint
from zhuisu.ledger.errors import InsufficientCosignatures, InvalidKey, InvalidSignature, UnverifiedNote
from zhuisu.ledger.keys import (
    SIG_COSIGNATURE_V1,
    SIG_ED25519,
    Verifier,
    cosignature_message,
    cosignature_timestamp,
    ed25519_verifier,
    parse_skey,
    parse_vkey,
)
from zhuisu.ledger.note import Signature, append_signatures, open_note

__all__ = [
    "Cosignature",
    "add_cosignature",
    "cosign",
    "cosignature_message",
    "cosigner_verifier",
    "cosigner_vkey",
    "require_quorum",
    "verify_cosignatures",
]

_MAX_TIMESTAMP = (1 << 63) - 1


@dataclass(frozen=True)
class Cosignature:
    """A verified cosignature: who cosigned, with which key, and when (POSIX seconds)."""

    name: str
    key_id: int
    timestamp: int


def cosigner_verifier(key: str | Verifier) -> Verifier:
    """The type-0x04 verifier of a cosigner given by its 0x04 vkey, or by the 0x01 vkey of the same key."""
    verifier = parse_vkey(key) if isinstance(key, str) else key
    if verifier.sig_type == SIG_ED25519:
        return ed25519_verifier(verifier.name, verifier.public_key, SIG_COSIGNATURE_V1)
    if verifier.sig_type != SIG_COSIGNATURE_V1:
        raise InvalidKey(f"{verifier.name} is not an Ed25519 cosigner key")
    return verifier


def cosigner_vkey(skey: str) -> str:
    """The cosigner vkey (type 0x04) of a Go Ed25519 skey."""
    signer = parse_skey(skey)
    return ed25519_verifier(signer.name, signer.public_key, SIG_COSIGNATURE_V1).vkey


def cosign(checkpoint_text: str, skey: str, timestamp: int) -> Signature:
    """The cosignature line of ``skey`` over a checkpoint body at ``timestamp`` (deterministic)."""
    if not 0 <= timestamp <= _MAX_TIMESTAMP:
        raise InvalidSignature(f"cosignature timestamp {timestamp} is outside 0..2**63-1")
    parse_checkpoint(checkpoint_text)
    signer = parse_skey(skey)
    verifier = ed25519_verifier(signer.name, signer.public_key, SIG_COSIGNATURE_V1)
    signature = signer.sign(cosignature_message(timestamp, checkpoint_text.encode("utf-8")))
    return Signature(signer.name, verifier.key_id, timestamp.to_bytes(8, "big") + signature)


def add_cosignature(note: str, skey: str, timestamp: int) -> str:
    """Cosign a signed checkpoint note and append (or replace) the cosigner's line."""
    text = note[: note.rfind("\n\n") + 1]
    return append_signatures(note, [cosign(text, skey, timestamp)])


def verify_cosignatures(
    note: str | bytes, cosigners: Sequence[str | Verifier], *, not_after: int | None = None
) -> list[Cosignature]:
    """The valid cosignatures on a checkpoint note by the given cosigners (at most one per cosigner).

    Lines by other keys are ignored; a known cosigner's line that fails to verify raises ``InvalidSignature``
    (as the signed-note rules require). With ``not_after`` set, a timestamp later than it is rejected too.
    """
    verifiers = [cosigner_verifier(k) for k in cosigners]
    try:
        opened = open_note(note, verifiers)
    except UnverifiedNote:
        return []
    parse_checkpoint(opened.text)
    result = []
    for sig in opened.verified:
        timestamp = cosignature_timestamp(sig.signature)
        if timestamp is None:
            raise InvalidSignature(f"malformed cosignature by {sig.name}")
        if not_after is not None and timestamp > not_after:
            raise InvalidSignature(f"cosignature by {sig.name} is dated in the future ({timestamp})")
        result.append(Cosignature(sig.name, sig.key_id, timestamp))
    return result


def require_quorum(cosignatures: Sequence[Cosignature], quorum: int) -> None:
    """Raise ``InsufficientCosignatures`` unless at least ``quorum`` distinct cosigners signed."""
    count = len({(c.name, c.key_id) for c in cosignatures})
    if count < quorum:
        raise InsufficientCosignatures(f"{count} valid witness cosignatures, policy needs {quorum}")
