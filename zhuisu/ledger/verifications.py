"""Verifications of the store against the log, run and remembered: ``zhuisu ledger verify`` (every event) and the
background verifier (a sample, on the worker's schedule), each stored with what it found, so the desk lists the
findings as alerts and anyone can see when the store was last checked and how much of it.

A run reads in one transaction (the replay, ``ledger.verify``) and writes in another: the run and its findings,
and — when rows no longer match — ``records_mismatched``, so what readers cached of them (the public stories and
their verified mark) is built again and shows the failure.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import utc_now
from zhuisu.ledger import keystore, signals
from zhuisu.ledger.permissions import findings_lane
from zhuisu.ledger.verify import VerifyReport, verify_sample, verify_store
from zhuisu.models import Event, EventKey, LedgerFinding, LedgerVerification, Party

_IN_CHUNK = 500


@dataclass(frozen=True)
class Run:
    """A finished verification: its stored row's id and the report."""

    id: int
    report: VerifyReport


def run(
    maker: sessionmaker[Session],
    settings: Settings,
    *,
    trigger: str,
    sample_rate: float | None = None,
    external: Sequence[str] = (),
    rng: random.Random | None = None,
) -> Run:
    """Verify (all events, or a ``sample_rate`` share), store the run and its findings, and announce mismatches."""
    key = keystore.log_key(settings)
    origin = keystore.log_origin(settings)
    started = utc_now()
    with unit_of_work(maker, write=False) as session:
        if sample_rate is None:
            report = verify_store(session, log_keys=[key.vkey], origin=origin, external=external)
        else:
            report = verify_sample(
                session, log_keys=[key.vkey], origin=origin, rate=sample_rate, external=external, rng=rng
            )
    with unit_of_work(maker) as session:
        row = record(session, report, trigger=trigger, sample_rate=sample_rate, started_at=started)
        mismatched = [f.event_id for f in report.findings if f.kind in ("changed", "deleted") and f.event_id]
        if mismatched or any(f.kind == "derived" for f in report.findings):
            signals.records_mismatched.send(session, mismatched)
        return Run(row.id, report)


def record(
    session: Session, report: VerifyReport, *, trigger: str, sample_rate: float | None, started_at: datetime
) -> LedgerVerification:
    """Store a finished verification and its findings (each event finding with the event's recorder, when the row
    is there)."""
    row = LedgerVerification(
        mode="full" if sample_rate is None else "sample",
        trigger=trigger,
        sample_rate=sample_rate,
        started_at=started_at,
        finished_at=utc_now(),
        leaves=report.leaves,
        checked=report.checked,
        external=report.external,
        findings=len(report.findings),
    )
    session.add(row)
    session.flush()
    recorders = _recorders(session, [f.event_id for f in report.findings if f.event_id])
    session.add_all(
        LedgerFinding(
            verification_id=row.id,
            kind=f.kind,
            event_id=f.event_id,
            party_id=recorders.get(f.event_id) if f.event_id else None,
            detail=f.detail,
        )
        for f in report.findings
    )
    session.flush()
    return row


def _recorders(session: Session, event_ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    wanted = sorted(set(event_ids))
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        rows = session.execute(
            select(EventKey.event_id, Event.recorder_id)
            .join(EventKey, EventKey.event_pk == Event.id)
            .where(EventKey.event_id.in_(chunk))
        )
        found.update((event_id, recorder) for event_id, recorder in rows)
    return found


def due(session: Session, *, interval_seconds: float, now: datetime | None = None) -> bool:
    """Whether the background verifier should run: on, and no background run started within the interval."""
    if interval_seconds <= 0:
        return False
    last = session.scalar(
        select(LedgerVerification.started_at)
        .where(LedgerVerification.trigger == "background")
        .order_by(LedgerVerification.started_at.desc())
        .limit(1)
    )
    return last is None or last <= (now or utc_now()) - timedelta(seconds=interval_seconds)


def list_runs(session: Session, *, limit: int = 20) -> list[LedgerVerification]:
    """The latest runs, newest first (what was checked and how much is no one party's: every reader sees them)."""
    return list(session.scalars(select(LedgerVerification).order_by(LedgerVerification.id.desc()).limit(limit)))


def get_run(session: Session, verification_id: int) -> LedgerVerification | None:
    return session.get(LedgerVerification, verification_id)


def list_findings(
    session: Session, *, reader: Party, verification_id: int | None = None, limit: int = 200
) -> list[LedgerFinding]:
    """The findings of a run (default: the latest), in the reader's lane (``permissions.findings_lane``)."""
    if verification_id is None:
        verification_id = session.scalar(select(LedgerVerification.id).order_by(LedgerVerification.id.desc()).limit(1))
        if verification_id is None:
            return []
    statement = select(LedgerFinding).where(LedgerFinding.verification_id == verification_id, findings_lane(reader))
    return list(session.scalars(statement.order_by(LedgerFinding.id).limit(limit)))
