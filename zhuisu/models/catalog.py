"""The catalog (目录) releases loaded at run time, and the flags left on events accepted with missing elements.

The national catalog shipped with zhuisu lives in package data (``zhuisu/catalog/data``); a release stored here
is one loaded later (a local catalog of a province or city, or a newer national version). Releases are immutable:
a change is a new release with its own effective date, so records checked under an older one keep their meaning.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import BigIntId, JsonDocument, UTCDateTime
from zhuisu.kit.time import utc_now
from zhuisu.models.base import IdMixin


class CatalogRelease(IdMixin, Base):
    """One version of the national catalog or of a local one, as the document that defines it."""

    __tablename__ = "catalog_releases"
    __table_args__ = (UniqueConstraint("scope", "region", "version"),)

    #: ``national`` or ``local``.
    scope: Mapped[str] = mapped_column(String(16))
    #: GB/T 2260 code of the province or city a local catalog applies to; empty for the national one.
    region: Mapped[str] = mapped_column(String(6), default="")
    version: Mapped[str] = mapped_column(String(40))
    effective_from: Mapped[date] = mapped_column(Date)
    digest: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    loaded_by: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))


class EventFlag(Base):
    """An event accepted although a rule configured to flag (not refuse) found required elements missing."""

    __tablename__ = "event_flags"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    recorder_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    class_id: Mapped[str] = mapped_column(String(100), index=True)
    rule_id: Mapped[str] = mapped_column(String(100))
    #: ``scope:region:version`` of the catalog release whose rule raised the flag.
    release: Mapped[str] = mapped_column(String(64))
    #: Keys of the missing data elements.
    elements: Mapped[list[str]] = mapped_column(JsonDocument)
    #: Why, when an interlock raised the flag (``zhuisu.sectors.interlocks``): ``{"zh": …, "en": …}`` and the
    #: facts it measured; empty for missing elements and licences.
    detail: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
