"""RFC 9162 hashing and proofs against the transparency-dev/merkle vectors and real CT log data."""

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from zhuisu.ledger import LedgerError
from zhuisu.ledger.errors import InvalidProof, OutOfRange
from zhuisu.ledger.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    root_from_inclusion,
    split_point,
    verify_consistency,
    verify_inclusion,
)

DATA = Path(__file__).parent.parent / "data" / "tlog"
VECTORS = DATA / "transparency-dev-merkle"
GO = json.loads((VECTORS / "transcribed-go-vectors.json").read_text())
LEAVES = [leaf_hash(bytes.fromhex(x)) for x in GO["leafInputs"]]


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _vector_files(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).glob("*/*.json"))


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


class TestHasher:
    @pytest.mark.parametrize("case", GO["hasher"], ids=lambda c: c["op"])
    def test_go_constants(self, case: dict[str, str]) -> None:
        if case["op"] == "emptyRoot":
            got = root([])
        elif case["op"] == "hashLeaf":
            got = leaf_hash(bytes.fromhex(case["inputHex"]))
        else:
            got = node_hash(bytes.fromhex(case["leftHex"]), bytes.fromhex(case["rightHex"]))
        assert got.hex() == case["want"]

    def test_empty_root_is_sha256_of_nothing(self) -> None:
        assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @pytest.mark.parametrize(("n", "want"), [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (2**40 + 1, 2**40)])
    def test_split_point(self, n: int, want: int) -> None:
        assert split_point(n) == want


class TestRoot:
    @pytest.mark.parametrize("size", range(9))
    def test_go_roots_by_size(self, size: int) -> None:
        assert root(LEAVES[:size]).hex() == GO["rootHashesBySize"]["roots"][size]

    @pytest.mark.parametrize("level", range(4))
    def test_go_node_hashes_by_level(self, level: int) -> None:
        width = 1 << level
        got = [root(LEAVES[i : i + width]).hex() for i in range(0, 8, width)]
        assert got == GO["nodeHashesByLevel"]["levels"][level]

    def test_rejects_leaf_hash_of_wrong_size(self) -> None:
        with pytest.raises(OutOfRange, match="31 bytes"):
            root([bytes(31)])


class TestInclusionProof:
    @pytest.mark.parametrize("case", GO["inclusionProofs"], ids=lambda c: f"{c['leafIndex']}-of-{c['treeSize']}")
    def test_go_paths(self, case: dict[str, Any]) -> None:
        proof = inclusion_proof(case["leafIndex"], LEAVES[: case["treeSize"]])
        assert [p.hex() for p in proof] == case["proof"]
        assert leaf_hash(bytes.fromhex(case["leafInput"])).hex() == case["leafHash"]
        assert root(LEAVES[: case["treeSize"]]).hex() == case["root"]

    @pytest.mark.parametrize(("index", "size"), [(0, 0), (-1, 3), (3, 3)])
    def test_index_outside_tree(self, index: int, size: int) -> None:
        with pytest.raises(OutOfRange):
            inclusion_proof(index, LEAVES[:size])


class TestConsistencyProof:
    @pytest.mark.parametrize("case", GO["consistencyProofs"], ids=lambda c: f"{c['size1']}-to-{c['size2']}")
    def test_go_proofs(self, case: dict[str, Any]) -> None:
        proof = consistency_proof(case["size1"], LEAVES[: case["size2"]])
        assert [p.hex() for p in proof] == case["proof"]
        verify_consistency(
            case["size1"], case["size2"], bytes.fromhex(case["root1"]), bytes.fromhex(case["root2"]), proof
        )

    @pytest.mark.parametrize("old_size", [0, 9])
    def test_sizes_outside_tree(self, old_size: int) -> None:
        with pytest.raises(OutOfRange):
            consistency_proof(old_size, LEAVES)

    def test_every_pair_of_sizes_verifies(self) -> None:
        leaves = [leaf_hash(i.to_bytes(2, "big")) for i in range(40)]
        for new in range(1, 41):
            for old in range(1, new + 1):
                proof = consistency_proof(old, leaves[:new])
                verify_consistency(old, new, root(leaves[:old]), root(leaves[:new]), proof)


class TestTransparencyDevVectors:
    @pytest.mark.parametrize("path", _vector_files("inclusion"), ids=_id)
    def test_inclusion(self, path: Path) -> None:
        case = json.loads(path.read_text())
        args = (
            case["leafIdx"],
            case["treeSize"],
            _b64(case["leafHash"]),
            [_b64(p) for p in case["proof"] or []],
            _b64(case["root"]),
        )
        if case["wantErr"]:
            with pytest.raises(InvalidProof):
                verify_inclusion(*args)
        else:
            verify_inclusion(*args)

    @pytest.mark.parametrize("path", _vector_files("consistency"), ids=_id)
    def test_consistency(self, path: Path) -> None:
        case = json.loads(path.read_text())
        args = (
            case["size1"],
            case["size2"],
            _b64(case["root1"]),
            _b64(case["root2"]),
            [_b64(p) for p in case["proof"] or []],
        )
        if case["wantErr"]:
            with pytest.raises(InvalidProof):
                verify_consistency(*args)
        else:
            verify_consistency(*args)

    def test_vector_counts(self) -> None:
        assert (len(_vector_files("inclusion")), len(_vector_files("consistency"))) == (49, 43)


class TestVerifyInclusion:
    def test_every_leaf_of_every_small_tree(self) -> None:
        leaves = [leaf_hash(bytes([i])) for i in range(33)]
        for size in range(1, 34):
            r = root(leaves[:size])
            for index in range(size):
                proof = inclusion_proof(index, leaves[:size])
                assert root_from_inclusion(index, size, leaves[index], proof) == r
                for k in range(len(proof)):
                    corrupt = list(proof)
                    corrupt[k] = bytes([corrupt[k][0] ^ 1]) + corrupt[k][1:]
                    with pytest.raises(InvalidProof):
                        verify_inclusion(index, size, leaves[index], corrupt, r)

    @pytest.mark.parametrize(
        ("proof", "message"),
        [
            ([], "wrong proof size 0, want 3"),
            ([bytes(32)] * 4, "wrong proof size 4, want 3"),
            ([b"x"], "1 bytes"),
        ],
    )
    def test_malformed_proofs(self, proof: list[bytes], message: str) -> None:
        with pytest.raises(InvalidProof, match=message):
            verify_inclusion(5, 8, LEAVES[5], proof, root(LEAVES))

    def test_equal_sizes_need_empty_proof_and_equal_roots(self) -> None:
        r = root(LEAVES[:3])
        verify_consistency(3, 3, r, r, [])
        with pytest.raises(InvalidProof, match="must be empty"):
            verify_consistency(3, 3, r, r, [r])
        with pytest.raises(InvalidProof, match="differ"):
            verify_consistency(3, 3, r, root(LEAVES[:4]), [])

    def test_keyword_arguments(self) -> None:
        proof = inclusion_proof(2, LEAVES[:3])
        verify_inclusion(index=2, size=3, leaf_hash=LEAVES[2], proof=proof, root=root(LEAVES[:3]))
        verify_consistency(
            old_size=2,
            new_size=3,
            old_root=root(LEAVES[:2]),
            new_root=root(LEAVES[:3]),
            proof=consistency_proof(2, LEAVES[:3]),
        )

    def test_errors_are_ledger_errors(self) -> None:
        with pytest.raises(LedgerError):
            verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])


class TestCertificateTransparencyArgon2020:
    """Real responses of Google's Argon 2020 CT log, as golang.org/x/mod's ct_test.go checks them."""

    STH = json.loads((DATA / "golang-mod-argon2020" / "sth.json").read_text())

    def test_entry_10000_is_included(self) -> None:
        entry = json.loads((DATA / "golang-mod-argon2020" / "entries.json").read_text())["entries"][0]
        proof = json.loads((DATA / "golang-mod-argon2020" / "proof.json").read_text())
        path = [_b64(h) for h in proof["audit_path"]]
        leaf = leaf_hash(_b64(entry["leaf_input"]))
        # given a 961,984,013-entry tree, the path has 30 hashes
        assert (proof["leaf_index"], self.STH["tree_size"], len(path)) == (10000, 961984013, 30)
        verify_inclusion(10000, self.STH["tree_size"], leaf, path, _b64(self.STH["sha256_root_hash"]))
        with pytest.raises(InvalidProof):
            verify_inclusion(10001, self.STH["tree_size"], leaf, path, _b64(self.STH["sha256_root_hash"]))

    def test_tree_3654490_is_a_prefix(self) -> None:
        proof = json.loads((DATA / "golang-mod-argon2020" / "consistency.json").read_text())["consistency"]
        old_root = _b64("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=")
        new_root = _b64(self.STH["sha256_root_hash"])
        verify_consistency(3654490, self.STH["tree_size"], old_root, new_root, [_b64(h) for h in proof])
        with pytest.raises(InvalidProof):
            verify_consistency(3654491, self.STH["tree_size"], old_root, new_root, [_b64(h) for h in proof])
