"""Complaints and reports (投诉举报) the public files from a product page, and how regulators handle them.

Each gets a reference number shown to the person who filed it (the acknowledgement); regulators move it through
``received`` → ``in_progress`` → ``closed``. The contact is optional and never shown on public pages.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
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
    #: ``received``, ``in_progress`` or ``closed``.
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    handled_by: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
