"""Signer and verifier keys of C2SP signed-note v1 (c2sp.org/signed-note), compatible with Go's sumdb/note.

* Signer keys (skeys) are Go's ``PRIVATE+KEY+<name>+<key ID hex>+<base64(0x01 ‖ Ed25519 seed)>``.
* Verifier keys (vkeys) are ``<name>+<key ID hex>+<base64(type ‖ public key)>``; base64 may contain ``+``, so
  a vkey is split on its first two ``+`` only.
* The key ID is ``SHA-256(name ‖ "\\n" ‖ type ‖ public key)[:4]``, read big-endian.

Signature types verified here: ``0x01`` Ed25519 over the note text; ``0x04`` Ed25519 cosignature/v1
(c2sp.org/tlog-cosignature: ``u64 timestamp ‖ signature`` over ``"cosignature/v1\\ntime <t>\\n" ‖ text``);
``0x02`` ECDSA P-256 with SHA-256, key ID ``SHA-256(DER SPKI)[:4]``, as Sigstore Rekor v1 signs checkpoints
(no vkey form: build it with ``ecdsa_verifier``).

>>> skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
>>> vkey_from_skey(skey)
'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'
>>> v = parse_vkey(vkey_from_skey(skey))
>>> v.verify(b"hi\\n", parse_skey(skey).sign(b"hi\\n")), v.verify(b"ho\\n", parse_skey(skey).sign(b"hi\\n"))
(True, False)
"""

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from zhuisu.ledger.errors import InvalidKey

SIG_ED25519 = 0x01
SIG_ECDSA_P256 = 0x02
SIG_COSIGNATURE_V1 = 0x04

_ED25519_SIZE = 32
_KEY_ID_RE = re.compile(r"[0-9A-Fa-f]{8}")
_MAX_TIMESTAMP = (1 << 63) - 1


def is_valid_name(name: str) -> bool:
    """A key name is non-empty and has no whitespace and no ``+``."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, key: bytes) -> int:
    """``SHA-256(name ‖ "\\n" ‖ key)[:4]`` as an integer; ``key`` starts with the signature type byte."""
    return int.from_bytes(hashlib.sha256(name.encode() + b"\n" + key).digest()[:4], "big")


def decode_base64(text: str) -> bytes:
    """Strict standard base64 (RFC 4648 §4, padded); raises ``ValueError``."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(f"not standard base64: {text!r}") from exc


def encode_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def cosignature_message(timestamp: int, body: bytes) -> bytes:
    """The message an Ed25519 cosignature/v1 signs over a checkpoint body (c2sp.org/tlog-cosignature)."""
    return b"cosignature/v1\ntime %d\n" % timestamp + body


@dataclass(frozen=True)
class Signer:
    """An Ed25519 note signer parsed from an skey."""

    name: str
    key_id: int
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes_raw()

    def sign(self, message: bytes) -> bytes:
        """Ed25519 is deterministic, so equal messages give byte-for-byte equal signatures."""
        return self.private_key.sign(message)


@dataclass(frozen=True)
class Verifier:
    """A public key that checks note signatures of one (name, key ID)."""

    name: str
    key_id: int
    sig_type: int
    public_key: bytes

    @property
    def vkey(self) -> str:
        """The vkey string (types 0x01 and 0x04 only)."""
        if self.sig_type not in (SIG_ED25519, SIG_COSIGNATURE_V1):
            raise InvalidKey(f"signature type {self.sig_type:#04x} has no vkey form")
        key = encode_base64(bytes([self.sig_type]) + self.public_key)
        return f"{self.name}+{self.key_id:08x}+{key}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (the note signature without its key ID) is valid for ``message``."""
        try:
            if self.sig_type == SIG_ED25519:
                if len(signature) != 64:
                    return False
                Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
            elif self.sig_type == SIG_COSIGNATURE_V1:
                timestamp = cosignature_timestamp(signature)
                if timestamp is None:
                    return False
                pub = Ed25519PublicKey.from_public_bytes(self.public_key)
                pub.verify(signature[8:], cosignature_message(timestamp, message))
            elif self.sig_type == SIG_ECDSA_P256:
                pub_ec = serialization.load_der_public_key(self.public_key)
                if not isinstance(pub_ec, ec.EllipticCurvePublicKey):
                    return False
                pub_ec.verify(signature, message, ec.ECDSA(hashes.SHA256()))
            else:
                return False
        except (CryptoInvalidSignature, ValueError):
            return False
        return True


def cosignature_timestamp(signature: bytes) -> int | None:
    """The timestamp of a cosignature/v1 payload (``u64 ‖ 64-byte signature``); None if malformed."""
    if len(signature) != 8 + 64:
        return None
    timestamp = int.from_bytes(signature[:8], "big")
    return timestamp if timestamp <= _MAX_TIMESTAMP else None


def _split_key(text: str, parts: int, what: str) -> list[str]:
    fields = text.split("+", parts - 1)
    if len(fields) != parts:
        raise InvalidKey(f"malformed {what}")
    return fields


def _parse_key_id(text: str, what: str) -> int:
    if not _KEY_ID_RE.fullmatch(text):
        raise InvalidKey(f"malformed key ID in {what}")
    return int(text, 16)


def parse_vkey(vkey: str) -> Verifier:
    """Parse a vkey of type 0x01 (Ed25519) or 0x04 (Ed25519 cosignature/v1); check its key ID."""
    name, id_hex, key64 = _split_key(vkey, 3, "verifier key")
    kid = _parse_key_id(id_hex, "verifier key")
    try:
        key = decode_base64(key64)
    except ValueError as exc:
        raise InvalidKey("malformed verifier key") from exc
    if not is_valid_name(name) or not key:
        raise InvalidKey("malformed verifier key")
    if kid != key_id(name, key):
        raise InvalidKey(f"key ID {id_hex} does not match the key of {name}")
    if key[0] not in (SIG_ED25519, SIG_COSIGNATURE_V1):
        raise InvalidKey(f"unknown signature type {key[0]:#04x} in verifier key")
    if len(key) != 1 + _ED25519_SIZE:
        raise InvalidKey("an Ed25519 verifier key must be 32 bytes")
    return Verifier(name, kid, key[0], key[1:])


def parse_skey(skey: str) -> Signer:
    """Parse a Go ``PRIVATE+KEY+…`` Ed25519 signer key; check its key ID."""
    private, key_word, name, id_hex, key64 = _split_key(skey, 5, "signer key")
    kid = _parse_key_id(id_hex, "signer key")
    try:
        key = decode_base64(key64)
    except ValueError as exc:
        raise InvalidKey("malformed signer key") from exc
    if private != "PRIVATE" or key_word != "KEY" or not is_valid_name(name) or not key:
        raise InvalidKey("malformed signer key")
    if key[0] != SIG_ED25519:
        raise InvalidKey(f"unknown signature type {key[0]:#04x} in signer key")
    if len(key) != 1 + _ED25519_SIZE:
        raise InvalidKey("an Ed25519 signer key must hold a 32-byte seed")
    private_key = Ed25519PrivateKey.from_private_bytes(key[1:])
    if kid != key_id(name, bytes([SIG_ED25519]) + private_key.public_key().public_bytes_raw()):
        raise InvalidKey(f"key ID {id_hex} does not match the key of {name}")
    return Signer(name, kid, private_key)


def format_skey(name: str, private_key: Ed25519PrivateKey) -> str:
    """The Go skey of an Ed25519 private key."""
    if not is_valid_name(name):
        raise InvalidKey(f"invalid key name {name!r}")
    public = bytes([SIG_ED25519]) + private_key.public_key().public_bytes_raw()
    seed = encode_base64(bytes([SIG_ED25519]) + private_key.private_bytes_raw())
    return f"PRIVATE+KEY+{name}+{key_id(name, public):08x}+{seed}"


def generate_key(name: str) -> tuple[str, str]:
    """A fresh Ed25519 key pair as ``(skey, vkey)``."""
    skey = format_skey(name, Ed25519PrivateKey.generate())
    return skey, vkey_from_skey(skey)


def ed25519_verifier(name: str, public_key: bytes, sig_type: int = SIG_ED25519) -> Verifier:
    """The verifier of a raw 32-byte Ed25519 key, as a note key (0x01) or a cosigner key (0x04)."""
    if not is_valid_name(name):
        raise InvalidKey(f"invalid key name {name!r}")
    if len(public_key) != _ED25519_SIZE or sig_type not in (SIG_ED25519, SIG_COSIGNATURE_V1):
        raise InvalidKey("an Ed25519 verifier needs a 32-byte key and type 0x01 or 0x04")
    return Verifier(name, key_id(name, bytes([sig_type]) + public_key), sig_type, public_key)


def vkey_from_skey(skey: str) -> str:
    """The Ed25519 (type 0x01) vkey of an skey."""
    signer = parse_skey(skey)
    return ed25519_verifier(signer.name, signer.public_key).vkey


def ecdsa_verifier(name: str, spki_der: bytes) -> Verifier:
    """An ECDSA P-256 note verifier (type 0x02, key ID ``SHA-256(SPKI)[:4]``), as for Rekor v1 checkpoints."""
    if not is_valid_name(name):
        raise InvalidKey(f"invalid key name {name!r}")
    try:
        key = serialization.load_der_public_key(spki_der)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InvalidKey("not a DER SubjectPublicKeyInfo") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise InvalidKey("not an ECDSA P-256 public key")
    kid = int.from_bytes(hashlib.sha256(spki_der).digest()[:4], "big")
    return Verifier(name, kid, SIG_ECDSA_P256, spki_der)
