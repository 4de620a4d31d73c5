"""Roots and proofs from stored complete-subtree hashes equal the in-memory RFC 9162 ones, in one read."""

import random
from collections.abc import Mapping, Sequence

import pytest

from zhuisu.ledger.errors import MissingNode, OutOfRange
from zhuisu.ledger.merkle import EMPTY_ROOT, consistency_proof, inclusion_proof, leaf_hash, node_hash, root
from zhuisu.ledger.subtrees import (
    CompactRange,
    MemoryHashStore,
    NodeKey,
    consistency_proof_at,
    consistency_proof_nodes,
    inclusion_proof_at,
    inclusion_proof_nodes,
    nodes_completed_by_append,
    range_nodes,
    root_at,
    root_nodes,
)

LEAVES = [leaf_hash(i.to_bytes(2, "big")) for i in range(130)]


class CountingStore:
    """Wraps a store and records every ``read_many`` call."""

    def __init__(self, store: MemoryHashStore) -> None:
        self.store = store
        self.calls: list[list[NodeKey]] = []

    def read_many(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        self.calls.append(list(keys))
        return self.store.read_many(keys)


def _store(size: int) -> MemoryHashStore:
    store = MemoryHashStore()
    for leaf in LEAVES[:size]:
        store.append(leaf)
    return store


@pytest.fixture(scope="module")
def full_store() -> MemoryHashStore:
    return _store(130)


class TestAgainstInMemory:
    """A store of 130 leaves answers for every smaller tree too: stored nodes never change."""

    @pytest.mark.parametrize("size", range(131))
    def test_roots(self, full_store: MemoryHashStore, size: int) -> None:
        assert root_at(size, full_store) == root(LEAVES[:size])

    @pytest.mark.parametrize("size", range(1, 131))
    def test_inclusion_proofs(self, full_store: MemoryHashStore, size: int) -> None:
        rng = random.Random(size)
        indices = range(size) if size <= 40 else sorted([*rng.sample(range(size), 25), 0, size - 1])
        for index in indices:
            assert inclusion_proof_at(index, size, full_store) == inclusion_proof(index, LEAVES[:size])

    @pytest.mark.parametrize("size", range(1, 131))
    def test_consistency_proofs(self, full_store: MemoryHashStore, size: int) -> None:
        rng = random.Random(-size)
        olds = range(1, size + 1) if size <= 40 else sorted({*rng.sample(range(1, size), 25), 1, size})
        for old in olds:
            assert consistency_proof_at(old, size, full_store) == consistency_proof(old, LEAVES[:size])


class TestSingleRead:
    def test_proof_is_one_read_of_log_n_nodes(self, full_store: MemoryHashStore) -> None:
        counting = CountingStore(full_store)
        inclusion_proof_at(77, 130, counting)
        consistency_proof_at(77, 130, counting)
        root_at(130, counting)
        assert [len(call) for call in counting.calls] == [8, 9, 2]

    def test_large_tree_needs_few_nodes(self) -> None:
        size = 10_000_000
        assert len(root_nodes(size)) == bin(size).count("1") == 8
        assert sum(len(e) for e in inclusion_proof_nodes(1_234_567, size)) == 30
        assert sum(len(e) for e in consistency_proof_nodes(9_999_999, size)) == 15


class TestNodePlans:
    def test_rfc_example_inclusion(self) -> None:
        # RFC 9162 §2.1.5: the audit path of d0 in the 7-leaf tree is [b, h, l] = [d1, (2,3), (4,5,6)].
        assert inclusion_proof_nodes(0, 7) == [((0, 1),), ((1, 1),), ((1, 2), (0, 6))]

    def test_rfc_example_consistency(self) -> None:
        # RFC 9162 §2.1.5: PROOF(3, D[7]) = [c, d, g, l], PROOF(4, D[7]) = [l], PROOF(6, D[7]) = [i, j, k].
        assert consistency_proof_nodes(3, 7) == [((0, 2),), ((0, 3),), ((1, 0),), ((1, 2), (0, 6))]
        assert consistency_proof_nodes(4, 7) == [((1, 2), (0, 6))]
        assert consistency_proof_nodes(6, 7) == [((1, 2),), ((0, 6),), ((2, 0),)]

    def test_equal_sizes_need_nothing(self) -> None:
        assert consistency_proof_nodes(5, 5) == []

    @pytest.mark.parametrize(("old", "new"), [(0, 5), (6, 5), (-1, 3)])
    def test_bad_consistency_sizes(self, old: int, new: int) -> None:
        with pytest.raises(OutOfRange):
            consistency_proof_nodes(old, new)

    def test_ranges(self) -> None:
        assert range_nodes(0, 13) == [(3, 0), (2, 2), (0, 12)]
        assert range_nodes(8, 15) == [(2, 2), (1, 6), (0, 14)]
        assert range_nodes(4, 4) == []
        with pytest.raises(OutOfRange):
            range_nodes(2, 6)

    def test_negative_size(self) -> None:
        with pytest.raises(OutOfRange):
            root_nodes(-1)


class TestAppend:
    def test_store_holds_every_complete_node(self) -> None:
        store = _store(11)
        # 11 leaves + 5 pairs + 2 quads + 1 eight
        assert len(store.nodes) == 19
        assert store.nodes[(3, 0)] == root(LEAVES[:8])
        assert store.nodes[(1, 4)] == node_hash(LEAVES[8], LEAVES[9])
        assert (1, 5) not in store.nodes

    def test_nodes_completed_by_append(self) -> None:
        store = _store(7)
        completed = nodes_completed_by_append(7, LEAVES[7], store)
        assert [key for key, _ in completed] == [(0, 7), (1, 3), (2, 1), (3, 0)]
        assert completed[-1][1] == root(LEAVES[:8])
        assert [key for key, _ in nodes_completed_by_append(8, LEAVES[8], _store(8))] == [(0, 8)]

    def test_compact_range_tracks_roots(self) -> None:
        compact = CompactRange()
        assert compact.root() == EMPTY_ROOT
        for size, leaf in enumerate(LEAVES[:70], start=1):
            compact.append(leaf)
            assert compact.root() == root(LEAVES[:size])
            assert len(compact.hashes) == bin(size).count("1")

    def test_compact_range_from_store(self) -> None:
        compact = CompactRange.at(100, _store(100))
        assert (compact.size, compact.root()) == (100, root(LEAVES[:100]))

    def test_rejects_short_leaf(self) -> None:
        with pytest.raises(OutOfRange):
            CompactRange().append(b"short")
        assert MemoryHashStore().size == 0


class TestMissingNodes:
    def test_missing_node_is_reported(self) -> None:
        store = _store(8)
        del store.nodes[(2, 1)]
        with pytest.raises(MissingNode, match=r"level 2, index 1"):
            inclusion_proof_at(0, 8, store)
        # a proof that does not need the node still works
        assert inclusion_proof_at(4, 8, store) == inclusion_proof(4, LEAVES[:8])

    def test_tree_larger_than_store(self) -> None:
        with pytest.raises(MissingNode):
            root_at(9, _store(8))
