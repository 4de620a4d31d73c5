"""Tile paths and tile arithmetic of c2sp.org/tlog-tiles (and of Go's checksum database, its ancestor).

A tile at level ``L``, index ``N`` holds up to 256 consecutive hashes of tree level ``8 * L``: the nodes
``(8L, 256N + i)`` in ``zhuisu.ledger.subtrees`` terms. It is served at ``tile/<L>/<N>[.p/<W>]``, where
``N`` is written in 3-digit groups, all but the last prefixed with ``x`` (1234067 → ``x001/x234/067``), and
``.p/<W>`` marks a partial tile of width ``W`` (1..255): the last tile of a level, with
``floor(size / 256**L) mod 256`` hashes. Entry bundles use ``tile/entries/<N>[.p/<W>]`` and hold
uint16-length-prefixed entries. Go's sumdb names its tiles ``tile/<H>/<L>/<N>`` with a tile height ``H``
(and ``data`` for entries); ``sumdb_tile_path`` writes those.

>>> tile_path(0, 1234067), tile_path(1, 3, 17), entries_path(1000)
('tile/0/x001/x234/067', 'tile/1/003.p/17', 'tile/entries/x001/000')
>>> parse_tile_path("tile/0/x001/x234/067.p/5")
Tile(level=0, index=1234067, width=5)
>>> tiles_for_inclusion(5, 70000)
[Tile(level=0, index=0, width=256), Tile(level=0, index=273, width=112), \
Tile(level=1, index=0, width=256), Tile(level=1, index=1, width=17)]
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from zhuisu.ledger.errors import InvalidTilePath, OutOfRange
from zhuisu.ledger.subtrees import NodeKey, consistency_proof_nodes, inclusion_proof_nodes, root_nodes

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
#: ``Tile.level`` of entry bundles.
ENTRIES = -1
_MAX_LEVEL = 63
_GROUP_RE = re.compile(r"x?[0-9]{3}")
_NUMBER_RE = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True, order=True)
class Tile:
    """A tile (``level >= 0``) or an entry bundle (``level == ENTRIES``) of a tiled log; ``width`` 1..256."""

    level: int
    index: int
    width: int = TILE_WIDTH

    @property
    def path(self) -> str:
        if self.level == ENTRIES:
            return entries_path(self.index, self.width)
        return tile_path(self.level, self.index, self.width)

    def nodes(self) -> list[NodeKey]:
        """The node keys whose hashes the tile holds, in order (for a tile, not an entry bundle)."""
        if self.level == ENTRIES:
            raise OutOfRange("an entry bundle holds entries, not node hashes")
        base = self.index * TILE_WIDTH
        return [(self.level * TILE_HEIGHT, base + i) for i in range(self.width)]


def encode_index(n: int) -> str:
    """``N`` as zero-padded 3-digit path elements, all but the last prefixed with ``x``."""
    if n < 0:
        raise OutOfRange(f"tile index {n} is negative")
    groups = [f"{n % 1000:03d}"]
    while n >= 1000:
        n //= 1000
        groups.append(f"x{n % 1000:03d}")
    return "/".join(reversed(groups))


def _suffix(width: int, full: int) -> str:
    if not 1 <= width <= full:
        raise OutOfRange(f"tile width {width} is outside 1..{full}")
    return "" if width == full else f".p/{width}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]``."""
    if not 0 <= level <= _MAX_LEVEL:
        raise OutOfRange(f"tile level {level} is outside 0..{_MAX_LEVEL}")
    return f"tile/{level}/{encode_index(index)}{_suffix(width, TILE_WIDTH)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """``tile/entries/<N>[.p/<W>]``."""
    return f"tile/entries/{encode_index(index)}{_suffix(width, TILE_WIDTH)}"


def sumdb_tile_path(height: int, level: int, index: int, width: int | None = None) -> str:
    """Go sumdb's ``tile/<H>/<L>/<N>[.p/<W>]``; ``level == ENTRIES`` writes ``data``."""
    if not 1 <= height <= 30 or level < ENTRIES:
        raise OutOfRange(f"no sumdb tile of height {height} and level {level}")
    full = 1 << height
    name = "data" if level == ENTRIES else str(level)
    return f"tile/{height}/{name}/{encode_index(index)}{_suffix(full if width is None else width, full)}"


def _parse_groups(groups: Sequence[str], path: str) -> int:
    n = 0
    for i, group in enumerate(groups):
        prefixed = group.startswith("x")
        if not _GROUP_RE.fullmatch(group) or prefixed != (i < len(groups) - 1):
            raise InvalidTilePath(f"bad tile index in {path!r}")
        n = n * 1000 + int(group.removeprefix("x"))
    return n


def _split_width(parts: list[str], path: str, full: int) -> tuple[list[str], int]:
    if len(parts) >= 2 and parts[-2].endswith(".p"):
        width_text = parts[-1]
        if not _NUMBER_RE.fullmatch(width_text) or not 1 <= int(width_text) < full:
            raise InvalidTilePath(f"bad partial width in {path!r}")
        return [*parts[:-2], parts[-2].removesuffix(".p")], int(width_text)
    return parts, full


def parse_tile_path(path: str) -> Tile:
    """Parse a tlog-tiles tile or entry-bundle path; only the canonical form is accepted."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise InvalidTilePath(f"not a tile path: {path!r}")
    if parts[1] == "entries":
        level = ENTRIES
    elif _NUMBER_RE.fullmatch(parts[1]) and int(parts[1]) <= _MAX_LEVEL:
        level = int(parts[1])
    else:
        raise InvalidTilePath(f"bad tile level in {path!r}")
    groups, width = _split_width(parts[2:], path, TILE_WIDTH)
    tile = Tile(level, _parse_groups(groups, path), width)
    if tile.path != path:
        raise InvalidTilePath(f"not the canonical tile path: {path!r}")
    return tile


def parse_sumdb_tile_path(path: str) -> tuple[int, Tile]:
    """Parse Go sumdb's ``tile/<H>/<L|data>/<N>[.p/<W>]`` into ``(height, tile)``."""
    parts = path.split("/")
    if len(parts) < 4 or parts[0] != "tile" or not _NUMBER_RE.fullmatch(parts[1]):
        raise InvalidTilePath(f"not a sumdb tile path: {path!r}")
    height = int(parts[1])
    if parts[2] == "data":
        level = ENTRIES
    elif _NUMBER_RE.fullmatch(parts[2]):
        level = int(parts[2])
    else:
        raise InvalidTilePath(f"bad tile level in {path!r}")
    if not 1 <= height <= 30:
        raise InvalidTilePath(f"bad tile height in {path!r}")
    groups, width = _split_width(parts[3:], path, 1 << height)
    tile = Tile(level, _parse_groups(groups, path), width)
    if sumdb_tile_path(height, level, tile.index, width) != path:
        raise InvalidTilePath(f"not the canonical tile path: {path!r}")
    return height, tile


def tile_counts(size: int) -> list[tuple[int, int, int]]:
    """``(level, full tiles, partial width)`` for every tile level of a tree of ``size`` leaves."""
    counts = []
    level = 0
    while size >> (TILE_HEIGHT * level):
        hashes = size >> (TILE_HEIGHT * level)
        counts.append((level, hashes // TILE_WIDTH, hashes % TILE_WIDTH))
        level += 1
    return counts


def tile_of_node(level: int, index: int, size: int) -> Tile:
    """The tile, as published for a tree of ``size`` leaves, from which the node ``(level, index)`` is read.

    Nodes between tile levels are hashed from the tile below them: the node's subtree of level-``8L`` hashes.
    """
    if (index + 1) << level > size:
        raise OutOfRange(f"node ({level}, {index}) is not complete in a tree of size {size}")
    tile_level, within = divmod(level, TILE_HEIGHT)
    first = index << within
    tile_index = first >> TILE_HEIGHT
    hashes = size >> (TILE_HEIGHT * tile_level)
    full = (tile_index + 1) * TILE_WIDTH <= hashes
    return Tile(tile_level, tile_index, TILE_WIDTH if full else hashes % TILE_WIDTH)


def tiles_for_nodes(keys: Iterable[NodeKey], size: int) -> list[Tile]:
    """The distinct tiles needed to read the given nodes of a tree of ``size`` leaves, sorted."""
    return sorted({tile_of_node(level, index, size) for level, index in keys})


def tiles_for_inclusion(index: int, size: int) -> list[Tile]:
    """The tiles a client fetches to build the audit path of leaf ``index`` in a tree of ``size``."""
    return tiles_for_nodes((k for element in inclusion_proof_nodes(index, size) for k in element), size)


def tiles_for_consistency(old_size: int, new_size: int) -> list[Tile]:
    """The tiles a client fetches to build a consistency proof from ``old_size`` to ``new_size``."""
    nodes = (k for element in consistency_proof_nodes(old_size, new_size) for k in element)
    return tiles_for_nodes(nodes, new_size)


def tiles_for_root(size: int) -> list[Tile]:
    """The tiles a client fetches to recompute the root of a tree of ``size`` leaves."""
    return tiles_for_nodes(root_nodes(size), size)


def new_tiles(old_size: int, new_size: int, height: int = TILE_HEIGHT) -> list[Tile]:
    """The tiles to publish when a tree grows from ``old_size`` to ``new_size`` (Go's ``tlog.NewTiles``)."""
    if not 0 <= old_size <= new_size:
        raise OutOfRange(f"a tree cannot grow from {old_size} to {new_size}")
    full = 1 << height
    tiles: list[Tile] = []
    level = 0
    while new_size >> (height * level):
        old_n, new_n = old_size >> (height * level), new_size >> (height * level)
        if old_n != new_n:
            tiles.extend(Tile(level, n, full) for n in range(old_n >> height, new_n >> height))
            if width := new_n % full:
                tiles.append(Tile(level, new_n >> height, width))
        level += 1
    return tiles


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each entry prefixed by its length as a big-endian uint16."""
    if len(entries) > TILE_WIDTH:
        raise OutOfRange(f"an entry bundle holds at most {TILE_WIDTH} entries")
    out = bytearray()
    for entry in entries:
        if len(entry) > 0xFFFF:
            raise OutOfRange(f"an entry of {len(entry)} bytes does not fit a uint16 length")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_entry_bundle(data: bytes) -> list[bytes]:
    """The entries of a bundle; raises ``InvalidTilePath`` if the data is truncated."""
    entries = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise InvalidTilePath("entry bundle ends inside a length prefix")
        length = int.from_bytes(data[pos : pos + 2], "big")
        if pos + 2 + length > len(data):
            raise InvalidTilePath("entry bundle ends inside an entry")
        entries.append(data[pos + 2 : pos + 2 + length])
        pos += 2 + length
    return entries
