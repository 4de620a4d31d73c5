"""RFC 9162 roots and proofs computed from stored complete-subtree hashes, without rehashing the leaves.

A node is named by its key ``(level, index)``: the complete subtree of ``2**level`` leaves starting at
leaf ``index * 2**level`` (level 0 are the leaf hashes). Such a hash never changes once the subtree is
complete, so a store can keep it forever (tlog-tiles stores the same hashes, 256 at a time). Every range the
RFC 9162 recursion takes the hash of is a run of at most ``log2(n)`` complete subtrees, folded right to left,
so a root or proof needs ``O(log n)`` stored hashes. The ``*_at`` functions first list the keys they need
and then make a single ``read_many`` call, so a database-backed store answers a proof with one query.

>>> store = MemoryHashStore()
>>> for i in range(5):
...     _ = store.append(bytes([i]) * 32)
>>> root_nodes(5)
[(2, 0), (0, 4)]
>>> inclusion_proof_nodes(1, 5)
[((0, 0),), ((1, 1),), ((0, 4),)]
>>> [len(element) for element in consistency_proof_nodes(3, 7)]
[1, 1, 1, 2]
>>> root_at(5, store) == node_hash(node_hash(node_hash(bytes(32), bytes([1]) * 32),
...     node_hash(bytes([2]) * 32, bytes([3]) * 32)), bytes([4]) * 32)
True
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from zhuisu.ledger.errors import MissingNode, OutOfRange
from zhuisu.ledger.merkle import EMPTY_ROOT, HASH_SIZE, node_hash, split_point

#: ``(level, index)`` of a complete subtree.
NodeKey = tuple[int, int]
#: One proof hash, as the complete subtrees whose right fold gives it (largest first).
ProofElement = tuple[NodeKey, ...]


class HashReader(Protocol):
    """Where complete-subtree hashes are read from (a database table, tiles, a dict)."""

    def read_many(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        """The hash of each key asked for; keys the store lacks may be left out (the caller raises)."""
        ...


def range_nodes(begin: int, end: int) -> list[NodeKey]:
    """The complete subtrees that make up the leaf range ``[begin, end)``, largest first.

    ``begin`` must be a multiple of a power of two at least ``end - begin`` (always so for the ranges the
    RFC 9162 recursion visits); ``MTH(D[begin:end])`` is then the right fold of their hashes.
    """
    keys: list[NodeKey] = []
    pos = begin
    n = end - begin
    for level in reversed(range(n.bit_length())):
        if n >> level & 1:
            if pos % (1 << level):
                raise OutOfRange(f"[{begin}, {end}) is not a range of the RFC 9162 tree")
            keys.append((level, pos >> level))
            pos += 1 << level
    return keys


def root_nodes(size: int) -> list[NodeKey]:
    """The complete subtrees whose fold is the root of the tree of ``size`` leaves (its "compact range")."""
    if size < 0:
        raise OutOfRange(f"tree size {size} is negative")
    return range_nodes(0, size)


def inclusion_proof_nodes(index: int, size: int) -> list[ProofElement]:
    """The audit path ``PATH(index, D[size])`` as node keys, leaf's sibling first (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise OutOfRange(f"leaf index {index} is not in a tree of size {size}")
    plan: list[ProofElement] = []
    begin, end = 0, size
    while end - begin > 1:
        k = split_point(end - begin)
        if index < begin + k:
            plan.append(tuple(range_nodes(begin + k, end)))
            end = begin + k
        else:
            plan.append(tuple(range_nodes(begin, begin + k)))
            begin += k
    plan.reverse()
    return plan


def consistency_proof_nodes(old_size: int, new_size: int) -> list[ProofElement]:
    """``PROOF(old_size, D[new_size])`` as node keys (RFC 9162 §2.1.4.1), for ``0 < old_size <= new_size``."""
    if not 0 < old_size <= new_size:
        raise OutOfRange(f"no consistency proof from size {old_size} to size {new_size}")
    plan: list[ProofElement] = []
    begin, end, m, complete = 0, new_size, old_size, True
    while m != end - begin:
        k = split_point(end - begin)
        if m <= k:
            plan.append(tuple(range_nodes(begin + k, end)))
            end = begin + k
        else:
            plan.append(tuple(range_nodes(begin, begin + k)))
            m -= k
            begin += k
            complete = False
    if not complete:
        plan.append(tuple(range_nodes(begin, end)))
    plan.reverse()
    return plan


def read_nodes(reader: HashReader, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
    """One ``read_many`` call for the distinct ``keys``; ``MissingNode`` if any is absent or malformed."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    found = reader.read_many(wanted)
    hashes: dict[NodeKey, bytes] = {}
    for key in wanted:
        h = found.get(key)
        if h is None or len(h) != HASH_SIZE:
            raise MissingNode(f"no stored hash for node (level {key[0]}, index {key[1]})")
        hashes[key] = bytes(h)
    return hashes


def fold(hashes: Sequence[bytes]) -> bytes:
    """Right fold of complete-subtree hashes, largest first: the RFC 9162 hash of the range they cover."""
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def root_at(size: int, reader: HashReader) -> bytes:
    """The root of the tree of ``size`` leaves, from at most ``log2(size) + 1`` stored hashes."""
    keys = root_nodes(size)
    if not keys:
        return EMPTY_ROOT
    hashes = read_nodes(reader, keys)
    return fold([hashes[k] for k in keys])


def inclusion_proof_at(index: int, size: int, reader: HashReader) -> list[bytes]:
    """``PATH(index, D[size])`` from stored hashes, with a single ``read_many`` call."""
    return inclusion_proofs_at([index], size, reader)[index]


def inclusion_proofs_at(indexes: Iterable[int], size: int, reader: HashReader) -> dict[int, list[bytes]]:
    """``PATH(index, D[size])`` of each of ``indexes``, with a single ``read_many`` call for all their nodes (the
    proofs of one story's events share most of their upper nodes)."""
    plans = {index: inclusion_proof_nodes(index, size) for index in indexes}
    hashes = read_nodes(reader, (key for plan in plans.values() for element in plan for key in element))
    return {index: _folded(plan, hashes) for index, plan in plans.items()}


def consistency_proof_at(old_size: int, new_size: int, reader: HashReader) -> list[bytes]:
    """``PROOF(old_size, D[new_size])`` from stored hashes, with a single ``read_many`` call."""
    return _resolve(consistency_proof_nodes(old_size, new_size), reader)


def _resolve(plan: Sequence[ProofElement], reader: HashReader) -> list[bytes]:
    return _folded(plan, read_nodes(reader, (key for element in plan for key in element)))


def _folded(plan: Sequence[ProofElement], hashes: dict[NodeKey, bytes]) -> list[bytes]:
    """Each element of a proof plan as the hash of the range its nodes cover."""
    return [fold([hashes[k] for k in element]) for element in plan]


def nodes_completed_by_append(size: int, leaf: bytes, reader: HashReader) -> list[tuple[NodeKey, bytes]]:
    """The node hashes that become complete when ``leaf`` is appended to a tree of ``size`` leaves.

    The first is the leaf itself at ``(0, size)``, then each parent the new leaf completes. Their left
    siblings are the existing tree's compact range, read with one ``read_many`` call.
    """
    return CompactRange.at(size, reader).append(leaf)


@dataclass
class CompactRange:
    """The hashes of ``root_nodes(size)``: all a writer needs to append leaves and compute roots.

    A log can keep this (at most 64 hashes) beside its head, so that appends need no reads at all.
    """

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    @classmethod
    def at(cls, size: int, reader: HashReader) -> "CompactRange":
        """The compact range of the stored tree of ``size`` leaves (one ``read_many`` call)."""
        keys = root_nodes(size)
        found = read_nodes(reader, keys)
        return cls(size, [found[k] for k in keys])

    def root(self) -> bytes:
        return fold(self.hashes) if self.hashes else EMPTY_ROOT

    def append(self, leaf: bytes) -> list[tuple[NodeKey, bytes]]:
        """Add ``leaf`` at index ``size``; return the newly complete nodes, leaf first, to be stored."""
        if len(leaf) != HASH_SIZE:
            raise OutOfRange(f"a leaf hash is {len(leaf)} bytes, want {HASH_SIZE}")
        index = self.size
        completed: list[tuple[NodeKey, bytes]] = [((0, index), leaf)]
        h, level = leaf, 0
        # Each trailing 1 bit of the old size is a complete left sibling the new subtree now pairs with.
        while index >> level & 1:
            h = node_hash(self.hashes.pop(), h)
            level += 1
            completed.append(((level, index >> level), h))
        self.hashes.append(h)
        self.size += 1
        return completed


class MemoryHashStore:
    """A dict of node hashes grown by appending leaves: the reference ``HashReader`` for tests and tools."""

    def __init__(self) -> None:
        self.nodes: dict[NodeKey, bytes] = {}
        self._range = CompactRange()

    @property
    def size(self) -> int:
        return self._range.size

    def append(self, leaf: bytes) -> int:
        """Append a leaf hash; return its index."""
        for key, h in self._range.append(leaf):
            self.nodes[key] = h
        return self.size - 1

    def read_many(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        return {k: self.nodes[k] for k in keys if k in self.nodes}
