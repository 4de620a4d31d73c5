"""The sender: push each parent link's outbox to the parent node with ``POST /capture``, in order, until it is empty.

One round per link (the node's worker, ``zhuisu node push``): claim the link (another worker leaves a claimed link
alone), tell the parent this node's resolver directory again if it changed, take the parent's new catalog releases
when due, tell it of the enterprises registered here since last time, relay its recall orders naming holders here and
its blacklist entries of enterprises here, then batch by batch — each in short
transactions around the HTTP call, never holding one open while the parent answers — read the oldest pending events
(consecutive ones captured with one JSON-LD ``@context``, at most ``federation_batch_events``), send them as one EPCIS
document with ``GS1-Capture-Error-Behaviour: proceed`` and each event's provenance in the header
(``capture.service.PROVENANCE``), and record the parent's answer per event: captured or a duplicate of what it holds →
``sent``; refused by its rules → ``refused`` with the parent's errors (kept for the desk, never retried). A network
error, a 5xx, a 401 or any answer that does not account for every event fails the batch: nothing is marked, the link
records the error and waits 1, 2, 4 … s (at most ``federation_backoff_max_seconds``) before the next round tries the
same batch again. Since the parent stores each event once by its hash, a batch whose answer was lost is simply sent
again: every event arrives exactly once. When the outbox is sent, every ``federation_reconcile_interval_seconds`` the
round asks the parent (an EPCIS query by eventID) whether it holds what was reported since the last check and queues
again what it lacks (``reconcile``).
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.capture.service import PROVENANCE
from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.federation import reconcile, service
from zhuisu.kit.time import format_iso, utc_now
from zhuisu.ledger import keystore
from zhuisu.models import Event, EventContext, EventOrigin, FederationLink, FederationOutbox, Party

logger = logging.getLogger(__name__)

#: ``(url, token, body) -> (HTTP status, parsed JSON answer or None)``; raises ``httpx.HTTPError`` when the parent
#: cannot be reached.
Post = Callable[[str, str, bytes], tuple[int, Any]]

#: How long a sender holds a link it works on (renewed each batch).
CLAIM = timedelta(minutes=2)
#: Most batches one round sends per link (the next round goes on).
MAX_BATCHES = 200
#: How long an outbox row the parent accepted is kept (refused ones stay until requeued).
KEEP_SENT = timedelta(days=7)


def httpx_post(client: httpx.Client) -> Post:
    """A ``Post`` over ``client`` (one connection kept alive for a round's batches)."""

    def post(url: str, token: str, body: bytes) -> tuple[int, Any]:
        response = client.post(
            url,
            content=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/ld+json",
                "GS1-Capture-Error-Behaviour": "proceed",
                "Accept-Language": "en",
            },
        )
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    return post


@dataclass
class LinkRound:
    """What one round did for one link."""

    parent_url: str
    sent: int = 0
    refused: int = 0
    batches: int = 0
    error: str = ""
    skipped: bool = False
    #: Events the reconciliation found missing at the parent and queued again (reported the next round).
    requeued: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "parent_url": self.parent_url,
            "sent": self.sent,
            "refused": self.refused,
            "batches": self.batches,
            "requeued": self.requeued,
            "error": self.error or None,
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class _Parent:
    """The link a round works on, read once: where the parent is, and this node's token there."""

    link_id: str
    url: str
    token: str


@dataclass(frozen=True)
class _Batch:
    rows: list[int]
    body: bytes
    event_ids: list[str]


def round_(
    maker: sessionmaker[Session], settings: Settings, post: Post | None = None, *, now: datetime | None = None
) -> list[LinkRound]:
    """One round over every active link that is due; what each did."""
    with unit_of_work(maker, write=False) as session:
        links = [link.id for link in service.list_links(session) if link.active]
    if not links:
        return []
    if post is not None:
        return [_link_round(maker, settings, link_id, post, now) for link_id in links]
    with httpx.Client(timeout=settings.federation_timeout_seconds) as client:
        return [_link_round(maker, settings, link_id, httpx_post(client), now) for link_id in links]


def _link_round(
    maker: sessionmaker[Session], settings: Settings, link_id: str, post: Post, now: datetime | None
) -> LinkRound:
    at = now or utc_now()
    with unit_of_work(maker) as session:
        link = session.get(FederationLink, link_id)
        assert link is not None
        parent = _Parent(link_id, link.parent_url, link.token)
        done = LinkRound(link.parent_url)
        result = session.execute(
            update(FederationLink)
            .where(
                FederationLink.id == link_id,
                or_(FederationLink.claimed_until.is_(None), FederationLink.claimed_until < at),
                or_(FederationLink.next_attempt_at.is_(None), FederationLink.next_attempt_at <= at),
            )
            .values(claimed_until=at + CLAIM)
        )
    if getattr(result, "rowcount", 0) != 1:
        done.skipped = True
        return done
    here = (keystore.log_origin(settings), settings.base_url.rstrip("/"))
    try:
        _refresh_directory(maker, settings, parent)
        _take_releases(maker, settings, parent, at)
        _send_parties(maker, settings, parent)
        _relay(maker, settings, parent)
        for _ in range(MAX_BATCHES):
            with unit_of_work(maker, write=False) as session:
                batch = _next_batch(session, settings, link_id, here)
            if batch is None:
                break
            error, outcomes = _send(post, f"{parent.url}/capture", parent.token, batch)
            with unit_of_work(maker) as session:
                if error:
                    _failed(session, settings, link_id, error)
                    done.error = error
                    break
                _record(session, link_id, batch, outcomes, done)
        if not done.error:
            done.requeued = reconcile.round_(maker, settings, parent.link_id, parent.url, parent.token, at)
    finally:
        with unit_of_work(maker) as session:
            session.execute(update(FederationLink).where(FederationLink.id == link_id).values(claimed_until=None))
            _sweep(session, link_id)
    return done


#: Most accepted outbox rows one round sweeps.
SWEEP = 5_000


def _sweep(session: Session, link_id: str) -> None:
    """Delete rows the parent accepted over ``KEEP_SENT`` ago (the events themselves stay, of course), at most
    ``SWEEP`` a round: a range of ``ix_federation_outbox_link_state_sent``, empty when there is nothing to sweep."""
    old = (
        select(FederationOutbox.id)
        .where(
            FederationOutbox.link_id == link_id,
            FederationOutbox.state == service.SENT,
            FederationOutbox.sent_at < utc_now() - KEEP_SENT,
        )
        .limit(SWEEP)
    )
    session.execute(delete(FederationOutbox).where(FederationOutbox.id.in_(old.scalar_subquery())))


def _refresh_directory(maker: sessionmaker[Session], settings: Settings, parent: _Parent) -> None:
    """Tell the parent again what this node answers for (``POST /exchange/link``) when it changed since it was last
    told (a party was given a GS1 prefix, a child linked here). A failure is logged and tried next round."""
    with unit_of_work(maker, write=False) as session:
        link = session.get_one(FederationLink, parent.link_id)
        entries = service.own_directory(session, settings)
        if entries == link.directory:
            return
    request = service.link_request(settings, entries)
    if not _post_json(f"{parent.url}/exchange/link", parent.token, request, settings, "the directory"):
        return
    with unit_of_work(maker) as session:
        session.get_one(FederationLink, parent.link_id).directory = entries


def _take_releases(maker: sessionmaker[Session], settings: Settings, parent: _Parent, at: datetime) -> None:
    """Every ``federation_catalog_interval_seconds``: load the parent's catalog releases this node lacks (the
    downward flow: national → province → city). A failure is logged and tried next time."""
    with unit_of_work(maker, write=False) as session:
        pulled = session.get_one(FederationLink, parent.link_id).catalog_pulled_at
    if pulled is not None and (at - pulled).total_seconds() < settings.federation_catalog_interval_seconds:
        return
    offered = _read_list(f"{parent.url}/exchange/releases", parent.token, settings, "the catalog releases")
    if offered is None:
        return
    with unit_of_work(maker) as session:
        loaded, problems = service.take_releases(session, offered)
        session.get_one(FederationLink, parent.link_id).catalog_pulled_at = at
    for label in loaded:
        logger.info("federation: loaded the catalog release %s from the parent", label)
    for problem in problems:
        logger.warning("federation: a catalog release of the parent was not loaded: %s", problem)


def _send_parties(maker: sessionmaker[Session], settings: Settings, parent: _Parent) -> None:
    """Tell the parent of the enterprises registered here since it was last told (``POST /exchange/parties``), a
    batch at a time, so its coverage counts the ones that recorded nothing yet. A failure is tried next round."""
    for _ in range(MAX_BATCHES):
        with unit_of_work(maker, write=False) as session:
            entries, last = service.parties_to_send(session, session.get_one(FederationLink, parent.link_id), settings)
        if last is None:
            return
        if not _post_json(
            f"{parent.url}/exchange/parties", parent.token, {"parties": entries}, settings, "the parties"
        ):
            return
        with unit_of_work(maker) as session:
            link = session.get_one(FederationLink, parent.link_id)
            link.parties_sent_at, link.parties_sent_id = last


#: What the parent orders that a child relays to its own: (path at the parent, what it is, the service that relays).
_RELAYS: tuple[tuple[str, str, Callable[[Session, FederationLink, list[dict[str, Any]]], list[str]]], ...] = (
    ("/exchange/recalls", "the recalls", service.take_recalls),
    ("/exchange/blacklist", "the blacklist", service.take_blacklist),
)


def _relay(maker: sessionmaker[Session], settings: Settings, parent: _Parent) -> None:
    """Relay what the parent ordered about this node's enterprises: its recall orders naming holders here (closed
    here when it closes them) and its blacklist entries of enterprises here (removed when it removes them). A
    failure is logged and tried next round."""
    for path, what, take in _RELAYS:
        offered = _read_list(parent.url + path, parent.token, settings, what)
        if offered is None:
            continue
        with unit_of_work(maker) as session:
            for line in take(session, session.get_one(FederationLink, parent.link_id), offered):
                logger.info("federation: %s", line)


def _post_json(url: str, token: str, body: dict[str, Any], settings: Settings, what: str) -> bool:
    """POST ``body`` to the parent as this child node; whether it answered 200 (else logged, tried next round)."""
    try:
        answer = httpx.post(
            url,
            json=body,
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
            timeout=settings.federation_timeout_seconds,
        )
    except httpx.HTTPError as exc:
        logger.warning("federation: %s could not be sent to %s: %s", what, url, exc)
        return False
    if answer.status_code != 200:
        logger.warning("federation: %s refused %s (%d): %s", url, what, answer.status_code, answer.text[:300])
        return False
    return True


def _read_list(url: str, token: str, settings: Settings, what: str) -> list[dict[str, Any]] | None:
    """The JSON list of objects the parent answers at ``url`` (a child node's read), or None (logged) when it
    cannot be reached or answers anything else."""
    try:
        answer = httpx.get(
            url, headers={"Authorization": f"Bearer {token}"}, timeout=settings.federation_timeout_seconds
        )
        offered = answer.json() if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError) as exc:
        logger.warning("federation: %s could not be read from %s: %s", what, url, exc)
        return None
    if not isinstance(offered, list):
        logger.warning("federation: %s answered %d for %s", url, answer.status_code, what)
        return None
    return [o for o in offered if isinstance(o, dict)]


def _next_batch(session: Session, settings: Settings, link_id: str, here: tuple[str, str]) -> _Batch | None:
    """The next batch of the link's pending rows as one EPCIS document (``here``: this node's log origin and
    address, the origin of the events recorded here), or None when none waits."""
    rows = list(
        session.execute(
            select(FederationOutbox.id, FederationOutbox.event_pk, FederationOutbox.withheld)
            .where(FederationOutbox.link_id == link_id, FederationOutbox.state == service.PENDING)
            .order_by(FederationOutbox.id)
            .limit(settings.federation_batch_events)
        )
    )
    if not rows:
        return None
    pks = [pk for _, pk, _ in rows]
    events = {
        e.id: e
        for e in session.scalars(select(Event).where(Event.id.in_(pks)))  # at most federation_batch_events
    }
    # One document has one @context: the batch is the run of consecutive events captured with the first one's.
    first_context = events[pks[0]].context_id
    run = []
    for row in rows:
        if events[row[1]].context_id != first_context:
            break
        run.append(row)
    context = session.get_one(EventContext, first_context).body if first_context is not None else None
    recorders = {
        p.id: p
        for p in session.scalars(select(Party).where(Party.id.in_({events[pk].recorder_id for _, pk, _ in run})))
    }
    origins = {
        o.event_pk: o
        for o in session.scalars(select(EventOrigin).where(EventOrigin.event_pk.in_([pk for _, pk, _ in run])))
    }
    bodies, provenance, ids = [], {}, []
    for _, pk, withheld in run:
        event = events[pk]
        body = {k: v for k, v in event.body.items() if k not in withheld}
        body["eventID"] = event.event_id  # the child's id even when it was the hash (eventID is not hashed)
        bodies.append(body)
        ids.append(event.event_id)
        provenance[event.event_id] = _provenance(
            event, withheld, origins.get(pk), recorders.get(event.recorder_id), here
        )
    document: dict[str, Any] = {
        "@context": context if context is not None else ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": format_iso(utc_now()),
        "epcisHeader": {PROVENANCE: provenance},
        "epcisBody": {"eventList": bodies},
    }
    return _Batch([row_id for row_id, _, _ in run], orjson.dumps(document), ids)


def _provenance(
    event: Event,
    withheld: Sequence[str],
    origin: EventOrigin | None,
    recorder: Party | None,
    here: tuple[str, str],
) -> dict[str, Any]:
    """Where the event was first recorded: what a child told this node (kept as it came), else this node."""
    if origin is not None:
        return {
            "node": origin.node,
            "nodeURL": origin.node_url,
            "recordTime": format_iso(origin.record_time),
            "recorder": origin.recorder,
            "hash": origin.hash,
            "withheld": sorted({*origin.withheld, *withheld}),
        }
    return {
        "node": here[0],
        "nodeURL": here[1],
        "recordTime": format_iso(event.record_time),
        "recorder": _recorder(event.recorder_id, recorder),
        "hash": event.event_hash,
        "withheld": list(withheld),
    }


def _recorder(party_id: str, party: Party | None) -> dict[str, Any]:
    """What the parent needs to credit the event to its recorder (its mirror there, ``parties.mirrors``)."""
    return service.recorder_json(party) if party is not None else {"id": party_id}


def _send(post: Post, url: str, token: str, batch: _Batch) -> tuple[str, list[dict[str, Any]]]:
    """("" and the parent's outcome per event) or (why the batch failed, [])."""
    try:
        status, answer = post(url, token, batch.body)
    except httpx.HTTPError as exc:
        return f"the parent cannot be reached: {type(exc).__name__}: {exc}", []
    if status != 202 or not isinstance(answer, dict):
        detail = answer.get("detail") if isinstance(answer, dict) else None
        return f"the parent answered {status}: {detail or answer}"[:1000], []
    outcomes = answer.get("events")
    if not isinstance(outcomes, list) or [o.get("eventID") for o in outcomes if isinstance(o, dict)] != batch.event_ids:
        return "the parent's answer does not account for every event of the batch", []
    return "", outcomes


def _record(session: Session, link_id: str, batch: _Batch, outcomes: list[dict[str, Any]], done: LinkRound) -> None:
    at = utc_now()
    sent_rows = [r for r, o in zip(batch.rows, outcomes, strict=True) if o.get("status") in ("captured", "duplicate")]
    refused = [
        (r, o) for r, o in zip(batch.rows, outcomes, strict=True) if o.get("status") not in ("captured", "duplicate")
    ]
    if sent_rows:
        session.execute(
            update(FederationOutbox).where(FederationOutbox.id.in_(sent_rows)).values(state=service.SENT, sent_at=at)
        )
    for row_id, outcome in refused:
        row = session.get(FederationOutbox, row_id)
        assert row is not None
        row.state, row.sent_at = service.REFUSED, at
        row.errors = [e for e in outcome.get("errors") or [] if isinstance(e, dict)]
    link = session.get(FederationLink, link_id)
    assert link is not None
    link.sent += len(sent_rows)
    link.refused += len(refused)
    link.last_success_at, link.failures, link.next_attempt_at = at, 0, None
    link.claimed_until = at + CLAIM
    done.sent += len(sent_rows)
    done.refused += len(refused)
    done.batches += 1


def _failed(session: Session, settings: Settings, link_id: str, error: str) -> None:
    link = session.get(FederationLink, link_id)
    assert link is not None
    at = utc_now()
    link.failures += 1
    wait = min(settings.federation_backoff_max_seconds, 2.0 ** (link.failures - 1))
    link.last_error, link.last_error_at, link.next_attempt_at = error, at, at + timedelta(seconds=wait)
    logger.warning("federation: sending to %s failed (%d in a row): %s", link.parent_url, link.failures, error)
