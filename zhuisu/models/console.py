"""What an enterprise uploaded in its console: each events spreadsheet, with what became of every row."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import JsonDocument, UTCDateTime
from zhuisu.kit.time import utc_now
from zhuisu.models.base import IdMixin


class ConsoleUpload(IdMixin, Base):
    """One uploaded events spreadsheet: rows read, captured, already stored, and every rejected row with its
    reasons (``rejected``: ``[[row, [[column, expected_zh, expected_en, message_zh, message_en], …]], …]``; the
    columns' letters in the sheet in ``letters``), and the capture job of its good rows."""

    __tablename__ = "console_uploads"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    filename: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[list[Any]] = mapped_column(JsonDocument, default=list)
    letters: Mapped[dict[str, str]] = mapped_column(JsonDocument, default=dict)
    capture_id: Mapped[str | None] = mapped_column(ForeignKey("capture_jobs.id"))
