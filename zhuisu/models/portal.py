"""Complaints and reports (投诉举报) the public files from a product page, and how regulators handle them.

Each gets a reference number shown to the person who filed it (the acknowledgement); regulators move it through
``received`` → ``in_progress`` → ``closed``. The contact is optional and never shown on public pages.

The public story of a code is also kept as a read model (``PortalStory``): built once, served by one indexed read
until a capture naming one of the things its trace walked marks it stale (see ``zhuisu.portal.stories``).
"""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import UTCDateTime
from zhuisu.models.base import IdMixin, TimestampMixin


class Complaint(IdMixin, TimestampMixin, Base):
    __tablename__ = "portal_complaints"

    #: The acknowledgement number, e.g. ``TS20261122-7K3QX9``: date of filing and six random characters.
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    #: ``complaint`` (投诉, about the product or a seller) or ``report`` (举报, of a suspected violation).
    kind: Mapped[str] = mapped_column(String(16))
    #: The code the complaint is about, canonical, as the product page resolved it; empty when none.
    code: Mapped[str] = mapped_column(String(500), default="", index=True)
    #: Name of the product when the code resolved to one, kept for the regulator's list.
    product_name: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(200), default="")
    #: Language the person used (zh or en): the acknowledgement and any answer are in it.
    language: Mapped[str] = mapped_column(String(8), default="zh")
    #: GB/T 2260 region the product's producer is registered in, for routing to the regulator in charge.
    region: Mapped[str | None] = mapped_column(String(6), index=True)
    #: GB/T 2260 region of the last place the product's journey was recorded at (where it was bought): a
    #: regulator of that region sees the complaint too.
    place_region: Mapped[str | None] = mapped_column(String(6), index=True)
    #: ``received``, ``in_progress`` or ``closed``.
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    handled_by: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The regulators' internal handling note (not shown to the person who filed).
    note: Mapped[str] = mapped_column(Text, default="")
    #: The answer to the person who filed, shown with the reference number (答复).
    answer: Mapped[str] = mapped_column(Text, default="", server_default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The regulator the complaint is assigned to (承办), one whose region the complaint is routed to.
    assigned_to: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    #: Filed anonymously (匿名): no contact is kept; the reference number is the only way back.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: A report (举报) whose filer asks to be considered for a reward (举报奖励), claimed with the reference.
    reward: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PortalStory(Base):
    """The public story of one code as last built: its JSON, its page in each language (gzip) and the clock
    version it was built at. Served while ``stale`` is false; rebuilt on the next read when it is true."""

    __tablename__ = "portal_stories"

    #: The code, canonical (as ``zhuisu.codes.canonical.canonical_code`` gives it).
    code: Mapped[str] = mapped_column(String(500), primary_key=True)
    #: ``PublicProductRead`` as JSON bytes, served as they are by the JSON twin.
    story: Mapped[bytes] = mapped_column(LargeBinary)
    #: The product page, gzip-compressed, zh-CN and English.
    page_zh: Mapped[bytes] = mapped_column(LargeBinary)
    page_en: Mapped[bytes] = mapped_column(LargeBinary)
    #: Digest of the story JSON: the HTTP entity tag (with the language).
    etag: Mapped[str] = mapped_column(String(32))
    #: ``PortalStoryClock.version`` when the build started (the event watermark).
    version: Mapped[int] = mapped_column(BigInteger)
    #: Size of the signed checkpoint the ledger proofs were checked against.
    tree_size: Mapped[int | None] = mapped_column(BigInteger, index=True)
    #: Set by a capture naming one of the story's things (or by the built-at-a-moving-clock check).
    stale: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PortalStoryThing(Base):
    """One thing (canonical code) a story's trace walked: a capture naming it makes the story stale."""

    __tablename__ = "portal_story_things"

    code: Mapped[str] = mapped_column(String(500), primary_key=True)
    thing: Mapped[str] = mapped_column(String(500), primary_key=True, index=True)


class PortalStoryClock(Base):
    """One row: bumped by every capture the portal's hook sees, with the ledger size it saw. A ledger larger
    than ``tree_size`` means a capture ran without the hook, and every story is marked stale."""

    __tablename__ = "portal_story_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    tree_size: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The story builder (``portal.prebuild``): the last ``event_epcs.id`` whose code it has built, and the process
    #: holding its lease (one builds at a time) until when.
    built_through: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    builder: Mapped[str | None] = mapped_column(String(64))
    builder_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PortalVerifiedEvent(Base):
    """An event whose inclusion proof checked out server-side, and the checkpoint size it was checked at.

    A proof against a signed checkpoint stays valid (later checkpoints are signed only when consistent with it),
    so each event is checked once, not on every story build."""

    __tablename__ = "portal_verified_events"

    event_id: Mapped[str] = mapped_column(String(500), primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    #: The body digest (``ledger.leaf.body_digest``) the check was made on: a row whose body is no longer that is
    #: checked again (and fails), never shown as verified from the memo. None: checked before digests were kept.
    digest: Mapped[str | None] = mapped_column(String(64))
