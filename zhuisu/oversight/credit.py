"""Credit (信用): the blacklist of seriously untrustworthy parties (严重失信主体名单), each party's credit record, and
its appeals.

- **Blacklist entries** are recorded by a regulator supervising the party (jurisdiction ∩ mandate) or the admin,
  with the reason, the legal basis and a term (from, until — open-ended allowed); removed early (移出) with a reason.
  An entry in force is public (the 失信名单 page and ``GET /blacklist``: name, 统一社会信用代码, region, reason,
  basis, term) and flags the party's captures: each event it records while listed gets a catalog flag
  (``event_flags``, rule ``credit.blacklist``), so the desk sees it (``flag_blacklisted``, a receiver of capture's
  ``events_recorded``).
- **The credit record** of a party derives a grade from what the node holds about it: A (守信) nothing against it;
  B (基本守信) complaints about its products, catalog flags on its events in the last year, or open risk alerts of
  low or medium severity; C (失信风险) a licence expired, catalog flags on more than 1 % of its events in the last
  year, an open high-severity risk alert, a failed inspection of its products in the last year, a recall a
  regulator ordered of its products in the last year, or a recall it holds goods of whose deadline passed before it
  confirmed; D (严重失信) on the blacklist now. Each input is listed with the grade, so the grade can be checked.
- **Appeals** (异议申诉): the party files a note (optionally about one entry); a regulator supervising it or the
  admin answers.

Who reads a record: the party itself, the regulators supervising it, the admin (``permissions``). Services never
commit; every write is audited.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from zhuisu.auth import roles
from zhuisu.auth.roles import is_admin
from zhuisu.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from zhuisu.events.stored import StoredEvent
from zhuisu.kit.i18n import pair
from zhuisu.kit.time import utc_now
from zhuisu.models import (
    Alert,
    AuditEntry,
    BlacklistEntry,
    Complaint,
    CreditAppeal,
    Event,
    EventFlag,
    Inspection,
    Licence,
    Party,
    Product,
    Recall,
)
from zhuisu.parties import service as parties_service
from zhuisu.recall import completion as recall_completion
from zhuisu.recall import orders as recall_orders

BLACKLIST_RULE = "credit.blacklist"
GRADES = {
    "A": pair("trustworthy"),
    "B": pair("mostly trustworthy"),
    "C": pair("at risk"),
    "D": pair("seriously untrustworthy"),
}
_FLAG_SHARE = 0.01
_YEAR = timedelta(days=365)


@dataclass(frozen=True)
class CreditRecord:
    party: Party
    grade: str
    reasons: list[tuple[str, str]]
    entries: list[BlacklistEntry]
    licences_valid: int
    licences_expired: int
    complaints: int
    complaints_open: int
    events: int
    flagged: int
    appeals: list[CreditAppeal]
    alerts_open: int = 0
    alerts_high: int = 0
    inspections_failed: int = 0
    recalls_ordered: int = 0
    recall_lines_overdue: int = 0


def supervises(actor: Party, party: Party) -> bool:
    """Whether ``actor`` (the admin, or a regulator by jurisdiction ∩ mandate) may act on ``party``'s credit."""
    return is_admin(actor) or roles.supervises(actor, party.region, party.product_class)


def _party(session: Session, reference: str) -> Party:
    return parties_service.get_party(session, reference.strip())


def _authority(actor: Party, party: Party) -> None:
    if not supervises(actor, party):
        raise PermissionDenied(
            "只有监管该主体的监管部门可以处理其信用记录",
            message_en="only a regulator supervising the party (or the admin) acts on its credit",
        )


def add_entry(
    session: Session,
    *,
    actor: Party,
    party: str,
    reason: str,
    legal_basis: str,
    starts_on: date,
    ends_on: date | None,
    relayed: bool = False,
) -> BlacklistEntry:
    """List a party (its id or 统一社会信用代码). PermissionDenied unless ``actor`` supervises it; InvalidInput for
    an empty reason or basis, a term ending before it starts, or a party that is not an enterprise. ``relayed``: an
    entry the parent node made, relayed here for an enterprise this node registers (``exchange.federation``; the
    actor is the parent's party here) — never from a request."""
    target = _party(session, party)
    if not relayed:
        _authority(actor, target)
    if target.actor != "enterprise":
        raise InvalidInput("只有企业可以列入失信名单", message_en="only an enterprise can be listed", field="party")
    if not reason.strip():
        raise InvalidInput("请填写列入理由", message_en="give the reason", field="reason")
    if not legal_basis.strip():
        raise InvalidInput("请填写法律依据", message_en="give the legal basis", field="legal_basis")
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput("期限的结束日期早于开始日期", message_en="the term ends before it starts", field="ends_on")
    entry = BlacklistEntry(
        party_id=target.id,
        reason=reason.strip(),
        legal_basis=legal_basis.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        added_by=actor.id,
        revoke_reason="",
    )
    session.add(entry)
    session.flush()
    _audit(session, actor, "blacklist_added", entry.id, {"party": target.id, "reason": entry.reason})
    return entry


def revoke_entry(
    session: Session, entry_id: str, *, actor: Party, reason: str, relayed: bool = False
) -> BlacklistEntry:
    """Remove an entry before its term ends (移出). NotFound (also outside the actor's supervision), InvalidInput
    without a reason, Conflict when already removed. ``relayed``: the parent node removed the entry it made."""
    entry = session.get(BlacklistEntry, entry_id)
    party = session.get(Party, entry.party_id) if entry is not None else None
    if entry is None or party is None or not (relayed or supervises(actor, party)):
        raise NotFound(f"没有编号为 {entry_id} 的失信记录", message_en=f"no blacklist entry {entry_id}")
    if not reason.strip():
        raise InvalidInput("请填写移出理由", message_en="give the reason for the removal", field="reason")
    if entry.revoked_at is not None:
        raise Conflict("该记录已移出", message_en="this entry was removed already")
    entry.revoked_at, entry.revoked_by, entry.revoke_reason = utc_now(), actor.id, reason.strip()
    session.flush()
    _audit(session, actor, "blacklist_removed", entry.id, {"party": party.id, "reason": entry.revoke_reason})
    return entry


def _in_force(today: date) -> ColumnElement[bool]:
    return and_(
        BlacklistEntry.revoked_at.is_(None),
        BlacklistEntry.starts_on <= today,
        or_(BlacklistEntry.ends_on.is_(None), BlacklistEntry.ends_on >= today),
    )


def in_force(entry: BlacklistEntry, today: date) -> bool:
    return entry.revoked_at is None and entry.starts_on <= today and (entry.ends_on is None or entry.ends_on >= today)


def public_list(session: Session, *, today: date | None = None) -> list[tuple[BlacklistEntry, Party]]:
    """The entries in force with their parties, newest first (what the public 失信名单 shows)."""
    today = today or utc_now().date()
    statement = (
        select(BlacklistEntry, Party)
        .join(Party, Party.id == BlacklistEntry.party_id)
        .where(_in_force(today))
        .order_by(BlacklistEntry.starts_on.desc(), BlacklistEntry.id)
    )
    return [(entry, party) for entry, party in session.execute(statement)]


def flag_blacklisted(session: Session, stored: Sequence[StoredEvent]) -> None:
    """Receiver of capture's ``events_recorded``: flag each event recorded by a party listed now (one query)."""
    recorders = sorted({item.recorder_id for item in stored})
    if not recorders:
        return
    listed = set(
        session.scalars(
            select(BlacklistEntry.party_id).where(BlacklistEntry.party_id.in_(recorders), _in_force(utc_now().date()))
        )
    )
    if not listed:
        return
    session.add_all(
        EventFlag(
            event_pk=item.pk,
            recorder_id=item.recorder_id,
            class_id="",
            rule_id=BLACKLIST_RULE,
            release="credit",
            elements=[],
        )
        for item in stored
        if item.recorder_id in listed
    )


def credit_record(session: Session, party_ref: str, *, reader: Party, today: date | None = None) -> CreditRecord:
    """A party's record and grade (see the module docstring). NotFound for a party ``reader`` may not read (the
    party itself, a regulator supervising it, the admin)."""
    party = _party(session, party_ref)
    if reader.id != party.id and not supervises(reader, party):
        raise NotFound(f"没有编号为 {party_ref} 的主体", message_en=f"no party {party_ref}")
    today = today or utc_now().date()
    entries = list(
        session.scalars(
            select(BlacklistEntry).where(BlacklistEntry.party_id == party.id).order_by(BlacklistEntry.starts_on.desc())
        )
    )
    licences = list(session.scalars(select(Licence).where(Licence.party_id == party.id)))
    expired = sum(1 for lic in licences if lic.valid_to is not None and lic.valid_to < today)
    product_codes = select(Product.gtin).where(Product.producer_id == party.id, Product.gtin.is_not(None))
    gtins = [g for g in session.scalars(product_codes) if g]
    complaints_rows = (
        list(
            session.execute(
                select(Complaint.status).where(
                    or_(*(Complaint.code.startswith(f"https://id.gs1.org/01/{g.zfill(14)}") for g in gtins))
                )
            )
        )
        if gtins
        else []
    )
    since = utc_now() - _YEAR
    events = (
        session.scalar(
            select(func.count()).select_from(Event).where(Event.recorder_id == party.id, Event.record_time >= since)
        )
        or 0
    )
    flagged = (
        session.scalar(
            select(func.count(func.distinct(EventFlag.event_pk))).where(
                EventFlag.recorder_id == party.id, EventFlag.created_at >= since
            )
        )
        or 0
    )
    appeals = list(
        session.scalars(select(CreditAppeal).where(CreditAppeal.party_id == party.id).order_by(CreditAppeal.filed_at))
    )
    open_alerts = list(
        session.scalars(select(Alert.severity).where(Alert.party_id == party.id, Alert.status != "closed"))
    )
    failed = (
        session.scalar(
            select(func.count())
            .select_from(Inspection)
            .where(
                Inspection.producer_id == party.id,
                Inspection.result == "fail",
                Inspection.inspected_on >= today - _YEAR,
            )
        )
        or 0
    )
    ordered = (
        session.scalar(
            select(func.count())
            .select_from(Recall)
            .where(Recall.owner_id == party.id, Recall.kind == "ordered", Recall.created_at >= since)
        )
        or 0
    )
    overdue = _overdue_lines(session, party)
    facts = _Facts(
        listed=any(in_force(e, today) for e in entries),
        expired=expired,
        complaints=len(complaints_rows),
        events=events,
        flagged=flagged,
        alerts_open=len(open_alerts),
        alerts_high=sum(1 for severity in open_alerts if severity == "high"),
        inspections_failed=failed,
        recalls_ordered=ordered,
        recall_lines_overdue=overdue,
    )
    grade, reasons = _grade(facts)
    return CreditRecord(
        party=party,
        grade=grade,
        reasons=reasons,
        entries=entries,
        licences_valid=len(licences) - expired,
        licences_expired=expired,
        complaints=len(complaints_rows),
        complaints_open=sum(1 for (status,) in complaints_rows if status != "closed"),
        events=events,
        flagged=flagged,
        appeals=appeals,
        alerts_open=facts.alerts_open,
        alerts_high=facts.alerts_high,
        inspections_failed=failed,
        recalls_ordered=ordered,
        recall_lines_overdue=overdue,
    )


@dataclass(frozen=True)
class _Facts:
    listed: bool
    expired: int
    complaints: int
    events: int
    flagged: int
    alerts_open: int
    alerts_high: int
    inspections_failed: int
    recalls_ordered: int
    recall_lines_overdue: int


def _overdue_lines(session: Session, party: Party) -> int:
    """The recalls ``party`` holds goods of whose deadline passed before it confirmed them all."""
    now = utc_now()
    overdue = 0
    for recall, _ in recall_orders.recalls_held_by(session, party):
        read = recall_completion.read(session, recall, view="holder", reader=party, now=now)
        overdue += sum(1 for line in read.holders if line.party_id == party.id and line.status == "overdue")
    return overdue


def _grade(facts: _Facts) -> tuple[str, list[tuple[str, str]]]:
    if facts.listed:
        return "D", [pair("on the blacklist")]
    risk = []
    if facts.expired:
        risk.append((f"{facts.expired} 张许可证已过期", f"{facts.expired} licence(s) expired"))
    if facts.events and facts.flagged / facts.events > _FLAG_SHARE:
        risk.append(
            (
                f"近一年 {facts.flagged}/{facts.events} 条记录被标记",
                f"{facts.flagged} of {facts.events} records flagged in a year",
            )
        )
    if facts.alerts_high:
        risk.append(
            (f"{facts.alerts_high} 条高风险预警未关闭", f"{facts.alerts_high} open high-severity risk alert(s)")
        )
    if facts.inspections_failed:
        risk.append(
            (
                f"近一年产品检验不合格 {facts.inspections_failed} 次",
                f"{facts.inspections_failed} failed inspection(s) in a year",
            )
        )
    if facts.recalls_ordered:
        risk.append(
            (
                f"近一年被责令召回 {facts.recalls_ordered} 次",
                f"ordered to recall {facts.recalls_ordered} time(s) in a year",
            )
        )
    if facts.recall_lines_overdue:
        risk.append(
            (
                f"{facts.recall_lines_overdue} 次召回逾期未确认",
                f"{facts.recall_lines_overdue} recall(s) not confirmed by the deadline",
            )
        )
    if risk:
        return "C", risk
    minor = []
    if facts.complaints:
        minor.append((f"产品被投诉举报 {facts.complaints} 次", f"{facts.complaints} complaint(s) about its products"))
    if facts.flagged:
        minor.append((f"近一年 {facts.flagged} 条记录被标记", f"{facts.flagged} record(s) flagged in a year"))
    if facts.alerts_open:
        minor.append((f"{facts.alerts_open} 条风险预警未关闭", f"{facts.alerts_open} open risk alert(s)"))
    if minor:
        return "B", minor
    return "A", []


def file_appeal(session: Session, *, actor: Party, note: str, entry_id: str | None = None) -> CreditAppeal:
    """The party's own appeal (异议申诉). InvalidInput without a note; NotFound for an entry not about it."""
    if not note.strip():
        raise InvalidInput("请填写申诉内容", message_en="write the appeal", field="note")
    if entry_id is not None:
        entry = session.get(BlacklistEntry, entry_id)
        if entry is None or entry.party_id != actor.id:
            raise NotFound(f"没有编号为 {entry_id} 的失信记录", message_en=f"no blacklist entry {entry_id}")
    appeal = CreditAppeal(party_id=actor.id, entry_id=entry_id, note=note.strip(), status="open", answer="")
    session.add(appeal)
    session.flush()
    _audit(session, actor, "credit_appeal_filed", appeal.id, {"entry": entry_id})
    return appeal


def answer_appeal(session: Session, appeal_id: str, *, actor: Party, answer: str) -> CreditAppeal:
    """A supervising regulator's (or the admin's) answer. NotFound outside its supervision; InvalidInput without
    an answer; Conflict when answered already."""
    appeal = session.get(CreditAppeal, appeal_id)
    party = session.get(Party, appeal.party_id) if appeal is not None else None
    if appeal is None or party is None or not supervises(actor, party):
        raise NotFound(f"没有编号为 {appeal_id} 的申诉", message_en=f"no appeal {appeal_id}")
    if not answer.strip():
        raise InvalidInput("请填写答复", message_en="write the answer", field="answer")
    if appeal.status == "answered":
        raise Conflict("该申诉已答复", message_en="this appeal was answered already")
    appeal.status, appeal.answer, appeal.answered_by, appeal.answered_at = (
        "answered",
        answer.strip(),
        actor.id,
        utc_now(),
    )
    session.flush()
    _audit(session, actor, "credit_appeal_answered", appeal.id, {"party": party.id})
    return appeal


def _audit(session: Session, actor: Party, action: str, subject: str, payload: dict[str, object]) -> None:
    session.add(AuditEntry(actor_id=actor.id, action=action, subject=subject, payload=payload))


def entries_in_lane(
    session: Session, *, reader: Party, today: date | None = None
) -> list[tuple[BlacklistEntry, Party]]:
    """Every entry (in force or not) about the parties ``reader`` supervises, newest first; the admin's: all."""
    rows = session.execute(
        select(BlacklistEntry, Party)
        .join(Party, Party.id == BlacklistEntry.party_id)
        .order_by(BlacklistEntry.added_at.desc())
    )
    return [(entry, party) for entry, party in rows if supervises(reader, party)]


def open_appeals(session: Session, *, reader: Party) -> list[tuple[CreditAppeal, Party]]:
    """Appeals waiting for an answer from ``reader`` (parties it supervises), oldest first."""
    rows = session.execute(
        select(CreditAppeal, Party)
        .join(Party, Party.id == CreditAppeal.party_id)
        .where(CreditAppeal.status == "open")
        .order_by(CreditAppeal.filed_at)
    )
    return [(appeal, party) for appeal, party in rows if supervises(reader, party)]
