"""The node's transparency log: its head, leaves, complete-subtree hashes, signed checkpoints and witness state.

The log is an RFC 9162 Merkle tree over one leaf per stored event, in arrival order. ``ledger_nodes`` keeps every
complete-subtree hash (level 0 are the leaf hashes) under one integer key, ``level << 56 | index``, so a root or a
proof reads ``O(log n)`` rows by primary key and a tlog-tiles tile is one key range. Leaves carry no foreign key
to ``events``: the log must outlive a row deleted behind its back, which is how the deletion is detected.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import BigIntId, UTCDateTime
from zhuisu.kit.time import utc_now

#: Bits of a node key that hold the index within its level (levels 0..63 fit in a signed 64-bit key).
NODE_INDEX_BITS = 56


def node_key(level: int, index: int) -> int:
    """The ``ledger_nodes`` primary key of the complete subtree ``(level, index)``."""
    return level << NODE_INDEX_BITS | index


class LedgerHead(Base):
    """The one row holding the log's size and its compact range (the hashes of ``root_nodes(size)``).

    Appends lock this row (``SELECT … FOR UPDATE``) before assigning leaf indexes, so concurrent captures on
    PostgreSQL never interleave; with the compact range at hand an append reads no other row.
    """

    __tablename__ = "ledger_heads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    compact: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class LedgerLeaf(Base):
    """One log entry: the event it commits to and the versioned leaf bytes (``zhuisu.ledger.leaf``)."""

    __tablename__ = "ledger_leaves"

    idx: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=False)
    event_pk: Mapped[int] = mapped_column(BigInteger, unique=True)
    event_id: Mapped[str] = mapped_column(String(500), unique=True)
    leaf: Mapped[bytes] = mapped_column(LargeBinary)
    #: The salt of a v2 leaf's recorder commitment (None for a v1 leaf, whose recorder is in the clear).
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)


class LedgerNode(Base):
    """A complete-subtree hash; ``key = level << 56 | index`` (see ``node_key``)."""

    __tablename__ = "ledger_nodes"

    key: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class LedgerCheckpoint(Base):
    """A checkpoint this node signed (C2SP signed note), with the witness cosignatures gathered since."""

    __tablename__ = "ledger_checkpoints"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(BigInteger, unique=True)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class LedgerCosignature(Base):
    """A witness cosignature received for one of this node's checkpoints (the line is also in the note)."""

    __tablename__ = "ledger_cosignatures"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("ledger_checkpoints.id"), index=True)
    witness: Mapped[str] = mapped_column(String(200))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    line: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class LedgerWitnessState(Base):
    """What a witness has cosigned for this log: the ``old`` size of the next add-checkpoint. A witness registered
    at run time (a federation link to a parent node) keeps its key and address here too; the configured ones
    (``ledger_witnesses``) have none."""

    __tablename__ = "ledger_witness_states"

    witness: Mapped[str] = mapped_column(String(200), primary_key=True)
    vkey: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    known_size: Mapped[int] = mapped_column(BigInteger, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cosigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LedgerFollowedLog(Base):
    """A child log this node witnesses, registered at run time (a child node that linked here), beside the
    configured ``ledger_witnessed_logs``: its origin and its Ed25519 vkey."""

    __tablename__ = "ledger_followed_logs"

    origin: Mapped[str] = mapped_column(String(500), primary_key=True)
    vkey: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class WitnessedLog(Base):
    """This node as a witness: the latest checkpoint it cosigned for a child log (c2sp.org/tlog-witness)."""

    __tablename__ = "ledger_witnessed_logs"

    origin: Mapped[str] = mapped_column(String(500), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class LedgerVerification(Base):
    """One replay of the store against the log: by ``zhuisu ledger verify`` (``full``, every event) or by the
    background verifier (``sample``: a random share of the events, each leaf proved into the latest signed
    checkpoint). What it found is in ``ledger_findings``; the desk lists them as alerts."""

    __tablename__ = "ledger_verifications"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    #: ``full`` or ``sample``.
    mode: Mapped[str] = mapped_column(String(8))
    #: ``cli`` (a person ran it) or ``background`` (the worker's schedule).
    trigger: Mapped[str] = mapped_column(String(16))
    sample_rate: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Leaves in the log (full) or in the signed checkpoint sampled from (sample).
    leaves: Mapped[int] = mapped_column(BigInteger)
    #: Events whose rows and derived rows were checked.
    checked: Mapped[int] = mapped_column(BigInteger)
    #: Checkpoints held elsewhere (a file, a witness) the log was proved to extend.
    external: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[int] = mapped_column(Integer)


class LedgerFinding(Base):
    """One thing a verification found: a changed, deleted or inserted event, a derived row of no one event, or a
    problem of the log itself (``ledger.verify.Finding``)."""

    __tablename__ = "ledger_findings"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    verification_id: Mapped[int] = mapped_column(ForeignKey("ledger_verifications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str | None] = mapped_column(String(500))
    #: The recorder of the event when its row is there (a regulator sees the findings of the parties it
    #: supervises, and those of no party: the log's own).
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    detail: Mapped[str] = mapped_column(Text)
