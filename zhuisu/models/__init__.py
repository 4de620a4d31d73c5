"""Every ORM table of zhuisu, imported from one place (Alembic and tests import from here)."""

from zhuisu.db.base import Base
from zhuisu.models.audit import AuditEntry
from zhuisu.models.event import CaptureJob, Event, EventContext, EventEpc
from zhuisu.models.party import ApiToken, Party

__all__ = ["ApiToken", "AuditEntry", "Base", "CaptureJob", "Event", "EventContext", "EventEpc", "Party"]
