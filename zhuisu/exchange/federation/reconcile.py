"""Reconciliation with the parent node: whether it holds the events this node reported, asked with the standard
EPCIS query by eventID (``GET /events?EQ_eventID=…``, this node's token: a node reads at its parent the events it
reported there), and the ones it lacks queued again, to go up with their provenance like any other (the sender's
round runs it when the outbox is sent, every ``federation_reconcile_interval_seconds``)."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.catalog import enforcement as catalog_enforcement
from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.federation import service
from zhuisu.models import Event, FederationLink, FederationOutbox

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReconcileWindow:
    """The events one reconciliation asks the parent about (eventID → key), and the key it checks up to."""

    asked: dict[str, int]
    last_pk: int


def to_reconcile(session: Session, link_id: str, *, after: int, before: datetime, limit: int) -> ReconcileWindow:
    """The events after key ``after`` recorded before ``before`` (at most ``limit``) that should be at the parent:
    those the catalog sends up, not refused there (the desk shows those), and up to the first still pending —
    the window ends before it, so a row queued but not yet sent is checked once it has been."""
    rows = list(
        session.execute(
            select(Event.id, Event.event_id, Event.body)
            .where(Event.id > after, Event.record_time <= before)
            .order_by(Event.id)
            .limit(limit)
        )
    )
    if not rows:
        return ReconcileWindow({}, after)
    pks = [pk for pk, _, _ in rows]
    states = dict(
        session.execute(
            select(FederationOutbox.event_pk, FederationOutbox.state).where(
                FederationOutbox.link_id == link_id,
                FederationOutbox.event_pk.in_(pks),
                FederationOutbox.state.in_((service.PENDING, service.REFUSED)),
            )
        ).all()
    )
    upward = catalog_enforcement.reporting(session, [body for _, _, body in rows])
    asked: dict[str, int] = {}
    last = after
    for (pk, event_id, _), (goes_up, _) in zip(rows, upward, strict=True):
        if states.get(pk) == service.PENDING:
            break
        last = pk
        # an eventID with "|" cannot be named in a list parameter (it is not a valid URI either)
        if goes_up and states.get(pk) != service.REFUSED and "|" not in event_id:
            asked[event_id] = pk
    return ReconcileWindow(asked, last)


def requeue(session: Session, link_id: str, pks: Sequence[int]) -> int:
    """Queue these events for the link again (the reconciliation found them missing at the parent); how many."""
    if not pks:
        return 0
    events = session.execute(select(Event.id, Event.record_time, Event.body).where(Event.id.in_(pks))).all()
    return service.queue(session, [link_id], [(pk, when, body) for pk, when, body in events])


#: Most eventIDs one reconciliation query names (its URL stays near 5 KB).
RECONCILE_QUERY = 100


def round_(maker: sessionmaker[Session], settings: Settings, link_id: str, url: str, token: str, at: datetime) -> int:
    """When due: ask the parent which of the events reported since the last check it holds — the standard EPCIS
    query ``GET /events?EQ_eventID=…`` with this node's token (a node reads the events it reported there) — and
    queue the ones it lacks again, to go up with their provenance like any other; how many. The check goes on
    from where the last one stopped (the link's ``reconciled_pk``) and stops at an event still on its way; a
    failed query leaves the cursor where it was (``reconcile_error``), to be tried again."""
    with unit_of_work(maker, write=False) as session:
        link = session.get_one(FederationLink, link_id)
        interval = timedelta(seconds=settings.federation_reconcile_interval_seconds)
        if link.reconciled_at is not None and at < link.reconciled_at + interval:
            return 0
        window = to_reconcile(
            session,
            link_id,
            after=link.reconciled_pk,
            before=at - timedelta(seconds=settings.federation_reconcile_after_seconds),
            limit=settings.federation_reconcile_events,
        )
    missing: list[int] = []
    asked = list(window.asked.items())
    for start in range(0, len(asked), RECONCILE_QUERY):
        chunk = dict(asked[start : start + RECONCILE_QUERY])
        held, error = _held(url, token, list(chunk), settings)
        if error:
            with unit_of_work(maker) as session:
                link = session.get_one(FederationLink, link_id)
                link.reconcile_error = error
            logger.warning("federation: reconciliation with %s failed: %s", url, error)
            return 0
        missing += [pk for event_id, pk in chunk.items() if event_id not in held]
    with unit_of_work(maker) as session:
        requeued = requeue(session, link_id, missing)
        link = session.get_one(FederationLink, link_id)
        link.reconciled_pk = max(link.reconciled_pk, window.last_pk)
        link.reconciled_at, link.reconcile_error = at, ""
        link.reconcile_requeued += requeued
    if requeued:
        logger.warning("federation: %s lacked %d reported event(s); reported again", url, requeued)
    return requeued


def _held(url: str, token: str, event_ids: list[str], settings: Settings) -> tuple[set[str], str]:
    """Which of ``event_ids`` the parent holds (and "") — or why it could not say."""
    params = {"EQ_eventID": "|".join(event_ids), "perPage": str(len(event_ids))}
    try:
        answer = httpx.get(
            f"{url}/events",
            params=params,
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
            timeout=settings.federation_timeout_seconds,
        )
        document = answer.json() if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError) as exc:
        return set(), f"the parent cannot be reached: {type(exc).__name__}: {exc}"
    if not isinstance(document, dict):
        return set(), f"the parent answered {answer.status_code} to the reconciliation query: {answer.text[:300]}"
    try:
        events = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        return {str(e.get("eventID")) for e in events if isinstance(e, dict)}, ""
    except (KeyError, TypeError):
        return set(), "the parent's answer to the reconciliation query is not an EPCISQueryDocument"
