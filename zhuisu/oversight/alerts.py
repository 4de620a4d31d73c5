"""Risk alerts: found by the rules (``oversight.rules``) at every capture and by full scans, kept one per anomaly,
read in the reader's lane, and handled by regulators (``new`` → ``acknowledged`` → ``closed`` with a note, each
step audited).

- At capture (``record_new_events``, a receiver of ``capture.signals.events_recorded``, in the capture
  transaction): the rules that need no clock, over the codes the new events name only (index probes).
- Full scan (``scan``: ``zhuisu risk scan``, ``POST /alerts/scan``, the worker every
  ``risk_scan_interval_seconds``): every rule over the whole store, the time-based ones (receipt windows, recording
  gaps) included.

An anomaly found again adds its new evidence to its alert (``last_seen`` moves); it never makes a second one, and a
closed alert stays closed.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.config import Settings
from zhuisu.db.engine import node_settings
from zhuisu.db.session import unit_of_work
from zhuisu.errors import Conflict, InvalidInput, NotFound
from zhuisu.events.stored import StoredEvent
from zhuisu.kit.time import utc_now
from zhuisu.models import Alert, AlertParty, AuditEntry, Event, FederationChild, Party, RiskScan
from zhuisu.oversight.permissions import alerts_lane, check_handler
from zhuisu.oversight.rules import BY_ID, RULES, after_destruction, split_view
from zhuisu.oversight.rules.base import (
    CHUNK,
    SEVERITIES,
    Hit,
    NewEvent,
    RiskConfig,
    RiskRule,
    Scope,
    classes_of_codes,
)

STATUSES = ("new", "acknowledged", "closed")
#: Evidence kept per alert (the latest); an anomaly found again and again names its newest events.
MAX_EVIDENCE = 50


@dataclass
class ScanReport:
    """What a scan found: hits per rule, alerts created, alerts given new evidence."""

    started_at: datetime
    now: datetime
    hits: dict[str, int] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    scan_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "scan": self.scan_id,
            "now": self.now.isoformat(),
            "hits": dict(sorted(self.hits.items())),
            "total": sum(self.hits.values()),
            "created": self.created,
            "updated": self.updated,
        }


def dedup_key(rule: str, key: str) -> str:
    """The alert's identity: the rule and what makes the anomaly this one, hashed.

    >>> dedup_key("duplicate_sale", "x")[:12]
    'c4def7a18a6c'
    """
    return hashlib.sha256(f"{rule}\n{key}".encode()).hexdigest()


def record_hits(session: Session, rule: RiskRule, hits: Sequence[Hit], *, now: datetime) -> tuple[int, int]:
    """Keep ``hits`` as alerts: new anomalies inserted (a concurrent insert of the same one is skipped), known ones
    given their new evidence. Returns (created, updated)."""
    if not hits:
        return 0, 0
    pks = sorted({pk for hit in hits for pk in hit.events})
    events: dict[int, tuple[str, str]] = {}
    for start in range(0, len(pks), CHUNK):
        for pk, event_id, recorder in session.execute(
            select(Event.id, Event.event_id, Event.recorder_id).where(Event.id.in_(pks[start : start + CHUNK]))
        ):
            events[pk] = (event_id, recorder)
    by_key = {dedup_key(rule.id, hit.key): hit for hit in hits}
    keys = sorted(by_key)
    known: dict[str, Alert] = {}
    for start in range(0, len(keys), CHUNK):
        known.update(
            (a.dedup_key, a)
            for a in session.scalars(select(Alert).where(Alert.dedup_key.in_(keys[start : start + CHUNK])))
        )
    fresh = [k for k in keys if k not in known]
    parties = _parties(
        session,
        {
            by_key[k].party_id or events[by_key[k].events[-1]][1]
            for k in fresh
            if by_key[k].party_id or by_key[k].events
        },
    )
    classes = classes_of_codes(session, {c for k in fresh for c in by_key[k].codes})
    rows: list[dict[str, Any]] = []
    for k in fresh:
        hit = by_key[k]
        party_id = hit.party_id or (events[hit.events[-1]][1] if hit.events else None)
        party = parties.get(party_id) if party_id else None
        class_id = (
            hit.class_id
            or next((classes[c] for c in hit.codes if c in classes), None)
            or (party.product_class if party else None)
        )
        rows.append(
            {
                "rule": rule.id,
                "dedup_key": k,
                "severity": rule.severity,
                "party_id": party_id,
                "region": hit.region or (party.region if party else None),
                "class_id": class_id,
                "evidence": _evidence([events[pk][0] for pk in hit.events if pk in events]),
                "codes": sorted(hit.codes)[:MAX_EVIDENCE],
                "detail_zh": hit.detail_zh,
                "detail_en": hit.detail_en,
                "first_seen": now,
                "last_seen": now,
                "status": "new",
                "note": "",
                "facts": hit.facts,
            }
        )
    created = 0
    if rows:
        dialect = session.get_bind().dialect.name
        table = Alert.__table__
        assert isinstance(table, Table)
        statement = (
            postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
        ).on_conflict_do_nothing(index_elements=["dedup_key"])
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            session.execute(statement, chunk)
            # Those a concurrent capture inserted first keep their own first_seen.
            created += int(
                session.scalar(
                    select(func.count(Alert.id)).where(
                        Alert.dedup_key.in_([r["dedup_key"] for r in chunk]), Alert.first_seen == now
                    )
                )
                or 0
            )
    updated = 0
    for k, alert in known.items():
        hit = by_key[k]
        evidence = _evidence([*alert.evidence, *(events[pk][0] for pk in hit.events if pk in events)])
        codes = sorted({*alert.codes, *hit.codes})[:MAX_EVIDENCE]
        if evidence != alert.evidence or codes != alert.codes:
            alert.evidence, alert.codes, alert.last_seen = evidence, codes, now
            alert.detail_zh, alert.detail_en, alert.facts = hit.detail_zh, hit.detail_en, hit.facts
            updated += 1
    session.flush()
    _address(session, {k: h.addressed for k, h in by_key.items() if h.addressed})
    return created, updated


def _address(session: Session, addressed: dict[str, tuple[str, ...]]) -> None:
    """The alerts' other addressees (``oversight_alert_parties``), those not yet recorded."""
    if not addressed:
        return
    keys = sorted(addressed)
    ids = dict(session.execute(select(Alert.dedup_key, Alert.id).where(Alert.dedup_key.in_(keys))).all())
    wanted = {(ids[k], p) for k in keys if k in ids for p in addressed[k]}
    have = set(
        session.execute(
            select(AlertParty.alert_id, AlertParty.party_id).where(AlertParty.alert_id.in_(sorted(ids.values())))
        ).all()
    )
    rows = [{"alert_id": a, "party_id": p} for a, p in sorted(wanted - have)]
    if rows:
        session.execute(insert(AlertParty), rows)


def _evidence(event_ids: Sequence[str]) -> list[str]:
    seen = list(dict.fromkeys(event_ids))
    return sorted(seen[-MAX_EVIDENCE:])


def _parties(session: Session, ids: set[str]) -> dict[str, Party]:
    wanted = sorted(ids)
    found: dict[str, Party] = {}
    for start in range(0, len(wanted), CHUNK):
        found.update(
            (p.id, p) for p in session.scalars(select(Party).where(Party.id.in_(wanted[start : start + CHUNK])))
        )
    return found


def scan(
    session: Session,
    *,
    config: RiskConfig,
    now: datetime | None = None,
    trigger: str = "cli",
    rules: Sequence[RiskRule] = RULES,
    on_rule: Callable[[RiskRule, int], None] | None = None,
) -> ScanReport:
    """Every rule over the whole store; the scan is remembered (``oversight_risk_scans``). The rules read first and
    the alerts are written after, so a scan holds SQLite's write lock only for the writing. ``on_rule`` hears of
    each rule done, with its hits (a progress bar)."""
    started = utc_now()
    report = ScanReport(started_at=started, now=now or started)
    scope = Scope.everything(report.now, config)
    fresh_statistics(session)
    found = []
    for rule in rules:
        hits = rule.find(session, scope)
        found.append((rule, hits))
        if on_rule is not None:
            on_rule(rule, len(hits))
    after_destruction.sync_ends(session)
    for rule, hits in found:
        report.hits[rule.id] = len(hits)
        created, updated = record_hits(session, rule, hits, now=started)
        report.created += created
        report.updated += updated
    row = RiskScan(
        trigger=trigger,
        started_at=started,
        finished_at=utc_now(),
        hits=sum(report.hits.values()),
        created=report.created,
    )
    session.add(row)
    session.flush()
    report.scan_id = row.id
    return report


def record_new_events(session: Session, stored: Sequence[StoredEvent]) -> None:
    """Receiver of ``events_recorded``: keeps the items the new events end (``after_destruction.record_ends``), then
    runs the rules that need no clock over what the new events name (off with ``risk_rules_at_capture``)."""
    if not stored:
        return
    new = [NewEvent(s.pk, s.recorder_id, s.event) for s in stored]
    after_destruction.record_ends(session, new)  # kept with the rules off too: the rule relies on it
    settings = node_settings(session)
    if settings is not None and not settings.risk_rules_at_capture:
        return
    now = utc_now()
    scope = Scope.of_events(new, now, RiskConfig.of(settings))
    for rule in RULES:
        if not rule.timed:
            record_hits(session, rule, rule.find(session, scope), now=now)


#: The tables a full scan reads most.
_SCANNED = ("events", "event_epcs", "trace_custody", "trace_holdings", "trace_links")


def record_split_view(session: Session, origin: str, cosigned: str, presented: str, detail: str) -> None:
    """Receiver of the ledger's ``split_view``: an alert (``split_view``) against the child node whose log showed
    two histories, with both checkpoints as its facts; the same checkpoint presented again adds nothing."""
    party_id = session.scalar(select(FederationChild.party_id).where(FederationChild.origin == origin))
    hit = Hit(
        key=f"{origin}\n{presented}",
        events=(),
        codes=(),
        detail_zh=f"下级节点日志 {origin} 出示的检查点与本节点见证过的检查点不一致（分叉视图）：{detail}",
        detail_en=f"the child log {origin} presented a checkpoint inconsistent with the one this node cosigned "
        f"(a split view): {detail}",
        party_id=party_id,
        facts={"origin": origin, "cosigned": cosigned, "presented": presented, "detail": detail},
    )
    record_hits(session, split_view.RULE, [hit], now=utc_now())


def fresh_statistics(session: Session) -> None:
    """On PostgreSQL, ``ANALYZE`` the tables a scan reads that have no column statistics (a node just loaded, before
    autovacuum came by; an ANALYZE rolled back with its transaction, which keeps its "last analysed" time; the
    partitioned ``events``, which autovacuum never analyses as a whole): without them the planner takes the tables
    for empty and picks nested loops over both sides, and one rule's query ran for minutes. ``ANALYZE`` samples; it
    blocks no reader or writer."""
    if session.get_bind().dialect.name != "postgresql":
        return
    never = session.scalars(
        text(
            "SELECT t FROM unnest(CAST(:names AS text[])) AS t WHERE NOT EXISTS "
            "(SELECT 1 FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = t)"
        ),
        {"names": list(_SCANNED)},
    ).all()
    for name in sorted(never):  # names of _SCANNED only (the query's filter)
        session.execute(text(f"ANALYZE {name}"))


def scan_if_due(maker: sessionmaker[Session], settings: Settings, *, now: datetime | None = None) -> ScanReport | None:
    """The worker's round: a full scan when none ran within ``risk_scan_interval_seconds`` (0: never)."""
    interval = settings.risk_scan_interval_seconds
    if interval <= 0:
        return None
    with unit_of_work(maker, write=False) as session:
        last = session.scalar(select(func.max(RiskScan.started_at)))
    if last is not None and last > (now or utc_now()) - timedelta(seconds=interval):
        return None
    with unit_of_work(maker) as session:
        return scan(session, config=RiskConfig.of(settings), trigger="background")


# --- reading and handling ---------------------------------------------------------------------------------------


def list_alerts(
    session: Session,
    *,
    reader: Party,
    settings: Settings,
    rule: str | None = None,
    status: str | None = None,
    severity: str | None = None,
    region: str | None = None,
    party: str | None = None,
    limit: int = 200,
) -> list[Alert]:
    """The alerts in ``reader``'s lane, filtered (a region is a GB/T 2260 prefix), newest first."""
    if rule and rule not in BY_ID:
        raise InvalidInput(f"未知的风险规则 {rule}", message_en=f"unknown risk rule {rule}", parameter="rule")
    if status and status not in STATUSES:
        raise InvalidInput(f"未知的状态 {status}", message_en=f"unknown status {status}", parameter="status")
    if severity and severity not in SEVERITIES:
        raise InvalidInput(f"未知的级别 {severity}", message_en=f"unknown severity {severity}", parameter="severity")
    statement = select(Alert).where(alerts_lane(reader, settings))
    if rule:
        statement = statement.where(Alert.rule == rule)
    if status:
        statement = statement.where(Alert.status == status)
    if severity:
        statement = statement.where(Alert.severity == severity)
    if region:
        statement = statement.where(Alert.region.startswith(region.strip(), autoescape=True))
    if party:
        statement = statement.where(Alert.party_id == party)
    return list(session.scalars(statement.order_by(Alert.last_seen.desc(), Alert.id.desc()).limit(limit)))


def get_alert(session: Session, alert_id: int, *, reader: Party, settings: Settings) -> Alert:
    """One alert in ``reader``'s lane, else 404 (an alert outside it is not told to exist)."""
    alert = session.scalar(select(Alert).where(Alert.id == alert_id, alerts_lane(reader, settings)))
    if alert is None:
        raise NotFound(f"没有编号为 {alert_id} 的风险预警", message_en=f"no risk alert {alert_id}")
    return alert


def acknowledge(session: Session, alert_id: int, *, actor: Party, settings: Settings) -> Alert:
    """``new`` → ``acknowledged`` (acknowledging again changes nothing); a closed alert is 409."""
    alert = get_alert(session, alert_id, reader=actor, settings=settings)
    check_handler(actor, settings)
    if alert.status == "closed":
        raise Conflict("该预警已关闭", message_en="the alert is closed")
    if alert.status == "acknowledged":
        return alert
    alert.status, alert.acknowledged_by_id, alert.acknowledged_at = "acknowledged", actor.id, utc_now()
    _audit(session, actor, alert, "alert_acknowledged", {"status": "acknowledged"})
    return alert


def close(session: Session, alert_id: int, *, actor: Party, settings: Settings, note: str) -> Alert:
    """→ ``closed`` with a handling note (required: 400 without); closing a closed alert is 409."""
    alert = get_alert(session, alert_id, reader=actor, settings=settings)
    check_handler(actor, settings)
    note = note.strip()
    if not note:
        raise InvalidInput(
            "关闭预警须填写处理说明", message_en="closing an alert needs a handling note", parameter="note"
        )
    if len(note) > 2000:
        raise InvalidInput(
            "处理说明过长（最多 2000 字）", message_en="the note is too long (2000 at most)", parameter="note"
        )
    if alert.status == "closed":
        raise Conflict("该预警已关闭", message_en="the alert is closed already")
    now = utc_now()
    if alert.acknowledged_at is None:
        alert.acknowledged_by_id, alert.acknowledged_at = actor.id, now
    alert.status, alert.closed_by_id, alert.closed_at, alert.note = "closed", actor.id, now, note
    _audit(session, actor, alert, "alert_closed", {"status": "closed", "note": note})
    return alert


def _audit(session: Session, actor: Party, alert: Alert, action: str, payload: dict[str, Any]) -> None:
    session.add(
        AuditEntry(
            actor_id=actor.id,
            action=action,
            subject=f"alert:{alert.id}",
            payload={"rule": alert.rule, "party": alert.party_id, **payload},
        )
    )
    session.flush()
