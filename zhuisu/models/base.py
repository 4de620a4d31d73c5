"""Mixins shared by the tables."""

import uuid
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.types import UTCDateTime
from zhuisu.kit.time import utc_now


def new_id() -> str:
    return uuid.uuid4().hex


class IdMixin:
    """A random UUID key (hex): rows arrive from many platforms, so keys are not sequential integers."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
