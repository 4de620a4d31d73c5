"""Federation (上下一体): this node's link to its parent node, the outbox of events it reports upward, the child
nodes registered here, and where each event received from a child came from.

A city node links to its province (``FederationLink``); each event it records is queued for the link in the capture
transaction (``FederationOutbox``, one row per event), so an event exists exactly when its report to the parent
does; the sender pushes the rows in order with ``POST /capture``, retrying with backoff, and keeps the parent's
refusal of an event on its row. The parent knows its children (``FederationChild``: the node party whose token
they send with, their log key, their base URL) and keeps, for each event a child sent, its provenance
(``EventOrigin``): the node it was first recorded at, its record time and recorder there — never re-attributed:
the event is credited to its recorder's mirror here (``FederationParty``), not to the node that sent it.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import BigIntId, JsonDocument, UTCDateTime
from zhuisu.kit.time import utc_now
from zhuisu.models.base import IdMixin


class FederationLink(IdMixin, Base):
    """This node's parent (the node it reports to), and how the reporting goes."""

    __tablename__ = "federation_links"

    parent_url: Mapped[str] = mapped_column(String(500), unique=True)
    #: The bearer token of this node's party at the parent (issued there by ``zhuisu node add``).
    token: Mapped[str] = mapped_column(String(200))
    #: What the parent said it is when linked (``GET /exchange/node``).
    parent_name: Mapped[str] = mapped_column(String(200), default="")
    parent_origin: Mapped[str] = mapped_column(String(500), default="")
    parent_log_vkey: Mapped[str] = mapped_column(Text, default="")
    #: The parent's cosigner key: it witnesses this node's log (``<vkey> <parent>/ledger/witness``).
    parent_witness_vkey: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    #: The last batch the parent accepted; the last failure (network, 5xx, 401) and when; consecutive failures
    #: (the backoff grows with them) and when the sender tries again.
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    #: A sender working on this link holds it until then; another sender (another worker) leaves it alone.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The resolver directory entries last given to the parent (sent again when they change).
    directory: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    #: When the parent's catalog releases were last taken (``federation_catalog_interval_seconds``).
    catalog_pulled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last party registered here that the parent was told of (registration time and id: parties go up in
    #: that order, so the parent knows the enterprises that recorded nothing yet too).
    parties_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    parties_sent_id: Mapped[str] = mapped_column(String(32), default="")
    #: Reconciliation: the events up to this key were checked at the parent (an EPCIS query by eventID), when,
    #: how many it lacked and were reported again, and the last failure of a check.
    reconciled_pk: Mapped[int] = mapped_column(BigInteger, default=0)
    reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reconcile_requeued: Mapped[int] = mapped_column(Integer, default=0)
    reconcile_error: Mapped[str] = mapped_column(Text, default="")
    #: The parent as a party here: the issuer of the recalls it orders, relayed to this node's holders.
    parent_party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))


class FederationOutbox(Base):
    """One event to report to a parent: pending until the parent answers for it, then sent (stored there, or a
    duplicate of what it holds) or refused (the parent's rules rejected it; ``errors`` says why)."""

    __tablename__ = "federation_outbox"
    __table_args__ = (
        Index("ix_federation_outbox_link_state", "link_id", "state", "id"),
        # the sweep of rows the parent accepted long ago: a range of this index, empty when there is nothing to do
        Index("ix_federation_outbox_link_state_sent", "link_id", "state", "sent_at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    link_id: Mapped[str] = mapped_column(ForeignKey("federation_links.id", ondelete="CASCADE"))
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    #: The event's record time here (the lag of a pending row is measured from it).
    record_time: Mapped[datetime] = mapped_column(UTCDateTime)
    #: pending, sent, refused.
    state: Mapped[str] = mapped_column(String(16), default="pending")
    #: Top-level event members the catalog withholds from the parent for the event's class.
    withheld: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FederationChild(Base):
    """A child node registered here: its node party (whose token it sends with), log and address."""

    __tablename__ = "federation_children"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    #: The child's log origin (its Ed25519 log key's name); empty until the child linked.
    origin: Mapped[str] = mapped_column(String(500), default="", index=True)
    log_vkey: Mapped[str] = mapped_column(Text, default="")
    base_url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received: Mapped[int] = mapped_column(Integer, default=0)


class FederationParty(Base):
    """A party registered at another node, known here because a child node sent events it recorded: the events are
    credited to it here (its mirror: the same name, codes, region and class), never to the node that sent them."""

    __tablename__ = "federation_parties"

    #: The log origin of the node it is registered at, and its id there.
    node: Mapped[str] = mapped_column(String(500), primary_key=True)
    remote_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The child node that told this node of it (a recall naming it as a holder is relayed to that child).
    via_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class FederationRelay(Base):
    """What the parent node ordered, relayed here: a recall naming holders this node registers (``kind`` recall)
    or a blacklist entry of an enterprise registered here (``blacklist``) — the parent's id and the local record
    that carries it (changed here when the parent closes or revokes it)."""

    __tablename__ = "federation_relays"

    link_id: Mapped[str] = mapped_column(ForeignKey("federation_links.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    remote_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The local recall or blacklist entry; None when it could not be relayed (``problem`` says why).
    local_id: Mapped[str | None] = mapped_column(String(32))
    problem: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class DirectoryEntry(Base):
    """The resolver directory: which node answers for the codes under a prefix — a GS1 company prefix (``gs1``), a
    zhuisu code issuer (``zhuisu``: region and party number) or a region (``region``, GB/T 2260) — learnt from a
    child node (its own and its children's, with their addresses) or entered by the admin (``child_id`` None)."""

    __tablename__ = "federation_directory"
    __table_args__ = (Index("ix_federation_directory_kind_prefix", "kind", "prefix"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(String(500))
    name: Mapped[str] = mapped_column(String(200), default="")
    child_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class EventOrigin(Base):
    """Where an event received from a child node was first recorded (its provenance), kept as the child sent it."""

    __tablename__ = "event_origins"

    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    #: The child node party that sent it here (the capture job's; the event is credited to its recorder's mirror).
    via_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The log origin and base URL of the node that first recorded it (the child itself, or a node below it).
    node: Mapped[str] = mapped_column(String(500), index=True)
    node_url: Mapped[str] = mapped_column(String(500), default="")
    record_time: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The recorder there: its id at that node, its name, USCC and GLN when it has them.
    recorder: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    #: The CBV 2.0 event hash there (differs from this node's when members were withheld).
    hash: Mapped[str] = mapped_column(String(100))
    withheld: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
