"""The node's log on both databases: leaves appended with capture, checkpoints, proofs, consistency, tiles."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.orm import Session

from tests.support.epcis import EXAMPLES, document, load, object_event
from zhuisu.capture import service as capture_service
from zhuisu.config import Settings
from zhuisu.errors import NotFound
from zhuisu.events import service as events_service
from zhuisu.ledger import LedgerError, evidence, merkle, repository, service
from zhuisu.ledger.checkpoint import open_checkpoint, verify_checkpoint_consistency
from zhuisu.ledger.errors import InconsistentTree, NotYetSigned, OutOfRange
from zhuisu.ledger.keys import generate_key
from zhuisu.ledger.leaf import leaf_for_event, parse_leaf
from zhuisu.ledger.proof_file import verify_proof
from zhuisu.ledger.tiles import decode_entry_bundle
from zhuisu.models import Event, LedgerCheckpoint, LedgerLeaf, LedgerNode, Party
from zhuisu.models.ledger import node_key
from zhuisu.parties import service as parties_service

EXAMPLE_EVENTS = 23  # the distinct valid events of the GS1 examples
ORIGIN = "test.example/ledger"
SKEY, VKEY = generate_key(ORIGIN)


@pytest.fixture
def settings(engine: Engine, tmp_path: Path) -> Settings:
    """The node signs with this module's key, so the checkpoints its captures sign verify with ``VKEY``."""
    key = tmp_path / "ledger.key"
    key.write_text(SKEY + "\n", encoding="ascii")
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False), ledger_origin=ORIGIN, ledger_key_file=key
    )


def capture(session: Session, party: Party, *events: dict[str, Any]) -> list[str]:
    result = capture_service.capture_document(session, document(*events), actor=party)
    return [o.event_id for o in result.outcomes if o.status == "captured" and o.event_id]


@pytest.fixture
def party(session: Session) -> Party:
    return parties_service.create_party(session, name="测试食品有限公司", uscc="91110000600037341L")


def leaf_rows(session: Session) -> list[LedgerLeaf]:
    return list(session.scalars(select(LedgerLeaf).order_by(LedgerLeaf.idx)))


def leaf_hashes(session: Session) -> list[bytes]:
    return [merkle.leaf_hash(bytes(leaf.leaf)) for leaf in leaf_rows(session)]


class TestAppendEvents:
    def test_each_captured_event_gets_the_next_leaf_in_pk_order(self, session: Session, party: Party) -> None:
        ids = capture(session, party, *(object_event(i, eventID=f"urn:uuid:e-{i}") for i in range(5)))
        ids += capture(session, party, *(object_event(i, eventID=f"urn:uuid:e-{i}") for i in range(5, 8)))
        leaves = leaf_rows(session)
        events = list(session.scalars(select(Event).order_by(Event.id)))
        assert [leaf.idx for leaf in leaves] == list(range(8))
        assert [leaf.event_id for leaf in leaves] == ids == [f"urn:uuid:e-{i}" for i in range(8)]
        assert [leaf.event_pk for leaf in leaves] == [e.id for e in events]
        assert service.current_root(session) == (8, merkle.root(leaf_hashes(session)))

    def test_leaf_commits_to_hash_body_record_time_and_recorder(self, session: Session, party: Party) -> None:
        capture(session, party, object_event(1, eventID="urn:uuid:one"), object_event(2, eventID="urn:uuid:two"))
        events = list(session.scalars(select(Event).order_by(Event.id)))
        rows = leaf_rows(session)
        leaves = [parse_leaf(bytes(row.leaf)) for row in rows]
        salts = [bytes(row.salt or b"") for row in rows]
        assert leaves == [
            leaf_for_event(e.body, None, record_time=e.record_time, recorder=party.id, salt=salt)
            for e, salt in zip(events, salts, strict=True)
        ]
        assert [leaf.event_hash for leaf in leaves] == [e.event_hash for e in events]
        # the public bytes do not name the recorder, and one party's leaves do not share a commitment
        assert [leaf.version for leaf in leaves] == [2, 2]
        assert all(party.id.encode() not in bytes(row.leaf) for row in rows)
        assert len({leaf.recorder for leaf in leaves}) == 2
        assert [len(salt) for salt in salts] == [16, 16]

    def test_every_complete_subtree_is_stored(self, session: Session, party: Party) -> None:
        capture(session, party, *(object_event(i) for i in range(7)))
        keys = set(session.scalars(select(LedgerNode.key)))
        expected = {node_key(0, i) for i in range(7)} | {node_key(1, i) for i in range(3)} | {node_key(2, 0)}
        assert keys == expected

    def test_duplicates_and_rejected_documents_add_no_leaf(self, session: Session, party: Party) -> None:
        capture(session, party, object_event(1), object_event(2))
        capture(session, party, object_event(1))
        capture(session, party, object_event(3), object_event(4, action="UPDATE"))
        assert service.tree_size(session) == 2
        assert session.scalar(select(func.count()).select_from(LedgerLeaf)) == 2


class TestWriterSigns:
    def test_each_capture_signs_the_tree_it_grew(self, session: Session, party: Party) -> None:
        # given a session of the node (its settings carry the log key), when two documents are captured
        capture(session, party, *(object_event(i) for i in range(3)))
        capture(session, party, *(object_event(i) for i in range(3, 5)))
        # then each capture signed a checkpoint of the tree it left, with the node's key
        notes = list(session.scalars(select(LedgerCheckpoint.note).order_by(LedgerCheckpoint.size)))
        assert [open_checkpoint(n, [VKEY], origin=ORIGIN)[0].size for n in notes] == [3, 5]
        assert service.needs_signing(session) is False

    def test_a_session_without_the_node_signs_nothing(self, connection: Connection, party: Party) -> None:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as bare:
            capture(bare, bare.merge(party), object_event(1))
            assert bare.scalar(select(func.count()).select_from(LedgerCheckpoint)) == 0
            assert service.needs_signing(bare) is True
            with pytest.raises(NotYetSigned):
                service.prove(bare, _only_event_id(bare))


def _only_event_id(session: Session) -> str:
    return session.scalars(select(Event.event_id)).one()


class TestCheckpoints:
    """The explicit signing of ``zhuisu ledger checkpoint`` and the worker, on sessions that do not sign."""

    @pytest.fixture
    def session(self, connection: Connection) -> Iterator[Session]:
        with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as bare:
            yield bare

    def test_signed_for_the_current_tree_and_reused_until_it_grows(self, session: Session, party: Party) -> None:
        capture(session, party, *(object_event(i) for i in range(3)))
        first = service.make_checkpoint(session, origin=ORIGIN, skey=SKEY)
        again, new = service.current_checkpoint(session, origin=ORIGIN, skey=SKEY)
        assert (again.id, new) == (first.id, False)
        body, _ = open_checkpoint(first.note, [VKEY], origin=ORIGIN)
        assert (body.size, body.root_hash) == (3, merkle.root(leaf_hashes(session)))
        capture(session, party, *(object_event(i) for i in range(3, 8)))
        second, new = service.current_checkpoint(session, origin=ORIGIN, skey=SKEY)
        assert (second.size, new) == (8, True)
        proof = service.consistency(session, 3, 8)
        verify_checkpoint_consistency(body, open_checkpoint(second.note, [VKEY])[0], proof.proof)
        assert session.scalar(select(func.count()).select_from(LedgerCheckpoint)) == 2

    def test_empty_log_checkpoint_has_the_empty_root(self, session: Session) -> None:
        checkpoint = service.make_checkpoint(session, origin=ORIGIN, skey=SKEY)
        assert (checkpoint.size, bytes(checkpoint.root_hash)) == (0, merkle.EMPTY_ROOT)

    def test_never_signs_a_rewritten_tree(self, session: Session, party: Party) -> None:
        capture(session, party, *(object_event(i) for i in range(4)))
        service.make_checkpoint(session, origin=ORIGIN, skey=SKEY)
        capture(session, party, object_event(9))
        session.execute(update(LedgerNode).where(LedgerNode.key == node_key(2, 0)).values(hash=b"\x00" * 32))
        with pytest.raises(InconsistentTree):
            service.make_checkpoint(session, origin=ORIGIN, skey=SKEY)
        assert list(session.scalars(select(LedgerCheckpoint.size))) == [4]

    def test_never_signs_a_shrunk_tree(self, session: Session, party: Party) -> None:
        capture(session, party, *(object_event(i) for i in range(4)))
        service.make_checkpoint(session, origin=ORIGIN, skey=SKEY)
        head = repository.read_head(session)
        repository.save_head(session, 3, head.compact[:1])
        with pytest.raises(InconsistentTree):
            service.make_checkpoint(session, origin=ORIGIN, skey=SKEY)
        assert list(session.scalars(select(LedgerCheckpoint.size))) == [4]


class TestProofs:
    def test_every_event_proof_verifies_under_the_signed_checkpoint(self, session: Session, party: Party) -> None:
        ids = capture(session, party, *(object_event(i, eventID=f"urn:uuid:p-{i}") for i in range(13)))
        hashes = leaf_hashes(session)
        for index, event_id in enumerate(ids):
            text = service.prove(session, event_id)
            verified = verify_proof(text, hashes[index], [VKEY], origin=ORIGIN)
            assert (verified.index, verified.checkpoint.size) == (index, 13)
            assert verified.extra == bytes(leaf_rows(session)[index].leaf)
        assert session.scalar(select(func.count()).select_from(LedgerCheckpoint)) == 1

    def test_many_proofs_at_once_are_the_proofs_one_at_a_time(self, session: Session, party: Party) -> None:
        ids = capture(session, party, *(object_event(i, eventID=f"urn:uuid:m-{i}") for i in range(13)))
        # two more the latest checkpoint does not cover yet (a capture signs: drop its checkpoint to see them unsigned)
        later = capture(session, party, *(object_event(20 + i, eventID=f"urn:uuid:m-late-{i}") for i in range(2)))
        session.execute(delete(LedgerCheckpoint).where(LedgerCheckpoint.size == 15))
        asked = [ids[12], ids[0], ids[5], *later, "urn:uuid:nope", ids[5]]
        proofs = service.prove_many(session, asked)
        assert sorted(proofs) == sorted([ids[0], ids[5], ids[12]])
        for event_id, text in proofs.items():
            assert text == service.prove(session, event_id)
        assert verify_proof(proofs[ids[12]], leaf_hashes(session)[12], [VKEY], origin=ORIGIN).index == 12
        with pytest.raises(NotYetSigned):
            service.prove(session, later[0])
        assert service.prove_many(session, []) == {}

    def test_events_read_together_are_the_events_read_one_at_a_time(self, session: Session, party: Party) -> None:
        ids = capture(session, party, *(object_event(i, eventID=f"urn:uuid:g-{i}") for i in range(3)))
        by_hash = session.scalars(select(Event.event_hash).where(Event.event_id == ids[1])).one()
        read = events_service.get_events(session, [ids[2], by_hash, ids[0], ids[2]])
        assert sorted(read) == sorted([ids[2], ids[0], by_hash])
        assert {k: e.event_id for k, e in read.items()} == {ids[2]: ids[2], ids[0]: ids[0], by_hash: ids[1]}
        assert read[ids[0]] is events_service.get_event(session, ids[0])
        with pytest.raises(NotFound):
            events_service.get_events(session, [ids[0], "urn:uuid:nope"])
        alone = events_service.query_document(session, [read[ids[0]]])
        shared = events_service.event_contexts(session, list(read.values()))
        given = events_service.query_document(session, [read[ids[0]]], contexts=shared)
        assert {**given, "creationDate": None} == {**alone, "creationDate": None}

    def test_proof_by_event_hash(self, session: Session, party: Party) -> None:
        capture(session, party, object_event(1), object_event(2))
        event_hash = session.scalars(select(Event.event_hash).order_by(Event.id)).all()[1]
        text = service.prove(session, event_hash)
        assert verify_proof(text, leaf_hashes(session)[1], [VKEY]).index == 1

    def test_unknown_event(self, session: Session) -> None:
        with pytest.raises(NotFound):
            service.prove(session, "urn:uuid:nope")
        assert session.scalar(select(func.count()).select_from(LedgerCheckpoint)) == 0

    @pytest.mark.parametrize(("old", "new"), [(1, 9), (4, 9), (5, 7), (8, 9), (9, 9), (0, 9), (0, 0)])
    def test_consistency_between_sizes(self, session: Session, party: Party, old: int, new: int) -> None:
        capture(session, party, *(object_event(i) for i in range(9)))
        hashes = leaf_hashes(session)
        proof = service.consistency(session, old, new)
        assert (proof.old_root, proof.new_root) == (merkle.root(hashes[:old]), merkle.root(hashes[:new]))
        expected = merkle.consistency_proof(old, hashes[:new]) if 0 < old < new else []
        assert proof.proof == expected

    def test_consistency_beyond_the_tree(self, session: Session, party: Party) -> None:
        capture(session, party, object_event(1))
        with pytest.raises(OutOfRange):
            service.consistency(session, 1, 2)


class TestTiles:
    def test_partial_level_0_tile_and_entry_bundle(self, session: Session, party: Party) -> None:
        capture(session, party, *(object_event(i) for i in range(5)))
        assert service.read_tile(session, "tile/0/000.p/5") == b"".join(leaf_hashes(session))
        assert service.read_tile(session, "tile/0/000.p/2") == b"".join(leaf_hashes(session)[:2])
        entries = decode_entry_bundle(service.read_tile(session, "tile/entries/000.p/5"))
        assert entries == [bytes(leaf.leaf) for leaf in leaf_rows(session)]

    @pytest.mark.parametrize("path", ["tile/0/000.p/6", "tile/0/000", "tile/1/000.p/1", "tile/entries/001.p/1"])
    def test_tiles_the_log_has_not_grown_to(self, session: Session, party: Party, path: str) -> None:
        capture(session, party, *(object_event(i) for i in range(5)))
        with pytest.raises(NotFound):
            service.read_tile(session, path)


class TestServedEventsRebuildTheirLeaves:
    def test_every_example_event_checks_offline_as_served(self, session: Session, party: Party) -> None:
        # given every GS1 example document captured (extensions, sensor data, contexts of their own)
        captured: list[str] = []
        for path in EXAMPLES:
            result = capture_service.capture_document(session, load(path), actor=party, behaviour="proceed")
            captured += [o.event_id for o in result.outcomes if o.status == "captured" and o.event_id]
        # then each event, exactly as GET /events/{eventID} serves it, rebuilds the leaf the log holds
        failures = []
        for event_id in captured:
            served = events_service.query_document(session, [events_service.get_event(session, event_id)])
            try:
                evidence.check_event_proof(service.prove(session, event_id), served, [VKEY])
            except LedgerError as exc:
                failures.append((event_id, str(exc)))
        assert (len(captured), failures) == (EXAMPLE_EVENTS, [])
        # and read together, as the product page reads a story's events: the same documents and proofs
        read = events_service.get_events(session, captured)
        contexts = events_service.event_contexts(session, list(read.values()))
        assert len(contexts) >= 1  # the examples bring contexts of their own
        proofs = service.prove_many(session, captured)
        assert sorted(proofs) == sorted(captured)
        for event_id in captured:
            together = events_service.query_document(session, [read[event_id]], contexts=contexts)
            alone = events_service.query_document(session, [events_service.get_event(session, event_id)])
            assert {**together, "creationDate": None} == {**alone, "creationDate": None}
            assert proofs[event_id] == service.prove(session, event_id)
            evidence.check_event_proof(proofs[event_id], together, [VKEY])
