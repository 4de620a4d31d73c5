"""Parties registered at other nodes (mirrors): a child node's events are credited here to the party that recorded
them there, never to the node that sent them.

The provenance a child sends with each event names its recorder at the node that first recorded it (id, name,
USCC, GLN, region, type, roles, class). ``resolve`` finds the party here for each: one mirrored before (by that node
and id, ``FederationParty``), else a party registered here with the same USCC or GLN (the same legal entity, known
to both levels) when it is within the child's region, else a new mirror with what the provenance says — its id kept
when free, its class narrowed to the nearest class this node's catalog knows (a city's local class is under a
national one). A child node speaks only for its own region's enterprises: a provenance naming the USCC of a party
elsewhere gets a mirror without that code, never that party. Mirrors have no token: they are what regulators, the
trace and the coverage figures see of the child's enterprises.
"""

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.catalog import rules as catalog_rules
from zhuisu.catalog import service as catalog_service
from zhuisu.models import AuditEntry, FederationParty, Party
from zhuisu.parties import vocabulary

_ID = re.compile(r"^[0-9a-f]{32}$")


def resolve(session: Session, provenance: Mapping[str, dict[str, Any]], *, via: Party) -> dict[str, str]:
    """eventID → the id of the party here its provenance names as its recorder (mirrored on first sight); events
    whose provenance names no recorder are left out (they stay the sending node's, ``via``)."""
    out: dict[str, str] = {}
    found: dict[tuple[str, str], str] = {}
    for event_id, given in provenance.items():
        recorder = given.get("recorder")
        node = given.get("node")
        if not isinstance(recorder, dict) or not isinstance(node, str) or not isinstance(recorder.get("id"), str):
            continue
        key = (node[:500], str(recorder["id"])[:100])
        if key not in found:
            found[key] = _party_for(session, key, recorder, via)
        out[event_id] = found[key]
    return out


def _party_for(session: Session, key: tuple[str, str], recorder: dict[str, Any], via: Party) -> str:
    node, remote_id = key
    known = session.get(FederationParty, key)
    if known is not None:
        # Another child's enterprise (it told this node of it first) is not this child's to speak for: the events
        # stay the sending node's own.
        return known.party_id if known.via_id in (None, via.id) else via.id
    uscc, gln = _code(recorder.get("uscc"), 18), _code(recorder.get("gln"), 13)
    same = None
    if uscc is not None:
        same = session.scalar(select(Party).where(Party.uscc == uscc))
    if same is None and gln is not None:
        same = session.scalar(select(Party).where(Party.gln == gln))
    if same is not None and not _within(same.region, via):
        # Not the child's to speak for: its events are the mirror's, which does not take the codes (unique here).
        same, uscc, gln = (
            None,
            None if _taken(session, Party.uscc, uscc) else uscc,
            None if _taken(session, Party.gln, gln) else gln,
        )
    party = same if same is not None else _mirror(session, node, remote_id, recorder, uscc, gln, via)
    session.add(FederationParty(node=node, remote_id=remote_id, party_id=party.id, via_id=via.id))
    session.flush()
    return party.id


def _mirror(
    session: Session,
    node: str,
    remote_id: str,
    recorder: dict[str, Any],
    uscc: str | None,
    gln: str | None,
    via: Party,
) -> Party:
    region = recorder.get("region")
    party_type = recorder.get("party_type")
    roles = recorder.get("roles")
    party = Party(
        name=str(recorder.get("name") or remote_id)[:200],
        uscc=uscc,
        gln=gln,
        # a region outside the child's is not the child's to give (its figures would count in another's coverage)
        region=region
        if isinstance(region, str) and len(region) == 6 and region.isdigit() and _within(region, via)
        else None,
        party_type=party_type if party_type in vocabulary.PARTY_TYPES else None,
        roles=[r for r in roles if r in vocabulary.ROLES] or None if isinstance(roles, list) else None,
        product_class=_known_class(session, recorder.get("product_class")),
        actor="enterprise",
    )
    if _ID.match(remote_id) and session.get(Party, remote_id) is None:
        party.id = remote_id
    session.add(party)
    session.flush()
    session.add(
        AuditEntry(
            actor_id=via.id,
            action="party_mirrored",
            subject=party.id,
            payload={"node": node, "remote_id": remote_id, "name": party.name, "uscc": uscc, "gln": gln},
        )
    )
    return party


def _within(region: str | None, via: Party) -> bool:
    """Whether a party of ``region`` is within what the child node ``via`` answers for (its registered region:
    a city node for its city's enterprises; a node registered with no region for any)."""
    return not via.region or catalog_rules.covers(via.region, region or "")


def _taken(session: Session, column: Any, value: str | None) -> bool:
    return value is not None and session.scalar(select(Party.id).where(column == value)) is not None


def _code(value: Any, length: int) -> str | None:
    return value if isinstance(value, str) and len(value) == length and value.isalnum() else None


def _known_class(session: Session, class_id: Any) -> str | None:
    """``class_id`` or its nearest ancestor this node's catalog knows; None if none."""
    if not isinstance(class_id, str) or not class_id:
        return None
    known = {c.id for c in catalog_service.list_classes(session)}
    parts = class_id.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None
