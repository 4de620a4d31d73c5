"""Federation (上下一体): a node reports what it records to its parent node, and keeps what its children report.

On the child: ``zhuisu node link`` stores the parent (``FederationLink``) and registers this node's log at the
parent, which then witnesses it; ``queue_upward`` (a receiver of capture's ``events_recorded``, in the capture
transaction) queues every new event the catalog lets go up (``upward``; members it withholds per class are left out
when sent) in the link's outbox; the sender (``sender.py``) pushes the outbox in order.

On the parent: ``zhuisu node add`` registers a child as a party of role ``node`` with a token; the child's first call
(``POST /exchange/link``) gives its log's key and address; its events arrive through the standard ``POST /capture``
in the node party's job, stored once by event hash and credited to their recorder's mirror here (capture,
``parties.mirrors``), and ``record_origins`` keeps each one's provenance (the node that first recorded it, its record
time, hash and recorder there) exactly as sent — never re-attributed.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from zhuisu.catalog import enforcement as catalog_enforcement
from zhuisu.catalog import rules as catalog_rules
from zhuisu.catalog import service as catalog_service
from zhuisu.codes import resolver_keys
from zhuisu.config import Settings
from zhuisu.errors import ZhuisuError
from zhuisu.events.stored import StoredEvent
from zhuisu.exchange.federation.errors import LinkExists, LinkInvalid, NodeOnly
from zhuisu.kit.time import parse_iso, utc_now
from zhuisu.ledger import keystore, witness_service
from zhuisu.ledger.errors import LedgerError
from zhuisu.ledger.keys import parse_vkey
from zhuisu.models import (
    BlacklistEntry,
    CodeIssuer,
    DirectoryEntry,
    Event,
    EventOrigin,
    FederationChild,
    FederationLink,
    FederationOutbox,
    FederationParty,
    FederationRelay,
    Party,
    Recall,
    RecallHolder,
)
from zhuisu.oversight import credit
from zhuisu.parties import mirrors
from zhuisu.parties import service as parties_service
from zhuisu.recall import orders as recall_orders
from zhuisu.recall.schemas import RecallCreate

#: Outbox states.
PENDING, SENT, REFUSED = "pending", "sent", "refused"


@dataclass(frozen=True)
class NodeIdentity:
    """What a node says it is (``GET /exchange/node``): its name, log origin and keys, and address."""

    name: str
    origin: str
    log_vkey: str
    witness_vkey: str
    base_url: str

    def to_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "origin": self.origin,
            "log_vkey": self.log_vkey,
            "witness_vkey": self.witness_vkey,
            "base_url": self.base_url,
        }


def identity(settings: Settings) -> NodeIdentity:
    return NodeIdentity(
        name=settings.node_name,
        origin=keystore.log_origin(settings),
        log_vkey=keystore.log_key(settings).vkey,
        witness_vkey=keystore.witness_key(settings).vkey,
        base_url=settings.base_url.rstrip("/"),
    )


# --- the parent's side ----------------------------------------------------------------------------------------------


def add_child(session: Session, *, name: str, region: str | None, actor: Party | None = None) -> tuple[Party, str]:
    """Register a child node: a party of role ``node`` and a token for it (returned once, for ``zhuisu node link``
    on the child). Raises InvalidInput for a malformed region."""
    party = parties_service.create_party(session, name=name, region=region, party_type="platform")
    parties_service.grant(session, party, actor_role="node", actor=actor)
    session.add(FederationChild(party_id=party.id))
    issued = parties_service.issue_token(session, party=party, label="federation", scopes=["read", "capture"])
    return party, issued.secret


def check_node(actor: Party) -> None:
    if actor.actor != "node":
        raise NodeOnly(
            "仅下级节点（节点令牌）可以执行此操作", message_en="only a child node (with a node token) may do this"
        )


def register_child(
    session: Session,
    actor: Party,
    *,
    log_vkey: str,
    base_url: str,
    directory: Sequence[dict[str, str | None]] = (),
) -> FederationChild:
    """A child node (``actor``) gives its log's key, its address and its resolver directory (the prefixes it and its
    children answer for): this node witnesses that log from now on, and sends a code it does not hold to the node
    that answers for it. Raises ``NodeOnly`` for any other party, ``LinkInvalid`` for a malformed key or URL."""
    check_node(actor)
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).hostname:
        raise LinkInvalid(
            f"base_url 应为 http(s) 地址，收到 {base_url!r}",
            message_en=f"base_url must be an http(s) URL, got {base_url!r}",
            parameter="base_url",
        )
    try:
        origin = parse_vkey(log_vkey).name
        taken = session.scalar(
            select(Party.name)
            .join(FederationChild, FederationChild.party_id == Party.id)
            .where(FederationChild.origin == origin, FederationChild.party_id != actor.id)
        )
        if taken is not None:
            raise LinkExists(
                f"日志 {origin} 属于另一个下级节点（{taken}）",
                message_en=f"the log {origin} belongs to another child node ({taken})",
            )
        origin = witness_service.follow_log(session, log_vkey)
    except LedgerError as exc:
        raise LinkInvalid(
            f"log_vkey 不是有效的 Ed25519 日志公钥：{exc}",
            message_en=f"log_vkey is not a valid Ed25519 log key: {exc}",
            parameter="log_vkey",
        ) from exc
    child = session.get(FederationChild, actor.id)
    if child is None:
        child = FederationChild(party_id=actor.id, received=0)
        session.add(child)
    child.origin, child.log_vkey, child.base_url, child.linked_at = origin, log_vkey, base_url.rstrip("/"), utc_now()
    record_directory(session, actor, child.base_url, directory)
    session.flush()
    return child


def record_directory(session: Session, child: Party, base_url: str, entries: Sequence[dict[str, str | None]]) -> int:
    """Replace what ``child`` said it answers for: its region (from its registration here) and ``entries`` (those
    without a ``url`` are the child's own). Malformed entries are dropped, and so are prefixes another child or the
    admin holds already (the first claim stands, as a prefix's licence does; the admin settles a dispute with
    ``zhuisu node route``): one child cannot draw another's codes to itself. How many are kept."""
    session.execute(delete(DirectoryEntry).where(DirectoryEntry.child_id == child.id))
    held = {(kind, prefix) for kind, prefix in session.execute(select(DirectoryEntry.kind, DirectoryEntry.prefix))}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    if child.region:
        region = catalog_rules.region_prefix(child.region)
        rows[("region", region)] = {"kind": "region", "prefix": region, "url": base_url, "name": child.name}
    for entry in entries:
        kind, prefix, url = entry.get("kind") or "", entry.get("prefix") or "", entry.get("url") or base_url
        if not resolver_keys.valid_prefix(kind, prefix) or not url.startswith(("http://", "https://")):
            continue
        if (kind, prefix) in held:
            continue
        name = entry.get("name") or child.name
        rows.setdefault((kind, prefix), {"kind": kind, "prefix": prefix, "url": url[:500], "name": name[:200]})
    if rows:
        session.execute(insert(DirectoryEntry), [{**r, "child_id": child.id} for r in rows.values()])
    return len(rows)


def own_directory(session: Session, settings: Settings) -> list[dict[str, str]]:
    """What this node gives its parent: the GS1 company prefixes and zhuisu code issuers of its parties (answered
    here) and what its own children gave it (answered there), sorted."""
    here = settings.base_url.rstrip("/")
    entries: dict[tuple[str, str], dict[str, str]] = {}
    for prefix in session.scalars(
        select(CodeIssuer.gs1_company_prefix).where(CodeIssuer.gs1_company_prefix.is_not(None))
    ):
        if prefix is None:
            continue
        entries[("gs1", prefix)] = {"kind": "gs1", "prefix": prefix, "url": here, "name": settings.node_name}
    issuers = select(CodeIssuer.region, CodeIssuer.party_number).where(
        CodeIssuer.region.is_not(None), CodeIssuer.party_number.is_not(None)
    )
    for region, number in session.execute(issuers):
        prefix = f"{region}{number}"
        entries[("zhuisu", prefix)] = {"kind": "zhuisu", "prefix": prefix, "url": here, "name": settings.node_name}
    for row in session.scalars(select(DirectoryEntry).order_by(DirectoryEntry.id)):
        entries.setdefault(
            (row.kind, row.prefix), {"kind": row.kind, "prefix": row.prefix, "url": row.url, "name": row.name}
        )
    return [entries[k] for k in sorted(entries)]


def list_directory(session: Session) -> list[DirectoryEntry]:
    return list(session.scalars(select(DirectoryEntry).order_by(DirectoryEntry.kind, DirectoryEntry.prefix)))


def add_directory_entry(session: Session, *, kind: str, prefix: str, url: str, name: str = "") -> DirectoryEntry:
    """An admin's entry: codes under ``prefix`` are answered at ``url``. Raises ``LinkInvalid`` when malformed."""
    if not resolver_keys.valid_prefix(kind, prefix) or not url.startswith(("http://", "https://")):
        raise LinkInvalid(
            f"目录条目无效：kind 应为 {'、'.join(resolver_keys.KINDS)}，前缀须合该类格式，地址须为 http(s)",
            message_en=f"invalid directory entry: kind one of {', '.join(resolver_keys.KINDS)}, a prefix of that kind, "
            "an http(s) URL",
        )
    entry = DirectoryEntry(kind=kind, prefix=prefix, url=url.rstrip("/"), name=name or url, child_id=None)
    session.add(entry)
    session.flush()
    return entry


def record_origins(session: Session, stored: Sequence[StoredEvent]) -> None:
    """Receiver of ``events_recorded``: the provenance of the events a child node sent (``StoredEvent.origin``),
    as sent, and the child's count of events received."""
    sent = [s for s in stored if s.origin is not None]
    if not sent:
        return
    rows = [_origin_row(s) for s in sent]
    session.execute(insert(EventOrigin), rows)
    for via, count in Counter(row["via_id"] for row in rows).items():
        child = session.get(FederationChild, via)
        if child is not None:
            child.received += count
            child.last_received_at = utc_now()


def _origin_row(s: StoredEvent) -> dict[str, Any]:
    given = s.origin or {}
    recorder = given.get("recorder")
    withheld = given.get("withheld")
    return {
        "event_pk": s.pk,
        "via_id": given.get("via") or s.recorder_id,
        "node": _text(given.get("node"), 500),
        "node_url": _text(given.get("nodeURL"), 500),
        "record_time": _time(given.get("recordTime")) or s.record_time,
        "recorder": {k: v for k, v in recorder.items() if _plain(v)} if isinstance(recorder, dict) else {},
        "hash": _text(given.get("hash"), 100) or s.hash,
        "withheld": [w for w in withheld if isinstance(w, str)] if isinstance(withheld, list) else [],
    }


def _plain(value: Any) -> bool:
    """A value a recorder's description may hold: text, None, or a list of texts (its roles)."""
    return (
        value is None or isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    )


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _time(value: Any) -> datetime | None:
    try:
        return parse_iso(value) if isinstance(value, str) else None
    except ValueError:
        return None


#: Parties per ``POST /exchange/parties``.
PARTY_BATCH = 1000


def parties_to_send(
    session: Session, link: FederationLink, settings: Settings
) -> tuple[list[dict[str, Any]], tuple[datetime, str] | None]:
    """The next enterprises registered here (or mirrored here from a child) that ``link``'s parent was not told of,
    in registration order, each with the node it is registered at and its description (as events' provenance
    describes their recorders); and the registration time and id of the last (what ``link`` keeps once the parent
    took them), None when there are none."""
    query = select(Party).where(Party.actor == "enterprise")
    if link.parties_sent_at is not None:
        after = (Party.created_at > link.parties_sent_at) | (
            (Party.created_at == link.parties_sent_at) & (Party.id > link.parties_sent_id)
        )
        query = query.where(after)
    parties = list(session.scalars(query.order_by(Party.created_at, Party.id).limit(PARTY_BATCH)))
    if not parties:
        return [], None
    mirrored = {
        m.party_id: m
        for m in session.scalars(select(FederationParty).where(FederationParty.party_id.in_([p.id for p in parties])))
    }
    here = keystore.log_origin(settings)
    entries = []
    for party in parties:
        mirror = mirrored.get(party.id)
        recorder = {**recorder_json(party), "id": mirror.remote_id if mirror is not None else party.id}
        entries.append({"node": mirror.node if mirror is not None else here, "recorder": recorder})
    return entries, (parties[-1].created_at, parties[-1].id)


def recorder_json(party: Party) -> dict[str, Any]:
    """A party as a parent needs it to mirror it (``parties.mirrors``)."""
    return {
        "id": party.id,
        "name": party.name,
        "uscc": party.uscc,
        "gln": party.gln,
        "region": party.region,
        "party_type": party.party_type,
        "roles": party.roles or [],
        "product_class": party.product_class,
    }


def mirror_parties(session: Session, actor: Party, entries: Sequence[dict[str, Any]]) -> int:
    """A child node (``actor``) tells of the enterprises registered at it or below: each is mirrored here (as the
    recorders of its events are), so this node's coverage counts those that have recorded nothing yet. How many."""
    check_node(actor)
    given = {str(i): e for i, e in enumerate(entries) if isinstance(e, dict)}
    return len(mirrors.resolve(session, given, via=actor))


def recalls_for(session: Session, child: Party) -> list[dict[str, Any]]:
    """The recalls this node ordered that name a holder the child told it of (its enterprises' mirrors): open
    ones, and those closed within a month (so the child closes its relay), newest first."""
    mirrored = select(FederationParty.party_id).where(FederationParty.via_id == child.id)
    held = select(RecallHolder.recall_id).where(RecallHolder.party_id.in_(mirrored))
    recent = utc_now() - timedelta(days=30)
    recalls = session.scalars(
        select(Recall)
        .where(Recall.id.in_(held), (Recall.status == "open") | (Recall.closed_at >= recent))
        .order_by(Recall.created_at.desc())
    )
    out = []
    for recall in recalls:
        issuer = session.get(Party, recall.issuer_id)
        out.append(
            {
                "id": recall.id,
                "status": recall.status,
                "kind": recall.kind,
                "level": recall.level,
                "code": recall.code,
                "reason": recall.reason,
                "advice": recall.advice,
                "deadline": _iso(recall.deadline),
                "issuer": issuer.name if issuer else None,
                "close_note": recall.close_note,
            }
        )
    return out


def take_recalls(session: Session, link: FederationLink, offered: Sequence[dict[str, Any]]) -> list[str]:
    """Relay the parent's recall orders to the holders this node registers: each new open one is issued here in
    the parent's name (``recall.orders.issue_recall(relayed=True)``: its impact and holders from this node's own
    records, its notices to their hooks and consoles); one the parent closed is closed here. What happened, one line
    each (for the log)."""

    def issue(parent: Party, item: dict[str, Any]) -> str:
        fields = {k: item.get(k) for k in ("code", "reason", "level", "deadline", "kind")}
        order = RecallCreate.model_validate(fields | {"advice": str(item.get("advice") or "")})
        return recall_orders.issue_recall(session, issuer=parent, order=order, relayed=True).id

    def close(parent: Party, local_id: str, item: dict[str, Any]) -> bool:
        local = session.get(Recall, local_id)
        if local is None or local.status != "open":
            return False
        note = str(item.get("close_note") or "") or f"closed by {parent.name}"
        recall_orders.close_recall(session, local_id, actor=None, note=note)
        return True

    return _relay_each(
        session, link, "recall", offered, ended=lambda item: item.get("status") == "closed", make=issue, end=close
    )


def _relay_each(
    session: Session,
    link: FederationLink,
    kind: str,
    offered: Sequence[dict[str, Any]],
    *,
    ended: Callable[[dict[str, Any]], bool],
    make: Callable[[Party, dict[str, Any]], str],
    end: Callable[[Party, str, dict[str, Any]], bool],
) -> list[str]:
    """Relay each of the parent's orders of ``kind`` offered: one not relayed yet and not ``ended`` is made here in
    the parent's name (``make``: its local id; why not, kept on the relay, when it cannot be); one relayed that the
    parent ended is ended here (``end``: whether it was still in force). What happened, a line each."""
    if link.parent_party_id is None:
        return []
    parent = session.get_one(Party, link.parent_party_id)
    done = []
    for item in offered:
        remote = str(item.get("id") or "")[:32]
        if not remote:
            continue
        relay = session.get(FederationRelay, (link.id, kind, remote))
        if relay is None and not ended(item):
            relay = FederationRelay(link_id=link.id, kind=kind, remote_id=remote, problem="")
            try:
                with session.begin_nested():
                    relay.local_id = make(parent, item)
            except (ZhuisuError, ValueError) as exc:
                relay.problem = str(exc.localized("en") if isinstance(exc, ZhuisuError) else exc)[:1000]
            session.add(relay)
            session.flush()
            done.append(f"{kind} {remote}: " + (f"relayed as {relay.local_id}" if relay.local_id else relay.problem))
        elif relay is not None and relay.local_id and ended(item) and end(parent, relay.local_id, item):
            done.append(f"{kind} {remote}: ended {relay.local_id}")
    return done


def blacklist_for(session: Session, child: Party) -> list[dict[str, Any]]:
    """The blacklist entries made here of enterprises the child told this node of, with the child's id of each
    (``remote_party``): in force, ended or revoked within a year (so the child revokes its relay)."""
    mirrored = {
        m.party_id: m.remote_id
        for m in session.scalars(select(FederationParty).where(FederationParty.via_id == child.id))
    }
    recent = utc_now() - timedelta(days=365)
    entries = session.scalars(
        select(BlacklistEntry)
        .where(BlacklistEntry.party_id.in_(list(mirrored)), BlacklistEntry.added_at >= recent)
        .order_by(BlacklistEntry.added_at)
    )
    return [
        {
            "id": e.id,
            "remote_party": mirrored[e.party_id],
            "reason": e.reason,
            "legal_basis": e.legal_basis,
            "starts_on": e.starts_on.isoformat(),
            "ends_on": e.ends_on.isoformat() if e.ends_on else None,
            "revoked": e.revoked_at is not None,
            "revoke_reason": e.revoke_reason,
        }
        for e in entries
    ]


def take_blacklist(session: Session, link: FederationLink, offered: Sequence[dict[str, Any]]) -> list[str]:
    """Relay the parent's blacklist entries of enterprises registered here (in the parent's name: the events they
    record here are flagged, the public list shows them), and revoke those the parent revoked. What happened."""

    def add(parent: Party, item: dict[str, Any]) -> str:
        return credit.add_entry(
            session,
            actor=parent,
            party=str(item.get("remote_party")),
            reason=str(item.get("reason") or ""),
            legal_basis=str(item.get("legal_basis") or ""),
            starts_on=date.fromisoformat(str(item.get("starts_on"))),
            ends_on=date.fromisoformat(str(item["ends_on"])) if item.get("ends_on") else None,
            relayed=True,
        ).id

    def revoke(parent: Party, local_id: str, item: dict[str, Any]) -> bool:
        local = session.get(BlacklistEntry, local_id)
        if local is None or local.revoked_at is not None:
            return False
        reason = str(item.get("revoke_reason") or "") or f"removed by {parent.name}"
        credit.revoke_entry(session, local_id, actor=parent, reason=reason, relayed=True)
        return True

    return _relay_each(
        session, link, "blacklist", offered, ended=lambda item: bool(item.get("revoked")), make=add, end=revoke
    )


def releases_for(session: Session, child: Party) -> list[dict[str, Any]]:
    """The catalog releases a child node takes from here (downward flow): every national release and every local one
    whose region overlaps the child's (a province's for all its cities, a city's or its districts' for that city),
    loaded here — not those shipped with zhuisu, which the child has too."""
    builtin = {r.digest for r in catalog_service.builtin_releases()}
    out = []
    for release in catalog_service.list_releases(session):
        if release.digest in builtin:
            continue
        if release.scope == "local" and not _overlaps(release.region, child.region):
            continue
        out.append({"digest": release.digest, "label": release.label, "document": release.document})
    return out


def _overlaps(release_region: str, child_region: str | None) -> bool:
    """Whether a local catalog of ``release_region`` applies to some of a child's data (a child registered without a
    region takes none).

    >>> _overlaps("370000", "370100"), _overlaps("370102", "370100"), _overlaps("370200", "370100")
    (True, True, False)
    """
    if not child_region:
        return False
    return catalog_rules.covers(release_region, child_region) or catalog_rules.covers(child_region, release_region)


def take_releases(session: Session, offered: Sequence[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Load the releases the parent offers (``releases_for`` there) that this node lacks: (labels loaded, why others
    were not — a release of the same version with other content, or one that does not fit the catalog here)."""
    known = {r.digest for r in catalog_service.all_releases(session)}
    loaded, problems = [], []
    for item in offered:
        if item.get("digest") in known or not isinstance(item.get("document"), dict):
            continue
        try:
            with session.begin_nested():
                catalog_service.load_release(session, item["document"])
        except ZhuisuError as exc:
            problems.append(f"{item.get('label')}: {exc.localized('en')}")
            continue
        loaded.append(str(item.get("label")))
    return loaded, problems


def provenance(session: Session, event: Event, settings: Settings) -> dict[str, Any]:
    """Where ``event`` was first recorded: what the child node that sent it said (with that child), else here."""
    origin = session.get(EventOrigin, event.id)
    if origin is None:
        recorder = session.get(Party, event.recorder_id)
        return {
            "eventID": event.event_id,
            "node": keystore.log_origin(settings),
            "nodeURL": settings.base_url.rstrip("/"),
            "recordTime": _iso(event.record_time),
            "recorder": {"id": event.recorder_id, "name": recorder.name if recorder else None},
            "hash": event.event_hash,
            "withheld": [],
            "via": None,
        }
    via = session.get(Party, origin.via_id)
    return {
        "eventID": event.event_id,
        "node": origin.node,
        "nodeURL": origin.node_url,
        "recordTime": _iso(origin.record_time),
        "recorder": origin.recorder,
        "hash": origin.hash,
        "withheld": origin.withheld,
        "via": {"id": origin.via_id, "name": via.name if via else None, "receivedAt": _iso(event.record_time)},
    }


def list_children(session: Session) -> list[tuple[FederationChild, Party]]:
    return [
        (child, party)
        for child, party in session.execute(
            select(FederationChild, Party).join(Party, Party.id == FederationChild.party_id).order_by(Party.name)
        )
    ]


# --- the child's side -----------------------------------------------------------------------------------------------


def link_request(settings: Settings, directory: list[dict[str, str]]) -> dict[str, Any]:
    """What this node tells a parent at ``POST /exchange/link``: its log key, address and ``directory``
    (``own_directory``)."""
    here = identity(settings)
    return {"log_vkey": here.log_vkey, "base_url": here.base_url, "directory": directory}


def create_link(
    session: Session,
    *,
    parent_url: str,
    token: str,
    parent: NodeIdentity,
    directory: Sequence[dict[str, str]] = (),
) -> FederationLink:
    """Store the link to the parent node (which ``parent`` describes), queue every event recorded so far for it
    (``queue_history``), and ask its witness to cosign this log. Raises ``LinkExists`` when this node already
    reports to that parent, ``LinkInvalid`` for a bad witness key."""
    url = parent_url.rstrip("/")
    if session.scalar(select(FederationLink.id).where(FederationLink.parent_url == url)) is not None:
        raise LinkExists(f"已连接到上级节点 {url}", message_en=f"already linked to the parent node {url}")
    parent_party = parties_service.create_party(session, name=parent.name or url, party_type="platform")
    parties_service.grant(session, parent_party, actor_role="node")
    try:
        witness_service.add_witness(session, parent.witness_vkey, f"{url}/ledger/witness")
    except LedgerError as exc:
        raise LinkInvalid(
            f"上级节点的见证公钥无效：{exc}", message_en=f"the parent's witness key is invalid: {exc}"
        ) from exc
    link = FederationLink(
        parent_url=url,
        token=token,
        parent_name=parent.name,
        parent_origin=parent.origin,
        parent_log_vkey=parent.log_vkey,
        parent_witness_vkey=parent.witness_vkey,
        active=True,
        last_error="",
        failures=0,
        sent=0,
        refused=0,
        directory=list(directory),
        parent_party_id=parent_party.id,
    )
    session.add(link)
    session.flush()
    queue_history(session, link)
    return link


def queue_history(session: Session, link: FederationLink, *, chunk: int = 1000) -> int:
    """Queue for ``link`` every event recorded before it existed, in arrival order, by the catalog's rules (as
    ``queue_upward`` does for new ones): a city that links with years of records reports them all. How many."""
    last, queued = 0, 0
    while True:
        rows = session.execute(
            select(Event.id, Event.record_time, Event.body).where(Event.id > last).order_by(Event.id).limit(chunk)
        ).all()
        if not rows:
            return queued
        queued += queue(session, [link.id], [(pk, record_time, body) for pk, record_time, body in rows])
        last = rows[-1][0]


def list_links(session: Session) -> list[FederationLink]:
    return list(session.scalars(select(FederationLink).order_by(FederationLink.created_at)))


def queue_upward(session: Session, stored: Sequence[StoredEvent]) -> None:
    """Receiver of ``events_recorded``: queue each new event for every active parent link, unless the catalog keeps
    its class at this level (``upward: none``), with the members its class withholds."""
    links = list(session.scalars(select(FederationLink.id).where(FederationLink.active.is_(True))))
    if links and stored:
        queue(session, links, [(s.pk, s.record_time, s.event) for s in stored])


def queue(session: Session, links: Sequence[str], events: Sequence[tuple[int, datetime, dict[str, Any]]]) -> int:
    """Outbox rows for ``links`` of the ``events`` (pk, record time, body) the catalog lets go up, with the members
    their classes withhold; how many rows."""
    rules = catalog_enforcement.reporting(session, [body for _, _, body in events])
    rows = [
        {
            "link_id": link,
            "event_pk": pk,
            "record_time": record_time,
            "state": PENDING,
            "withheld": list(withheld),
            "errors": [],
        }
        for link in links
        for (pk, record_time, _), (upward, withheld) in zip(events, rules, strict=True)
        if upward
    ]
    if rows:
        session.execute(insert(FederationOutbox), rows)
    return len(rows)


@dataclass(frozen=True)
class LinkStatus:
    """``GET /exchange/status`` for one link: the outbox's depth and lag, the last success and error."""

    link: FederationLink
    pending: int
    oldest_pending: datetime | None
    now: datetime
    #: The record time here of the last event the reconciliation checked at the parent.
    reconciled_through: datetime | None = None

    @property
    def lag_seconds(self) -> float:
        return (self.now - self.oldest_pending).total_seconds() if self.oldest_pending is not None else 0.0

    def to_json(self) -> dict[str, Any]:
        link = self.link
        return {
            "parent_url": link.parent_url,
            "parent_name": link.parent_name,
            "parent_origin": link.parent_origin,
            "active": link.active,
            "outbox_depth": self.pending,
            "lag_seconds": round(self.lag_seconds, 3),
            "sent": link.sent,
            "refused": link.refused,
            "last_success_at": _iso(link.last_success_at),
            "last_error": link.last_error or None,
            "last_error_at": _iso(link.last_error_at),
            "failures_in_a_row": link.failures,
            "next_attempt_at": _iso(link.next_attempt_at),
            "reconciled_at": _iso(link.reconciled_at),
            "reconciled_through": _iso(self.reconciled_through),
            "reconcile_requeued": link.reconcile_requeued,
            "reconcile_error": link.reconcile_error or None,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def link_statuses(session: Session, *, now: datetime | None = None) -> list[LinkStatus]:
    at = now or utc_now()
    out = []
    for link in list_links(session):
        pending, oldest = session.execute(
            select(func.count(FederationOutbox.id), func.min(FederationOutbox.record_time)).where(
                FederationOutbox.link_id == link.id, FederationOutbox.state == PENDING
            )
        ).one()
        through = session.scalar(select(Event.record_time).where(Event.id == link.reconciled_pk))
        out.append(LinkStatus(link, int(pending or 0), oldest, at, through))
    return out


def refused_events(session: Session, *, limit: int = 100) -> list[dict[str, Any]]:
    """The events the parent refused, newest first: the parent, the eventID, when, and the parent's reasons."""
    rows = session.execute(
        select(FederationOutbox, Event.event_id, FederationLink.parent_url)
        .join(Event, Event.id == FederationOutbox.event_pk)
        .join(FederationLink, FederationLink.id == FederationOutbox.link_id)
        .where(FederationOutbox.state == REFUSED)
        .order_by(FederationOutbox.id.desc())
        .limit(limit)
    )
    return [
        {"parent_url": url, "eventID": event_id, "refused_at": _iso(row.sent_at), "errors": row.errors}
        for row, event_id, url in rows
    ]


def requeue_refused(session: Session) -> int:
    """Queue the events the parent refused to be sent again; how many."""
    result = session.execute(
        update(FederationOutbox).where(FederationOutbox.state == REFUSED).values(state=PENDING, errors=[], sent_at=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def child_json(child: FederationChild, party: Party) -> dict[str, Any]:
    return {
        "party_id": party.id,
        "name": party.name,
        "region": party.region,
        "origin": child.origin or None,
        "base_url": child.base_url or None,
        "linked_at": _iso(child.linked_at),
        "received": child.received,
        "last_received_at": _iso(child.last_received_at),
    }
