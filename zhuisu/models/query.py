"""Named EPCIS queries (``/queries``) and the EPCIS master data (vocabularies) queries resolve WD_/ATTR_ against."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import BigIntId, JsonDocument, UTCDateTime
from zhuisu.kit.time import utc_now


class NamedQuery(Base):
    """A query stored under a name (GS1 REST binding ``POST /queries``): its parameters as query-string pairs."""

    __tablename__ = "named_queries"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    #: ``[[name, value], …]`` — the parameters exactly as a GET /events query string would carry them.
    params: Mapped[list[list[str]]] = mapped_column(JsonDocument, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class VocabularyElement(Base):
    """One EPCIS master-data vocabulary element (a location, a business step …) with attributes and children.

    Captured from ``epcisHeader.epcisMasterData`` (JSON-LD or XML, including EPCIS master-data documents); the
    latest capture of an element replaces its attributes and children.
    """

    __tablename__ = "vocabulary_elements"
    __table_args__ = (Index("ix_vocabulary_elements_element", "element_id", "vocabulary_type", unique=True),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    vocabulary_type: Mapped[str] = mapped_column(String(200))
    #: The element id in canonical form (``zhuisu.codes.canonical.canonical_id``).
    element_id: Mapped[str] = mapped_column(String(500))
    #: ``{attribute id: value}``.
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    #: Canonical ids of the direct children.
    children: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
