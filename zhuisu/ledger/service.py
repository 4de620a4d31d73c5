"""The node's log: one leaf per stored event, signed checkpoints, inclusion and consistency proofs, tiles.

Writes happen in the caller's transaction and never commit. ``append_events`` is a step of capture's write path:
it locks the log head, gives the batch's events the next indexes in event-pk order and stores their leaves and
every subtree hash they complete (about two rows per event), so the log can never disagree with the events it
was written with. The writer signs: when the session carries the node's settings (``db.engine.node_settings``:
every sessionmaker of the app and the command line does), the same transaction signs a checkpoint of the grown
tree, so reads (``GET /ledger/checkpoint``, proofs, the product page) never write. Checkpoints are signed only for
a tree shown consistent with the latest signed one; proofs read ``O(log n)`` node rows by primary key.
"""

import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from zhuisu.db.engine import node_settings
from zhuisu.errors import NotFound
from zhuisu.events.stored import StoredEvent
from zhuisu.ledger import keystore, repository
from zhuisu.ledger.checkpoint import Checkpoint, sign_checkpoint
from zhuisu.ledger.errors import InconsistentTree, InvalidProof, NotYetSigned, OutOfRange
from zhuisu.ledger.leaf import SALT_BYTES, Leaf, body_digest, commit_recorder, record_time_text
from zhuisu.ledger.merkle import EMPTY_ROOT, leaf_hash, verify_consistency
from zhuisu.ledger.proof_file import build_proof
from zhuisu.ledger.repository import NodeReader
from zhuisu.ledger.subtrees import (
    CompactRange,
    consistency_proof_at,
    inclusion_proof_at,
    inclusion_proofs_at,
    root_at,
)
from zhuisu.ledger.tiles import ENTRIES, TILE_HEIGHT, TILE_WIDTH, encode_entry_bundle, parse_tile_path
from zhuisu.models import LedgerCheckpoint


@dataclass(frozen=True)
class ConsistencyProof:
    """``PROOF(old_size, D[new_size])`` with both roots, as ``GET /ledger/consistency`` serves it."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    proof: list[bytes]


def append_events(session: Session, stored: Sequence[StoredEvent]) -> None:
    """Append one leaf per event, in event-pk order, under the locked log head (capture's hook)."""
    if not stored:
        return
    head = repository.lock_head(session)
    tree = CompactRange(head.size, list(head.compact))
    leaves: list[tuple[int, int, str, bytes, bytes]] = []
    nodes = []
    times: dict[datetime, str] = {}  # a batch shares one record time: format it once
    for event in sorted(stored, key=lambda e: e.pk):
        when = times.get(event.record_time)
        if when is None:
            when = times[event.record_time] = record_time_text(event.record_time)
        salt = secrets.token_bytes(SALT_BYTES)
        data = Leaf(event.hash, body_digest(event.event), when, commit_recorder(event.recorder_id, salt)).data()
        leaves.append((tree.size, event.pk, event.event_id, data, salt))
        nodes.extend(tree.append(leaf_hash(data)))
    repository.insert_leaves(session, leaves)
    repository.insert_nodes(session, nodes)
    repository.save_head(session, tree.size, tree.hashes)
    settings = node_settings(session)
    if settings is not None:
        key = keystore.log_key(settings)
        make_checkpoint(session, origin=keystore.log_origin(settings), skey=key.skey)


def tree_size(session: Session) -> int:
    return repository.read_head(session).size


def current_root(session: Session) -> tuple[int, bytes]:
    """The size and root of the log as stored now (signed or not)."""
    head = repository.read_head(session)
    return head.size, CompactRange(head.size, head.compact).root()


def latest_checkpoint(session: Session) -> LedgerCheckpoint | None:
    return repository.latest_checkpoint(session)


def make_checkpoint(session: Session, *, origin: str, skey: str) -> LedgerCheckpoint:
    """Sign a checkpoint for the current tree, unless the latest signed one already has its size.

    Locks the log head, so no leaf is appended meanwhile. Before signing, the tree is checked against the latest
    signed checkpoint with a consistency proof from the stored hashes: ``InconsistentTree`` if the stored log
    was rewritten, so this node never signs two checkpoints of different histories.
    """
    head = repository.lock_head(session)
    root = CompactRange(head.size, head.compact).root()
    latest = repository.latest_checkpoint(session)
    if latest is not None:
        _check_extends(session, latest, head.size, root)
        if latest.size == head.size:
            return latest
    if head.size and not hmac.compare_digest(root_at(head.size, NodeReader(session)), root):
        raise InconsistentTree("the stored node hashes do not give the head's root")
    row = LedgerCheckpoint(
        size=head.size, root_hash=root, note=sign_checkpoint(Checkpoint(origin, head.size, root), skey)
    )
    session.add(row)
    session.flush()
    return row


def _check_extends(session: Session, latest: LedgerCheckpoint, size: int, root: bytes) -> None:
    if size < latest.size:
        raise InconsistentTree(f"the log has {size} leaves, fewer than the {latest.size} already signed")
    if latest.size == 0:
        if latest.root_hash != EMPTY_ROOT:
            raise InconsistentTree("the signed empty tree does not have the empty-tree root")
        return
    try:
        proof = consistency_proof_at(latest.size, size, NodeReader(session)) if size > latest.size else []
        verify_consistency(latest.size, size, bytes(latest.root_hash), root, proof)
    except InvalidProof as exc:
        raise InconsistentTree(
            f"the stored tree of {size} leaves does not extend checkpoint {latest.size}: {exc}"
        ) from exc


def current_checkpoint(session: Session, *, origin: str, skey: str) -> tuple[LedgerCheckpoint, bool]:
    """The latest signed checkpoint, signing a new one first if the tree grew since; and whether it is new. For
    writers only (``zhuisu ledger checkpoint``, the worker's catch-up): a read takes ``latest_checkpoint``."""
    latest = repository.latest_checkpoint(session)
    if latest is not None and latest.size == repository.read_head(session).size:
        return latest, False
    checkpoint = make_checkpoint(session, origin=origin, skey=skey)
    return checkpoint, latest is None or checkpoint.id != latest.id


def needs_signing(session: Session) -> bool:
    """Whether the log has entries (or is empty and was never signed) that no signed checkpoint covers."""
    latest = repository.latest_checkpoint(session)
    return latest is None or latest.size < repository.read_head(session).size


def prove(session: Session, event_id: str) -> str:
    """The ``c2sp.org/tlog-proof@v1`` file of an event (by eventID or CBV event hash) under the latest
    checkpoint that covers it. The leaf bytes ride in the ``extra`` line. Reads only.

    Raises ``NotFound`` if the event has no leaf, ``NotYetSigned`` if no signed checkpoint covers it yet.
    """
    found = repository.find_leaf(session, event_id)
    if found is None:
        raise NotFound(f"账本中没有事件 {event_id}", message_en=f"no event {event_id} in the ledger")
    index, leaf, size, note = found
    if size is None or note is None or size <= index:
        raise NotYetSigned(f"no signed checkpoint covers entry {index} ({event_id}) yet; try again shortly")
    path = inclusion_proof_at(index, size, NodeReader(session))
    return build_proof(index, path, note, extra=bytes(leaf))


def prove_many(session: Session, event_ids: Sequence[str]) -> dict[str, str]:
    """``prove`` of many events by eventID at once, under the latest checkpoint: one read of their leaves and one
    of every tree node their proofs need. An event it gives no proof for (no leaf by that eventID, or one no signed
    checkpoint covers yet) is left out: ``prove`` says why."""
    latest = repository.latest_checkpoint(session)
    if latest is None:
        return {}
    leaves = [
        (event_id, idx, leaf) for event_id, idx, leaf in repository.find_leaves(session, event_ids) if idx < latest.size
    ]
    paths = inclusion_proofs_at([idx for _, idx, _ in leaves], latest.size, NodeReader(session))
    return {event_id: build_proof(idx, paths[idx], latest.note, extra=bytes(leaf)) for event_id, idx, leaf in leaves}


def consistency(session: Session, old_size: int, new_size: int) -> ConsistencyProof:
    """A consistency proof between two sizes of the stored tree (``0 <= old <= new <= size``)."""
    size = repository.read_head(session).size
    if not 0 <= old_size <= new_size <= size:
        raise OutOfRange(f"need 0 <= old ({old_size}) <= new ({new_size}) <= tree size ({size})")
    reader = NodeReader(session)
    proof = consistency_proof_at(old_size, new_size, reader) if 0 < old_size < new_size else []
    return ConsistencyProof(old_size, new_size, root_at(old_size, reader), root_at(new_size, reader), proof)


def read_tile(session: Session, path: str) -> bytes:
    """A tlog-tiles tile (``tile/<L>/<N>[.p/<W>]``) or entry bundle (``tile/entries/<N>[.p/<W>]``).

    Raises ``InvalidTilePath`` for a malformed path and ``NotFound`` for a tile the log has not grown to.
    """
    tile = parse_tile_path(path)
    start = tile.index * TILE_WIDTH
    if tile.level == ENTRIES:
        entries = repository.leaf_data(session, start, start + tile.width)
        found = len(entries)
        data = encode_entry_bundle(entries)
    else:
        hashes = repository.level_hashes(session, tile.level * TILE_HEIGHT, start, start + tile.width)
        found = len(hashes)
        data = b"".join(hashes)
    if found != tile.width:
        raise NotFound(f"账本中没有瓦片 {path}", message_en=f"no tile {path} in the ledger")
    return data
