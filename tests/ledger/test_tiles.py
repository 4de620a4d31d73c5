"""tlog-tiles paths and tile arithmetic: the C2SP examples, Go sumdb's tile tests, proofs read from tiles."""

import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from zhuisu.ledger.errors import InvalidTilePath, MissingNode, OutOfRange
from zhuisu.ledger.merkle import leaf_hash, root
from zhuisu.ledger.subtrees import (
    MemoryHashStore,
    NodeKey,
    consistency_proof_at,
    inclusion_proof_at,
    root_at,
)
from zhuisu.ledger.tiles import (
    ENTRIES,
    TILE_WIDTH,
    Tile,
    decode_entry_bundle,
    encode_entry_bundle,
    encode_index,
    entries_path,
    new_tiles,
    parse_sumdb_tile_path,
    parse_tile_path,
    sumdb_tile_path,
    tile_counts,
    tile_of_node,
    tile_path,
    tiles_for_consistency,
    tiles_for_inclusion,
    tiles_for_root,
)

DATA = Path(__file__).parent.parent / "data" / "tlog"
C2SP = json.loads((DATA / "c2sp-spec-examples.json").read_text())
SIZE = 70_000


class TilesOnly:
    """A HashReader that sees only the given tiles, hashing levels between tile levels as a client does."""

    def __init__(self, tiles: Mapping[Tile, list[bytes]]) -> None:
        self.tiles = tiles

    def read_many(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        out = {}
        for level, index in keys:
            tile_level, within = divmod(level, 8)
            first = index << within
            for tile, hashes in self.tiles.items():
                if (tile.level, tile.index) == (tile_level, first >> 8):
                    start = first % TILE_WIDTH
                    span = hashes[start : start + (1 << within)]
                    if len(span) == 1 << within:
                        out[(level, index)] = root(span)
        return out


@pytest.fixture(scope="module")
def store() -> MemoryHashStore:
    s = MemoryHashStore()
    for i in range(SIZE):
        s.append(leaf_hash(i.to_bytes(4, "big")))
    return s


def _fetch(store: MemoryHashStore, tiles: list[Tile]) -> TilesOnly:
    return TilesOnly({t: [store.nodes[k] for k in t.nodes()] for t in tiles})


class TestPaths:
    @pytest.mark.parametrize("case", C2SP["tilePaths"]["cases"], ids=lambda c: c["path"])
    def test_c2sp_examples(self, case: dict[str, object]) -> None:
        if case.get("entries"):
            assert entries_path(int(str(case["index"]))) == case["path"]
            assert parse_tile_path(str(case["path"])) == Tile(ENTRIES, int(str(case["index"])))
        else:
            assert tile_path(int(str(case["level"])), int(str(case["index"]))) == case["path"]
            assert parse_tile_path(str(case["path"])) == Tile(int(str(case["level"])), int(str(case["index"])))

    @pytest.mark.parametrize(
        ("path", "tile"),
        [
            ("tile/2/x001/x234/067.p/255", Tile(2, 1234067, 255)),
            ("tile/entries/x123/456.p/1", Tile(ENTRIES, 123456, 1)),
            ("tile/63/000", Tile(63, 0)),
        ],
    )
    def test_roundtrip(self, path: str, tile: Tile) -> None:
        assert parse_tile_path(path) == tile
        assert tile.path == path

    @pytest.mark.parametrize(
        "path",
        [
            "tile/64/000",
            "tile/01/000",
            "tile/0/0",
            "tile/0/x000/001",
            "tile/0/001/x002",
            "tile/0/001.p/256",
            "tile/0/001.p/0",
            "tile/0/001.p/05",
            "tile/0/001.p",
            "tiles/0/001",
            "tile/0",
            "tile/data/001",
            "tile/0/x1234/567",
        ],
    )
    def test_invalid_paths(self, path: str) -> None:
        with pytest.raises(InvalidTilePath):
            parse_tile_path(path)

    @pytest.mark.parametrize(
        ("path", "height", "tile"),
        [
            ("tile/4/0/001", 4, Tile(0, 1, 16)),
            ("tile/4/0/001.p/5", 4, Tile(0, 1, 5)),
            ("tile/3/5/x123/x456/078", 3, Tile(5, 123456078, 8)),
            ("tile/3/5/x123/x456/078.p/2", 3, Tile(5, 123456078, 2)),
            ("tile/1/0/x003/x057/500", 1, Tile(0, 3057500, 2)),
            ("tile/1/data/x003/x057/500", 1, Tile(ENTRIES, 3057500, 2)),
        ],
    )
    def test_go_sumdb_tile_paths(self, path: str, height: int, tile: Tile) -> None:
        assert parse_sumdb_tile_path(path) == (height, tile)
        assert sumdb_tile_path(height, tile.level, tile.index, tile.width) == path

    @pytest.mark.parametrize("path", ["tile/3/5/123/456/078", "tile/3/-1/123/456/078", "tile/0/0/001", "x/1/0/001"])
    def test_go_sumdb_invalid_paths(self, path: str) -> None:
        with pytest.raises(InvalidTilePath):
            parse_sumdb_tile_path(path)

    @pytest.mark.parametrize(
        ("n", "text"), [(0, "000"), (999, "999"), (1000, "x001/000"), (10**9, "x001/x000/x000/000")]
    )
    def test_encode_index(self, n: int, text: str) -> None:
        assert encode_index(n) == text

    @pytest.mark.parametrize(("level", "index", "width"), [(-1, 0, 256), (64, 0, 256), (0, -1, 256), (0, 0, 0)])
    def test_bad_tiles(self, level: int, index: int, width: int) -> None:
        with pytest.raises(OutOfRange):
            tile_path(level, index, width)


class TestCounts:
    @pytest.mark.parametrize("case", C2SP["tileCounts"]["cases"], ids=lambda c: str(c["treeSize"]))
    def test_c2sp_examples(self, case: dict[str, object]) -> None:
        levels = case["levels"]
        assert isinstance(levels, list)
        want = [(lv["level"], lv["fullTiles"], lv["partialWidth"]) for lv in levels]
        assert tile_counts(int(str(case["treeSize"]))) == want

    @pytest.mark.parametrize(
        ("old", "new", "want"),
        [
            (1, 1, 0),
            (100, 101, 1),
            (1023, 1025, 3),
            (1024, 1030, 1),
            (1030, 2000, 1),
            (1030, 10000, 10),
            (49516517, 49516586, 3),
        ],
    )
    def test_go_new_tiles(self, old: int, new: int, want: int) -> None:
        assert len(new_tiles(old, new, height=10)) == want

    def test_new_tiles_from_empty_is_every_tile(self) -> None:
        tiles = new_tiles(0, SIZE)
        assert len(tiles) == 273 + 1 + 1 + 1 + 1
        assert tiles[-1] == Tile(2, 0, 1)
        assert [t for t in tiles if t.width < TILE_WIDTH] == [
            Tile(0, 273, 112),
            Tile(1, 1, 17),
            Tile(2, 0, 1),
        ]

    def test_growth_cannot_shrink(self) -> None:
        with pytest.raises(OutOfRange):
            new_tiles(5, 4)

    def test_tile_nodes(self) -> None:
        assert Tile(1, 2, 3).nodes() == [(8, 512), (8, 513), (8, 514)]
        with pytest.raises(OutOfRange):
            Tile(ENTRIES, 0).nodes()


class TestProofsFromTiles:
    def test_tile_of_node(self) -> None:
        assert tile_of_node(0, 69_999, SIZE) == Tile(0, 273, 112)
        assert tile_of_node(12, 16, SIZE) == Tile(1, 1, 17)
        assert tile_of_node(16, 0, SIZE) == Tile(2, 0, 1)
        with pytest.raises(OutOfRange):
            tile_of_node(1, 35_000, SIZE)

    def test_inclusion(self, store: MemoryHashStore) -> None:
        rng = random.Random(7)
        for size in [1, 255, 256, 257, 65_536, 69_999, SIZE, *rng.sample(range(1, SIZE), 20)]:
            for index in {0, size - 1, rng.randrange(size)}:
                reader = _fetch(store, tiles_for_inclusion(index, size))
                assert inclusion_proof_at(index, size, reader) == inclusion_proof_at(index, size, store)

    def test_consistency_and_root(self, store: MemoryHashStore) -> None:
        rng = random.Random(8)
        for _ in range(25):
            new = rng.randrange(2, SIZE + 1)
            old = rng.randrange(1, new)
            reader = _fetch(store, tiles_for_consistency(old, new))
            assert consistency_proof_at(old, new, reader) == consistency_proof_at(old, new, store)
            assert root_at(new, _fetch(store, tiles_for_root(new))) == root_at(new, store)

    def test_missing_tile_is_noticed(self, store: MemoryHashStore) -> None:
        tiles = tiles_for_inclusion(5, SIZE)
        with pytest.raises(MissingNode):
            inclusion_proof_at(5, SIZE, _fetch(store, tiles[1:]))


class TestEntryBundles:
    def test_roundtrip(self) -> None:
        entries = [b"", b"a", bytes(300), bytes(range(256))]
        data = encode_entry_bundle(entries)
        assert data[:5] == b"\x00\x00\x00\x01a"
        assert len(data) == 2 * 4 + 1 + 300 + 256
        assert decode_entry_bundle(data) == entries

    @pytest.mark.parametrize("data", [b"\x00", b"\x00\x02a"])
    def test_truncated(self, data: bytes) -> None:
        with pytest.raises(InvalidTilePath):
            decode_entry_bundle(data)

    def test_limits(self) -> None:
        with pytest.raises(OutOfRange):
            encode_entry_bundle([bytes(65_536)])
        with pytest.raises(OutOfRange):
            encode_entry_bundle([b""] * 257)
