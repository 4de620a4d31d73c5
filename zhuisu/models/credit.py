"""Credit (信用) of the parties: blacklist entries (失信名单) regulators record, and the appeals parties make."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import UTCDateTime
from zhuisu.kit.time import utc_now
from zhuisu.models.base import IdMixin


class BlacklistEntry(IdMixin, Base):
    """A party on the list of seriously untrustworthy parties (严重失信主体名单) for a term, with the reason and the
    legal basis; public while in force. ``revoked_at``: removed before the term's end (移出), with the reason."""

    __tablename__ = "credit_blacklist"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    #: The provision it rests on, e.g. 《食品安全法》第一百二十三条.
    legal_basis: Mapped[str] = mapped_column(String(500))
    starts_on: Mapped[date] = mapped_column(Date)
    #: The last day of the term; None: until removed.
    ends_on: Mapped[date | None] = mapped_column(Date)
    added_by: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")


class CreditAppeal(IdMixin, Base):
    """A party's appeal (异议申诉) against its credit record or a blacklist entry, and the regulator's answer."""

    __tablename__ = "credit_appeals"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    entry_id: Mapped[str | None] = mapped_column(ForeignKey("credit_blacklist.id"))
    note: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    #: ``open`` or ``answered``.
    status: Mapped[str] = mapped_column(String(16), default="open")
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
