"""Every ORM table of zhuisu, imported from one place (Alembic and tests import from here)."""

from zhuisu.db.base import Base
from zhuisu.models.audit import AuditEntry
from zhuisu.models.event import CaptureJob, Event, EventContext, EventEpc
from zhuisu.models.issuance import CodeBatch, CodeCounter, CodeIssuer
from zhuisu.models.party import ApiToken, Party

__all__ = ["ApiToken", "AuditEntry", "Base", "CaptureJob", "CodeBatch", "CodeCounter", "CodeIssuer", "Event", "EventContext", "EventEpc", "Party"]
