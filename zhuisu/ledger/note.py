"""C2SP signed notes (c2sp.org/signed-note@v1.0.0), byte-compatible with Go's golang.org/x/mod/sumdb/note.

A note is its text (valid UTF-8, no control characters but newline, ending in a newline), one empty line,
and one or more signature lines ``— <key name> <base64(4-byte key ID ‖ signature)>``. The text may itself
hold empty lines: the *last* empty line is the separator. Verification follows the spec and Go: signatures
whose (name, key ID) no given key has are ignored; a known key whose signature fails rejects the note; a
note with no verified signature is rejected; more than 100 signature lines are malformed.

>>> skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
>>> note = sign("If you think cryptography is the answer to your problem,\\n"
...             "then you don't know what your problem is.\\n", skey)
>>> print(note)
If you think cryptography is the answer to your problem,
then you don't know what your problem is.
<BLANKLINE>
— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=
<BLANKLINE>
>>> verify(note, [vkey_from_skey(skey)])[1]
['PeterNeumann']
"""

from collections.abc import Sequence
from dataclasses import dataclass

from zhuisu.ledger.errors import InvalidKey, InvalidSignature, MalformedNote, UnverifiedNote
from zhuisu.ledger.keys import (
    Verifier,
    decode_base64,
    encode_base64,
    generate_key,
    is_valid_name,
    parse_skey,
    parse_vkey,
    vkey_from_skey,
)

__all__ = [
    "MAX_SIGNATURES",
    "Note",
    "OpenedNote",
    "Signature",
    "append_signatures",
    "generate_key",
    "open_note",
    "parse",
    "sign",
    "verify",
    "vkey_from_skey",
]

SIGNATURE_PREFIX = "— "
#: Go rejects notes with more signature lines than this; the spec asks verifiers to accept at least 16.
MAX_SIGNATURES = 100


@dataclass(frozen=True)
class Signature:
    """One signature line: the key name, the 32-bit key ID and the signature bytes that follow the ID."""

    name: str
    key_id: int
    signature: bytes

    @property
    def line(self) -> str:
        """The signature line, newline included."""
        payload = encode_base64(self.key_id.to_bytes(4, "big") + self.signature)
        return f"{SIGNATURE_PREFIX}{self.name} {payload}\n"


@dataclass(frozen=True)
class Note:
    """A syntactically valid note whose signatures have not been checked."""

    text: str
    signatures: tuple[Signature, ...]


@dataclass(frozen=True)
class OpenedNote:
    """A note with its signatures sorted into those a known key verified and those by unknown keys."""

    text: str
    verified: tuple[Signature, ...]
    unverified: tuple[Signature, ...]


def _decode(note: str | bytes) -> str:
    if isinstance(note, bytes):
        try:
            return note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedNote("note is not valid UTF-8") from exc
    try:
        note.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedNote("note is not valid UTF-8") from exc
    return note


def _check_characters(text: str) -> None:
    for c in text:
        if c < " " and c != "\n":
            raise MalformedNote(f"note contains the control character {ord(c):#04x}")


def _parse_signature_line(line: str) -> Signature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedNote(f"not a signature line: {line[:40]!r}")
    name, _, payload = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not is_valid_name(name) or not payload:
        raise MalformedNote(f"malformed signature line: {line[:40]!r}")
    try:
        raw = decode_base64(payload)
    except ValueError as exc:
        raise MalformedNote(f"signature of {name} is not base64") from exc
    if len(raw) < 5:
        raise MalformedNote(f"signature of {name} is too short")
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def parse(note: str | bytes) -> Note:
    """Split a note into its text and signature lines, checking the syntax only."""
    message = _decode(note)
    _check_characters(message)
    split = message.rfind("\n\n")
    if split < 0:
        raise MalformedNote("note has no empty line before its signatures")
    text, block = message[: split + 1], message[split + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNote("note has no signature lines, or they do not end in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(f"note has {len(lines)} signatures, more than {MAX_SIGNATURES}")
    return Note(text, tuple(_parse_signature_line(line) for line in lines))


def _index_keys(keys: Sequence[str | Verifier]) -> dict[tuple[str, int], list[Verifier]]:
    index: dict[tuple[str, int], list[Verifier]] = {}
    for key in keys:
        verifier = parse_vkey(key) if isinstance(key, str) else key
        same = index.setdefault((verifier.name, verifier.key_id), [])
        if verifier not in same:
            same.append(verifier)
    return index


def open_note(note: str | bytes, keys: Sequence[str | Verifier]) -> OpenedNote:
    """Parse ``note`` and check every signature by a known key.

    ``keys`` are vkey strings or ``Verifier`` objects. Repeated signature lines are dropped. Raises
    ``MalformedNote``, ``InvalidKey`` (a bad vkey, or two different keys with one name and key ID that a
    signature line names), ``InvalidSignature`` (a known key's signature fails) or ``UnverifiedNote``.
    """
    parsed = parse(note)
    index = _index_keys(keys)
    message = parsed.text.encode("utf-8")
    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    for sig in parsed.signatures:
        ident = (sig.name, sig.key_id)
        candidates = index.get(ident)
        if not candidates:
            if sig not in unverified:
                unverified.append(sig)
            continue
        if len(candidates) > 1:
            raise InvalidKey(f"ambiguous key {sig.name}+{sig.key_id:08x}")
        if ident in seen:
            continue
        seen.add(ident)
        if not candidates[0].verify(message, sig.signature):
            raise InvalidSignature(f"invalid signature for key {sig.name}+{sig.key_id:08x}")
        verified.append(sig)
    if not verified:
        raise UnverifiedNote("note has no verifiable signatures")
    return OpenedNote(parsed.text, tuple(verified), tuple(unverified))


def verify(note: str | bytes, vkeys: Sequence[str | Verifier]) -> tuple[str, list[str]]:
    """Verify ``note``; return its text and the names of the keys whose signatures verified, in note order."""
    opened = open_note(note, vkeys)
    return opened.text, list(dict.fromkeys(sig.name for sig in opened.verified))


def _check_text(text: str) -> None:
    _decode(text)
    _check_characters(text)
    if not text.endswith("\n"):
        raise MalformedNote("note text must end with a newline")


def sign(text: str, skey: str | Sequence[str]) -> str:
    """Sign ``text`` with one or more Go skeys: byte for byte what Go's ``note.Sign`` writes."""
    skeys = [skey] if isinstance(skey, str) else list(skey)
    if not skeys:
        raise InvalidKey("signing needs at least one signer key")
    _check_text(text)
    message = text.encode("utf-8")
    signatures = []
    for k in skeys:
        signer = parse_skey(k)
        signatures.append(Signature(signer.name, signer.key_id, signer.sign(message)))
    return text + "\n" + "".join(sig.line for sig in signatures)


def append_signatures(note: str, signatures: Sequence[Signature]) -> str:
    """Add signature lines (e.g. cosignatures) to a note, replacing any with the same name and key ID."""
    parsed = parse(note)
    replaced = {(sig.name, sig.key_id) for sig in signatures}
    for sig in signatures:
        if not is_valid_name(sig.name) or not 0 <= sig.key_id < 1 << 32 or not sig.signature:
            raise MalformedNote(f"invalid signature for {sig.name!r}")
    kept = [sig for sig in parsed.signatures if (sig.name, sig.key_id) not in replaced]
    lines = [*kept, *signatures]
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(f"note would have {len(lines)} signatures, more than {MAX_SIGNATURES}")
    return parsed.text + "\n" + "".join(sig.line for sig in lines)
