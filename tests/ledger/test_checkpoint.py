"""Checkpoints: the C2SP example, Go's sumdb tree format, real sum.golang.org and Sigstore Rekor heads."""

import base64
import json
from pathlib import Path
from typing import ClassVar

import pytest

from zhuisu.ledger.checkpoint import (
    Checkpoint,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
    verify_checkpoint_consistency,
)
from zhuisu.ledger.errors import InconsistentTree, InvalidSignature, MalformedCheckpoint, UnverifiedNote
from zhuisu.ledger.keys import ecdsa_verifier, ed25519_verifier
from zhuisu.ledger.merkle import EMPTY_ROOT, consistency_proof, leaf_hash, root, verify_inclusion
from zhuisu.ledger.note import generate_key, parse, sign

DATA = Path(__file__).parent.parent / "data" / "tlog"
C2SP = json.loads((DATA / "c2sp-spec-examples.json").read_text())
SUMDB = json.loads((DATA / "real-world" / "go-sumdb-tree-heads.json").read_text())
REKOR = json.loads((DATA / "real-world" / "sigstore-rekor.json").read_text())
ROOT_B64 = "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0="

# golang.org/x/mod sumdb/client_test.go: its test log key and the records of its fork test.
GO_TEST_SKEY = "PRIVATE+KEY+localhost.localdev/sumdb+00000c67+AXu6+oaVaOYuQOFrf1V59JK1owcFlJcHwwXHDfDGxSPk"
GO_TEST_VKEY = "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6"
GO_RECORDS = [
    b"rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\n"
    b"rsc.io/quote v1.5.2/go.mod h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=\n"
    b"rsc.io/quote v1.5.2 h2:xyzzy\n",
    b"golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c h1:qgOY6WgZOaTkIIMiVjBQcw93ERBE4m30iBm00nkL0i8=\n"
    b"golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c/go.mod "
    b"h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ=\n",
    b"rsc.io/sampler v1.3.0 h1:7uVkIFmeBqHfdjD+gZwtXXI+RODJ2Wc4O7MPEh/QiW4=\n"
    b"rsc.io/sampler v1.3.0/go.mod h1:T1hPZKmBbMNahiBKFy5HrXp6adAjACjK9JXDnKaTXpA=\n",
    b"rsc.io/Quote v1.5.2 h1:uppercase!=\n",
]


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


def _sumdb_note(head: dict[str, str | int]) -> str:
    text = f"go.sum database tree\n{head['size']}\n{head['root']}\n"
    return f"{text}\n— sum.golang.org {head['signature']}\n"


class TestParse:
    def test_c2sp_example(self) -> None:
        case = C2SP["checkpointParseOnly"]
        cp = parse_checkpoint(parse(case["note"]).text)
        assert (cp.origin, cp.size, cp.root_hash.hex(), list(cp.extensions)) == (
            case["wantOrigin"],
            case["wantSize"],
            case["wantRootHex"],
            case["wantExtensionLines"],
        )

    def test_go_format_tree_golden(self) -> None:
        cp = Checkpoint("go.sum database tree", 123456789012, leaf_hash(b"hello world"))
        assert cp.text() == f"go.sum database tree\n123456789012\n{ROOT_B64}\n"
        assert parse_checkpoint(cp.text()) == cp

    def test_extension_lines_roundtrip(self) -> None:
        text = f"rekor.sigstore.dev - 1193050959916656506\n0\n{ROOT_B64}\nTimestamp: 1689177396617352539\n"
        cp = parse_checkpoint(text)
        assert (cp.size, cp.extensions) == (0, ("Timestamp: 1689177396617352539",))
        assert cp.text() == text

    @pytest.mark.parametrize(
        "text",
        [
            f"not-go.sum database tree\n0xabcdef\n{ROOT_B64}\n",
            "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n",
            f"log\n012\n{ROOT_B64}\n",
            f"log\n-1\n{ROOT_B64}\n",
            f"log\n+1\n{ROOT_B64}\n",
            f"log\n１２\n{ROOT_B64}\n",
            f"log\n{2**64}\n{ROOT_B64}\n",
            "log\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb1=\n",
            "log\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBQ==\n",
            f"log\n1\n{ROOT_B64}\n\nextension after empty line\n",
            f"log\n1\n{ROOT_B64}",
            f"log\n1\n{ROOT_B64}\nJOE",
            "log\n1\n",
            f"\n1\n{ROOT_B64}\n",
            f"log\n1\n{ROOT_B64}\nbad\x07bell\n",
        ],
    )
    def test_strict_rules(self, text: str) -> None:
        with pytest.raises(MalformedCheckpoint):
            parse_checkpoint(text)

    def test_largest_size(self) -> None:
        assert parse_checkpoint(f"log\n{2**64 - 1}\n{ROOT_B64}\n").size == 2**64 - 1

    def test_text_checks_fields(self) -> None:
        with pytest.raises(MalformedCheckpoint):
            Checkpoint("log", 1, bytes(31)).text()
        with pytest.raises(MalformedCheckpoint):
            Checkpoint("log", 1, bytes(32), ("",)).text()


class TestSignAndOpen:
    def test_roundtrip(self) -> None:
        skey, vkey = generate_key("example.com/log")
        cp = Checkpoint("example.com/log", 5, root([leaf_hash(bytes([i])) for i in range(5)]))
        opened_cp, opened = open_checkpoint(sign_checkpoint(cp, skey), [vkey], origin="example.com/log")
        assert opened_cp == cp
        assert [s.name for s in opened.verified] == ["example.com/log"]

    def test_origin_must_match_when_asked(self) -> None:
        skey, vkey = generate_key("example.com/log")
        note = sign_checkpoint(Checkpoint("example.com/other", 0, EMPTY_ROOT), skey)
        with pytest.raises(UnverifiedNote, match=r"example\.com/other"):
            open_checkpoint(note, [vkey], origin="example.com/log")

    def test_signed_text_that_is_not_a_checkpoint(self) -> None:
        skey, vkey = generate_key("example.com/log")
        with pytest.raises(MalformedCheckpoint):
            open_checkpoint(sign("hello\n", skey), [vkey])

    def test_go_client_fork_transcript(self) -> None:
        """Go's sumdb client_test.go prints these two signed heads when it detects a fork."""
        fork_a = [*GO_RECORDS, b"rsc.io/pkg1 v1.5.2 h1:hash!=\n"]
        fork_b = [*GO_RECORDS, b"rsc.io/pkg1 v1.5.3 h1:hash!=\n", b"rsc.io/pkg1 v1.5.4 h1:hash!=\n"]
        old = Checkpoint("go.sum database tree", 5, root([leaf_hash(r) for r in fork_a]))
        new = Checkpoint("go.sum database tree", 6, root([leaf_hash(r) for r in fork_b]))
        old_note, new_note = sign_checkpoint(old, GO_TEST_SKEY), sign_checkpoint(new, GO_TEST_SKEY)
        assert base64.b64encode(old.root_hash).decode() == "nWzN20+pwMt62p7jbv1/NlN95ePTlHijabv5zO/s36w="
        assert base64.b64encode(new.root_hash).decode() == "wc4SkQt52o5W2nQ8To2ARs+mWuUJjss+sdleoiqxMmM="
        assert old_note.endswith(
            "— localhost.localdev/sumdb AAAMZ5/2FVAdMH58kmnz/0h299pwyskEbzDzoa2/YaPdhvLya4YWDFQQxu2TQb5Gpw"
            "AH4NdWnTwuhILafisyf3CNbgg=\n"
        )
        assert new_note.endswith(
            "— localhost.localdev/sumdb AAAMZ6oRNswlEZ6ZZhxrCvgl1MBy+nusq4JU+TG6Fe2NihWLqOzb+y2c2kzRLoCr4t"
            "vw9o36ucQEnhc20e4nA4Qc/wc=\n"
        )
        # The transcript's "proof of misbehavior": fork B's own size-5 root, then its proof from 5 to 6.
        fork_b_root_5 = _b64("T7i+H/8ER4nXOiw4Bj0koZOkGjkxoNvlI34GpvhHhQg=")
        proof = [
            _b64("Nsuejv72de9hYNM5bqFv8rv3gm3zJQwv/DT/WNbLDLA="),
            _b64("mOmqqZ1aI/lzS94oq/JSbj7pD8Rv9S+xDyi12BtVSHo="),
            _b64("/7Aw5jVSMM9sFjQhaMg+iiDYPMk6decH7QLOGrL9Lx0="),
        ]
        assert proof == consistency_proof(5, [leaf_hash(r) for r in fork_b])
        assert root([leaf_hash(r) for r in fork_b[:5]]) == fork_b_root_5
        # given both heads verify under the log key
        assert open_checkpoint(old_note, [GO_TEST_VKEY])[0] == old
        assert open_checkpoint(new_note, [GO_TEST_VKEY])[0] == new
        # then they are evidence of a fork
        verify_checkpoint_consistency(Checkpoint("go.sum database tree", 5, fork_b_root_5), new, proof)
        with pytest.raises(InconsistentTree, match="6 does not extend 5"):
            verify_checkpoint_consistency(old, new, proof)


class TestConsistency:
    LEAVES: ClassVar[list[bytes]] = [leaf_hash(bytes([i])) for i in range(9)]

    def _cp(self, size: int, origin: str = "log") -> Checkpoint:
        return Checkpoint(origin, size, root(self.LEAVES[:size]))

    def test_growth(self) -> None:
        verify_checkpoint_consistency(self._cp(3), self._cp(9), consistency_proof(3, self.LEAVES))
        verify_checkpoint_consistency(self._cp(9), self._cp(9), [])

    def test_from_empty_tree(self) -> None:
        verify_checkpoint_consistency(self._cp(0), self._cp(9), [])
        with pytest.raises(InconsistentTree, match="must be empty"):
            verify_checkpoint_consistency(self._cp(0), self._cp(9), [EMPTY_ROOT])
        with pytest.raises(InconsistentTree, match="empty-tree root"):
            verify_checkpoint_consistency(Checkpoint("log", 0, bytes(32)), self._cp(9), [])

    @pytest.mark.parametrize(
        ("old", "new", "message"),
        [(5, 3, "shrank"), (3, 3, "roots of equal sizes differ")],
    )
    def test_forks(self, old: int, new: int, message: str) -> None:
        new_cp = self._cp(new) if old != new else Checkpoint("log", 3, bytes(32))
        with pytest.raises(InconsistentTree, match=message):
            verify_checkpoint_consistency(self._cp(old), new_cp, [])

    def test_different_logs(self) -> None:
        with pytest.raises(InconsistentTree, match="different logs"):
            verify_checkpoint_consistency(self._cp(3), self._cp(9, "other"), consistency_proof(3, self.LEAVES))


class TestRealCheckpoints:
    @pytest.mark.parametrize("head", SUMDB["treeHeads"], ids=lambda h: str(h["size"]))
    def test_go_checksum_database(self, head: dict[str, str | int]) -> None:
        note = _sumdb_note(head)
        cp, _ = open_checkpoint(note, [SUMDB["vkey"]], origin=SUMDB["origin"])
        assert (cp.size, base64.b64encode(cp.root_hash).decode()) == (head["size"], head["root"])

    def test_go_checksum_database_other_key_fails(self) -> None:
        _, vkey = generate_key("sum.golang.org")
        head = SUMDB["treeHeads"][0]
        note = _sumdb_note(head)
        with pytest.raises(UnverifiedNote):
            open_checkpoint(note, [vkey])

    def test_rekor_v1_ecdsa_checkpoint_and_inclusion(self) -> None:
        entry = REKOR["rekorV1"]
        log_key = ecdsa_verifier(entry["keyName"], _b64(entry["publicKeySpki"]))
        assert log_key.key_id.to_bytes(4, "big") == _b64(entry["logIdKeyId"])[:4]
        cp, _ = open_checkpoint(entry["checkpoint"], [log_key])
        assert (cp.origin, cp.size) == ("rekor.sigstore.dev - 2605736670972794746", entry["treeSize"])
        leaf = leaf_hash(_b64(entry["canonicalizedBody"]))
        verify_inclusion(entry["logIndex"], cp.size, leaf, [_b64(h) for h in entry["hashes"]], cp.root_hash)
        with pytest.raises(InvalidSignature):
            open_checkpoint(entry["checkpoint"].replace("75441653", "75441654"), [log_key])

    def test_rekor_v2_ed25519_checkpoint_and_inclusion(self) -> None:
        entry = REKOR["rekorV2"]
        log_key = ed25519_verifier(entry["keyName"], _b64(entry["publicKeySpki"])[-32:])
        # Rekor v2's log ID is the full SHA-256 of which the note key ID is the first 4 bytes.
        assert log_key.key_id.to_bytes(4, "big") == _b64(entry["logIdKeyId"])[:4]
        assert log_key.vkey == (
            "log2025-alpha1.rekor.sigstage.dev+f30d5a99+AT5/gERB6AWme8IEtcwaqcZi0hp8ocV4+JRcUnVlQfKP"
        )
        cp, _ = open_checkpoint(entry["checkpoint"], [log_key.vkey], origin=entry["keyName"])
        leaf = leaf_hash(_b64(entry["canonicalizedBody"]))
        verify_inclusion(entry["logIndex"], cp.size, leaf, [_b64(h) for h in entry["hashes"]], cp.root_hash)
