"""Every ORM table of zhuisu, imported from one place (Alembic and tests import from here)."""

from zhuisu.db.base import Base
from zhuisu.models.audit import AuditEntry
from zhuisu.models.canteen import CanteenPhoto, CanteenReceipt
from zhuisu.models.catalog import CatalogRelease, EventFlag
from zhuisu.models.coldchain import LoggerFile
from zhuisu.models.console import ConsoleUpload
from zhuisu.models.credit import BlacklistEntry, CreditAppeal
from zhuisu.models.equipment import Equipment
from zhuisu.models.event import CaptureDocument, CaptureJob, Event, EventContext, EventEpc, EventKey
from zhuisu.models.farm import FarmCertificate
from zhuisu.models.federation import (
    DirectoryEntry,
    EventOrigin,
    FederationChild,
    FederationLink,
    FederationOutbox,
    FederationParty,
    FederationRelay,
)
from zhuisu.models.hazardous import BuyerIdentity, PermitLimit, Waybill
from zhuisu.models.imports import ImportCertificate, ImportLot
from zhuisu.models.inspection import Certificate, Inspection
from zhuisu.models.issuance import CodeBatch, CodeCounter, CodeIssuer
from zhuisu.models.ledger import (
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerFinding,
    LedgerFollowedLog,
    LedgerHead,
    LedgerLeaf,
    LedgerNode,
    LedgerVerification,
    LedgerWitnessState,
    WitnessedLog,
)
from zhuisu.models.market import MarketReceipt, MarketStall
from zhuisu.models.masterdata import Licence, Location, Product
from zhuisu.models.notice import NoticeHook, NoticeMessage
from zhuisu.models.oversight import Alert, AlertParty, EndedThing, RiskScan
from zhuisu.models.party import ApiToken, Delegation, Party
from zhuisu.models.portal import Complaint, PortalStory, PortalStoryClock, PortalStoryThing, PortalVerifiedEvent
from zhuisu.models.query import NamedQuery, VocabularyElement
from zhuisu.models.rareearth import RareEarthQuota
from zhuisu.models.recall import Recall, RecallHolder, RecallThing
from zhuisu.models.session import WebSession
from zhuisu.models.subscription import DeliveryAttempt, OutboxMessage, PendingNotification, Subscription
from zhuisu.models.trace import TraceCustody, TraceHolding, TraceLink, TraceTransformMember

__all__ = [
    "Alert",
    "AlertParty",
    "ApiToken",
    "AuditEntry",
    "Base",
    "BlacklistEntry",
    "BuyerIdentity",
    "CanteenPhoto",
    "CanteenReceipt",
    "CaptureDocument",
    "CaptureJob",
    "CatalogRelease",
    "Certificate",
    "CodeBatch",
    "CodeCounter",
    "CodeIssuer",
    "Complaint",
    "ConsoleUpload",
    "CreditAppeal",
    "Delegation",
    "DeliveryAttempt",
    "DirectoryEntry",
    "EndedThing",
    "Equipment",
    "Event",
    "EventContext",
    "EventEpc",
    "EventFlag",
    "EventKey",
    "EventOrigin",
    "FarmCertificate",
    "FederationChild",
    "FederationLink",
    "FederationOutbox",
    "FederationParty",
    "FederationRelay",
    "ImportCertificate",
    "ImportLot",
    "Inspection",
    "LedgerCheckpoint",
    "LedgerCosignature",
    "LedgerFinding",
    "LedgerFollowedLog",
    "LedgerHead",
    "LedgerLeaf",
    "LedgerNode",
    "LedgerVerification",
    "LedgerWitnessState",
    "Licence",
    "Location",
    "LoggerFile",
    "MarketReceipt",
    "MarketStall",
    "NamedQuery",
    "NoticeHook",
    "NoticeMessage",
    "OutboxMessage",
    "Party",
    "PendingNotification",
    "PermitLimit",
    "PortalStory",
    "PortalStoryClock",
    "PortalStoryThing",
    "PortalVerifiedEvent",
    "Product",
    "RareEarthQuota",
    "Recall",
    "RecallHolder",
    "RecallThing",
    "RiskScan",
    "Subscription",
    "TraceCustody",
    "TraceHolding",
    "TraceLink",
    "TraceTransformMember",
    "VocabularyElement",
    "Waybill",
    "WebSession",
    "WitnessedLog",
]
