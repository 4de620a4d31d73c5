"""Signed notes against Go's sumdb/note tests, the C2SP spec examples and real sum.golang.org tree heads."""

import json
from pathlib import Path

import pytest

from zhuisu.ledger.errors import InvalidKey, InvalidSignature, MalformedNote, UnverifiedNote
from zhuisu.ledger.keys import decode_base64, parse_vkey
from zhuisu.ledger.note import (
    MAX_SIGNATURES,
    Signature,
    append_signatures,
    generate_key,
    open_note,
    parse,
    sign,
    verify,
    vkey_from_skey,
)

DATA = Path(__file__).parent.parent / "data" / "tlog"
C2SP = json.loads((DATA / "c2sp-spec-examples.json").read_text())
SUMDB = json.loads((DATA / "real-world" / "go-sumdb-tree-heads.json").read_text())

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_B64 = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
PETER_SIG = f"— PeterNeumann {PETER_B64}\n"
ENOCH_B64 = "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ="
ENOCH_SIG = f"— EnochRoot {ENOCH_B64}\n"


def _sig(line: str) -> Signature:
    name, payload = line[2:-1].split(" ")
    raw = decode_base64(payload)
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


class TestSign:
    def test_go_vector_byte_for_byte(self) -> None:
        assert sign(TEXT, PETER_SKEY) == TEXT + "\n" + PETER_SIG

    def test_several_signers(self) -> None:
        other, other_vkey = generate_key("EnochRoot")
        note = sign(TEXT, [PETER_SKEY, other])
        assert note.startswith(TEXT + "\n" + PETER_SIG + "— EnochRoot ")
        assert verify(note, [PETER_VKEY, other_vkey]) == (TEXT, ["PeterNeumann", "EnochRoot"])

    @pytest.mark.parametrize("text", ["abc", "", "a\x01b\n", "a\rb\n", "bad \udc80 surrogate\n"])
    def test_malformed_text(self, text: str) -> None:
        with pytest.raises(MalformedNote):
            sign(text, PETER_SKEY)

    def test_needs_a_key(self) -> None:
        with pytest.raises(InvalidKey):
            sign(TEXT, [])

    def test_text_with_empty_lines(self) -> None:
        text = "Note\n\n"
        assert verify(sign(text, PETER_SKEY), [PETER_VKEY])[0] == text

    def test_generated_key_roundtrip(self) -> None:
        skey, vkey = generate_key("example.com/log")
        assert vkey_from_skey(skey) == vkey
        assert verify(sign("hello\n", skey), [vkey]) == ("hello\n", ["example.com/log"])


class TestOpen:
    """Go's TestOpen, case by case."""

    def test_one_verified_one_not(self) -> None:
        opened = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [PETER_VKEY])
        assert opened.text == TEXT
        assert opened.verified == (_sig(PETER_SIG),)
        assert opened.unverified == (_sig(ENOCH_SIG),)

    def test_both_verified(self) -> None:
        opened = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [PETER_VKEY, ENOCH_VKEY])
        assert opened.verified == (_sig(PETER_SIG), _sig(ENOCH_SIG))
        assert opened.unverified == ()

    def test_no_known_key(self) -> None:
        with pytest.raises(UnverifiedNote, match="note has no verifiable signatures"):
            open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])

    def test_duplicated_verifier_is_one_key(self) -> None:
        # Go reports "ambiguous key" even for the same key listed twice; identical keys are merged here.
        assert verify(TEXT + "\n" + ENOCH_SIG, [ENOCH_VKEY, PETER_VKEY, ENOCH_VKEY])[1] == ["EnochRoot"]

    def test_different_keys_with_one_name_and_id_are_ambiguous(self) -> None:
        real = parse_vkey(ENOCH_VKEY)
        impostor = type(real)(real.name, real.key_id, real.sig_type, bytes(32))
        with pytest.raises(InvalidKey, match="ambiguous key EnochRoot\\+af0cfe78"):
            open_note(TEXT + "\n" + ENOCH_SIG, [real, impostor])
        # unused ambiguity is harmless
        assert verify(TEXT + "\n" + PETER_SIG, [real, impostor, PETER_VKEY])[1] == ["PeterNeumann"]

    def test_too_many_signatures(self) -> None:
        for keys in ([PETER_VKEY], []):
            with pytest.raises(MalformedNote):
                open_note(TEXT + "\n" + PETER_SIG * 101, keys)
        assert verify(TEXT + "\n" + PETER_SIG * MAX_SIGNATURES, [PETER_VKEY])[1] == ["PeterNeumann"]

    def test_invalid_signature_of_known_key(self) -> None:
        with pytest.raises(InvalidSignature, match="invalid signature for key PeterNeumann\\+c74f20a3"):
            open_note(TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:], [PETER_VKEY])

    def test_duplicated_verified_and_unverified(self) -> None:
        enoch_abcd = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
        note = TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enoch_abcd
        opened = open_note(note, [PETER_VKEY])
        assert opened.verified == (_sig(PETER_SIG),)
        assert opened.unverified == (_sig(ENOCH_SIG), _sig(enoch_abcd))

    @pytest.mark.parametrize(
        "message",
        [
            TEXT,
            TEXT + "\n",
            TEXT + "\n" + PETER_SIG[:-1],
            "\x01" + TEXT + "\n" + PETER_SIG,
            "\xff" + TEXT + "\n" + PETER_SIG,
            TEXT + "\n— Bad Name " + PETER_B64,
            TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        ],
        ids=["text", "no-sigs", "no-final-newline", "control", "invalid-utf8", "bad-name", "unexpected-line"],
    )
    def test_malformed_messages(self, message: str) -> None:
        raw = b"\xff" + message[1:].encode() if message.startswith("\xff") else message.encode()
        with pytest.raises(MalformedNote):
            open_note(raw, [PETER_VKEY])

    @pytest.mark.parametrize(
        "line",
        [
            "— PeterNeumann\n",
            "— PeterNeumann AAAA\n",
            "—PeterNeumann AAAAAAAA\n",
            "- PeterNeumann AAAAAAAA\n",
        ],
    )
    def test_malformed_signature_lines(self, line: str) -> None:
        with pytest.raises(MalformedNote):
            parse(TEXT + "\n" + line)

    def test_wrong_key_id_is_unknown(self) -> None:
        # Go's "wrongHash" case: the line names PeterNeumann with another key ID, so no key matches it.
        with pytest.raises(UnverifiedNote):
            open_note(TEXT + "\n" + PETER_SIG.replace("x08g", "xxxx"), [PETER_VKEY])


class TestC2SPExamples:
    def test_verifiable_example(self) -> None:
        case = C2SP["signedNoteVerifiable"]
        assert verify(case["note"], [case["vkey"]]) == (case["wantText"], ["example.com/foo"])
        assert f"{parse_vkey(case['vkey']).key_id:08x}" == case["wantKeyIdHex"]

    def test_last_empty_line_separates(self) -> None:
        case = C2SP["signedNoteParseOnly"]
        note = parse(case["note"])
        assert note.text == case["wantText"]
        assert [(s.name, f"{s.key_id:08x}", len(s.signature)) for s in note.signatures] == [
            (w["name"], w["keyIdHex"], w["sigLen"]) for w in case["wantSignatures"]
        ]

    def test_tampered_example_fails(self) -> None:
        case = C2SP["signedNoteVerifiable"]
        with pytest.raises(InvalidSignature):
            verify(case["note"].replace("example message", "example massage"), [case["vkey"]])


class TestAppendSignatures:
    def test_replaces_same_key_and_keeps_others(self) -> None:
        note = TEXT + "\n" + ENOCH_SIG + "— PeterNeumann x08go2p1bms=\n"
        new = append_signatures(note, [_sig(PETER_SIG)])
        assert new == TEXT + "\n" + ENOCH_SIG + PETER_SIG

    def test_rejects_bad_signature_objects(self) -> None:
        with pytest.raises(MalformedNote):
            append_signatures(TEXT + "\n" + PETER_SIG, [Signature("a b", 1, b"x")])


class TestGoChecksumDatabase:
    """Real signed tree heads of sum.golang.org, verified with Go's published key."""

    @pytest.mark.parametrize("head", SUMDB["treeHeads"], ids=lambda h: str(h["size"]))
    def test_tree_head_verifies(self, head: dict[str, str]) -> None:
        text = f"go.sum database tree\n{head['size']}\n{head['root']}\n"
        note = text + "\n— sum.golang.org " + head["signature"] + "\n"
        assert verify(note, [SUMDB["vkey"]]) == (text, ["sum.golang.org"])

    def test_tampered_tree_head_fails(self) -> None:
        with pytest.raises(InvalidSignature):
            verify(SUMDB["tampered"], [SUMDB["vkey"]])

    def test_unknown_cosigner_is_ignored(self) -> None:
        opened = open_note(SUMDB["cosignedByUnknownKey"], [SUMDB["vkey"]])
        assert [s.name for s in opened.verified] == ["sum.golang.org"]
        assert [s.name for s in opened.unverified] == ["test.example.com"]
