"""Signer and verifier keys, against Go's golang.org/x/mod/sumdb/note tests and real published keys."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zhuisu.ledger.errors import InvalidKey
from zhuisu.ledger.keys import (
    SIG_COSIGNATURE_V1,
    SIG_ECDSA_P256,
    SIG_ED25519,
    ecdsa_verifier,
    ed25519_verifier,
    format_skey,
    generate_key,
    key_id,
    parse_skey,
    parse_vkey,
    vkey_from_skey,
)

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
REKOR_SPKI = base64.b64decode(
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw=="
)


def _manglings(key: str) -> list[str]:
    """Go's TestNewVerifier/TestNewSigner: every proper substring, and every single-byte increment."""
    b = key.encode()
    out = {b[i:j].decode("latin-1") for i in range(len(b) + 1) for j in range(i + 1, len(b) + 1)}
    out.discard(key)
    for i in range(len(b)):
        out.add((b[:i] + bytes([b[i] + 1]) + b[i + 1 :]).decode("latin-1"))
    return sorted(out)


class TestParseVkey:
    def test_go_vector(self) -> None:
        verifier = parse_vkey(PETER_VKEY)
        assert (verifier.name, verifier.key_id, verifier.sig_type) == (
            "PeterNeumann",
            0xC74F20A3,
            SIG_ED25519,
        )
        assert verifier.vkey == PETER_VKEY

    def test_every_mangling_is_rejected(self) -> None:
        manglings = _manglings(PETER_VKEY)
        assert len(manglings) == 2254
        for bad in manglings:
            with pytest.raises(InvalidKey):
                parse_vkey(bad)

    @pytest.mark.parametrize(
        "vkey",
        [
            # Go: wrong length key, with adjusted key hash; unknown algorithm, with adjusted key hash
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
            "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            # transparency-dev/formats: wrong number of parts, bad base64, bad or wrong key hash
            "bananas.sigstore.dev+12344556",
            "rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!",
            "rekor.sigstore.dev+NOT_A_NUMBER+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "rekor.sigstore.dev+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            # a key ID written with a sign or a prefix that int(…, 16) would accept
            "PeterNeumann+0xc74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        ],
    )
    def test_bad_vkeys(self, vkey: str) -> None:
        with pytest.raises(InvalidKey):
            parse_vkey(vkey)

    def test_base64_with_plus_signs(self) -> None:
        verifier = parse_vkey(SUMDB_VKEY)
        assert (verifier.name, f"{verifier.key_id:08x}") == ("sum.golang.org", "033de0ae")

    def test_c2sp_spec_example(self) -> None:
        verifier = parse_vkey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
        assert verifier.public_key.hex() == "e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4"

    def test_cosigner_vkey_of_real_witness(self) -> None:
        verifier = parse_vkey("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2")
        assert (verifier.sig_type, verifier.key_id) == (SIG_COSIGNATURE_V1, 0xDA77ADE7)


class TestParseSkey:
    def test_go_vector(self) -> None:
        signer = parse_skey(PETER_SKEY)
        assert (signer.name, signer.key_id) == ("PeterNeumann", 0xC74F20A3)
        assert vkey_from_skey(PETER_SKEY) == PETER_VKEY

    def test_every_mangling_is_rejected(self) -> None:
        for bad in _manglings(PETER_SKEY):
            with pytest.raises(InvalidKey):
                parse_skey(bad)

    def test_format_roundtrip(self) -> None:
        private_key = parse_skey(PETER_SKEY).private_key
        assert format_skey("PeterNeumann", private_key) == PETER_SKEY

    @pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\tname"])
    def test_invalid_names(self, name: str) -> None:
        with pytest.raises(InvalidKey):
            format_skey(name, Ed25519PrivateKey.generate())


class TestGenerateKey:
    def test_pair_is_consistent(self) -> None:
        skey, vkey = generate_key("EnochRoot")
        signer, verifier = parse_skey(skey), parse_vkey(vkey)
        assert (signer.name, signer.key_id) == (verifier.name, verifier.key_id)
        signature = signer.sign(b"hi")
        assert verifier.verify(b"hi", signature)
        assert not verifier.verify(b"hi", bytes([signature[0] ^ 1]) + signature[1:])
        assert not verifier.verify(b"ho", signature)

    def test_two_keys_differ(self) -> None:
        assert generate_key("a") != generate_key("a")


class TestKeyIds:
    def test_key_id_formula(self) -> None:
        assert key_id("EnochRoot", base64.b64decode(ENOCH_VKEY.split("+", 2)[2])) == 0xAF0CFE78

    def test_cosigner_id_differs_from_signer_id(self) -> None:
        public = parse_vkey(PETER_VKEY).public_key
        assert ed25519_verifier("PeterNeumann", public, SIG_COSIGNATURE_V1).key_id == 0x18B9780B
        with pytest.raises(InvalidKey):
            ed25519_verifier("PeterNeumann", public[:31])

    def test_ecdsa_key_id_is_hash_of_spki(self) -> None:
        verifier = ecdsa_verifier("rekor.sigstore.dev", REKOR_SPKI)
        assert (verifier.sig_type, verifier.key_id) == (SIG_ECDSA_P256, 0xC0D23D6A)
        with pytest.raises(InvalidKey, match="no vkey form"):
            _ = verifier.vkey

    def test_ecdsa_rejects_other_keys(self) -> None:
        ed25519_spki = base64.b64decode("MCowBQYDK2VwAyEAPn+AREHoBaZ7wgS1zBqpxmLSGnyhxXj4lFxSdWVB8o8=")
        with pytest.raises(InvalidKey, match="P-256"):
            ecdsa_verifier("log", ed25519_spki)
        with pytest.raises(InvalidKey, match="DER"):
            ecdsa_verifier("log", b"not der")
