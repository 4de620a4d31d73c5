"""Merkle tree hashes, audit paths and consistency proofs per RFC 9162 §2.1 (the RFC 6962 tree, SHA-256).

Leaves hash as ``SHA-256(0x00 ‖ data)``, interior nodes as ``SHA-256(0x01 ‖ left ‖ right)``, and the tree of
``n > 1`` leaves splits at the largest power of two below ``n``. The functions here work on a list of leaf
hashes held in memory; ``zhuisu.ledger.subtrees`` computes the same roots and proofs from stored node hashes.

The verifiers follow the contract of the transparency-dev/merkle test vectors: they raise ``InvalidProof`` on
any failure, including hashes that are not 32 bytes, ``index >= size``, and consistency from size 0 (even
0 → 0; the C2SP witness rule for old size 0 belongs to the witness layer).

>>> leaves = [leaf_hash(bytes([i])) for i in range(5)]
>>> proof = inclusion_proof(3, leaves)
>>> len(proof), verify_inclusion(3, 5, leaves[3], proof, root(leaves))
(3, None)
>>> verify_consistency(2, 5, root(leaves[:2]), root(leaves), consistency_proof(2, leaves))
>>> root([]).hex()[:8]
'e3b0c442'
"""

import hashlib
import hmac
from collections.abc import Sequence

from zhuisu.ledger.errors import InvalidProof, OutOfRange

HASH_SIZE = 32
#: RFC 9162 §2.1.1: the hash of the empty tree is the hash of the empty string.
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """``MTH({d}) = SHA-256(0x00 ‖ d)``."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 ‖ left ‖ right)``; the order of the children matters."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly below ``n >= 2``: where RFC 9162 splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """``MTH(D[n])`` of the given leaf hashes; ``EMPTY_ROOT`` for no leaves."""
    _check_hashes(leaf_hashes)
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        # Pairing left to right and carrying an odd last node up unchanged builds exactly the RFC tree.
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """``PATH(index, D[n])`` (RFC 9162 §2.1.3.1): the leaf's sibling up to the root's child."""
    _check_hashes(leaf_hashes)
    if not 0 <= index < len(leaf_hashes):
        raise OutOfRange(f"leaf index {index} is not in a tree of size {len(leaf_hashes)}")
    return _path(index, leaf_hashes)


def _path(m: int, d: Sequence[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = split_point(len(d))
    if m < k:
        return [*_path(m, d[:k]), root(d[k:])]
    return [*_path(m - k, d[k:]), root(d[:k])]


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """``PROOF(old_size, D[n])`` (RFC 9162 §2.1.4.1) for ``0 < old_size <= n``; empty for equal sizes."""
    _check_hashes(leaf_hashes)
    if not 0 < old_size <= len(leaf_hashes):
        raise OutOfRange(f"no consistency proof from size {old_size} to size {len(leaf_hashes)}")
    return _subproof(old_size, leaf_hashes, True)


def _subproof(m: int, d: Sequence[bytes], complete: bool) -> list[bytes]:
    if m == len(d):
        return [] if complete else [root(d)]
    k = split_point(len(d))
    if m <= k:
        return [*_subproof(m, d[:k], complete), root(d[k:])]
    return [*_subproof(m - k, d[k:], False), root(d[:k])]


def root_from_inclusion(index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]) -> bytes:
    """The root ``proof`` implies for ``leaf_hash`` at ``index`` in a tree of ``size`` (RFC 9162 §2.1.3.2).

    Raises ``InvalidProof`` when the proof cannot be one for that position (wrong length, bad hash size).
    """
    if not 0 <= index < size:
        raise InvalidProof(f"leaf index {index} is not in a tree of size {size}")
    _check_proof_hashes([leaf_hash], "leaf hash")
    _check_proof_hashes(proof, "proof hash")
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    if len(proof) != inner + border:
        raise InvalidProof(f"wrong proof size {len(proof)}, want {inner + border}")
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r


def verify_inclusion(index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``leaf_hash`` is at ``index`` of the tree ``(size, root)``; raise ``InvalidProof``."""
    _check_proof_hashes([root], "root hash")
    computed = root_from_inclusion(index, size, leaf_hash, proof)
    if not hmac.compare_digest(computed, root):
        raise InvalidProof(f"inclusion proof for leaf {index} of {size} does not lead to the root")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """Check that the tree ``(new_size, new_root)`` extends ``(old_size, old_root)`` (RFC 9162 §2.1.4.2).

    Raises ``InvalidProof``. ``old_size == new_size`` needs an empty proof and equal roots.
    """
    _check_proof_hashes([old_root, new_root], "root hash")
    _check_proof_hashes(proof, "proof hash")
    if old_size <= 0:
        raise InvalidProof(f"no consistency proof from size {old_size}")
    if old_size > new_size:
        raise InvalidProof(f"old size {old_size} is larger than new size {new_size}")
    if old_size == new_size:
        if proof:
            raise InvalidProof("proof between equal sizes must be empty")
        if not hmac.compare_digest(old_root, new_root):
            raise InvalidProof("roots of equal sizes differ")
        return
    new_computed, old_computed = _roots_from_consistency(old_size, new_size, old_root, proof)
    if not hmac.compare_digest(old_computed, old_root):
        raise InvalidProof("consistency proof does not lead to the old root")
    if not hmac.compare_digest(new_computed, new_root):
        raise InvalidProof("consistency proof does not lead to the new root")


def _roots_from_consistency(
    old_size: int, new_size: int, old_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes]:
    """(new root, old root) implied by ``proof``; the RFC 9162 §2.1.4.2 loop with the proof length checked."""
    # When old_size is a power of two the old tree is a complete subtree of the new one and the proof omits
    # its hash (the old root); otherwise the proof starts with the old tree's rightmost complete subtree.
    shift = (old_size & -old_size).bit_length() - 1
    inner = ((old_size - 1) ^ (new_size - 1)).bit_length()
    border = ((old_size - 1) >> inner).bit_count()
    seeded = old_size == 1 << shift
    want = inner - shift + border + (0 if seeded else 1)
    if len(proof) != want:
        raise InvalidProof(f"wrong proof size {len(proof)}, want {want}")
    path = [old_root, *proof] if seeded else list(proof)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise InvalidProof("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise InvalidProof("consistency proof is too short")
    return sr, fr


def _check_hashes(hashes: Sequence[bytes]) -> None:
    for h in hashes:
        if len(h) != HASH_SIZE:
            raise OutOfRange(f"a leaf hash is {len(h)} bytes, want {HASH_SIZE}")


def _check_proof_hashes(hashes: Sequence[bytes], what: str) -> None:
    for h in hashes:
        if len(h) != HASH_SIZE:
            raise InvalidProof(f"{what} is {len(h)} bytes, want {HASH_SIZE}")
