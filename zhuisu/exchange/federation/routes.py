"""``/exchange``: what this node is, a child node's link, and the state of federation (links up, children down)."""

from typing import Any

from fastapi import APIRouter

from zhuisu.auth.permissions import CurrentActor, OversightParty
from zhuisu.events import service as events_service
from zhuisu.events.permissions import event_scope
from zhuisu.exchange.federation import service
from zhuisu.exchange.federation.permissions import NodeActor
from zhuisu.exchange.federation.schemas import (
    ChildRead,
    DirectoryRead,
    LinkCreate,
    NodeRead,
    PartiesSent,
    StatusRead,
)
from zhuisu.web.deps import DbSession, SettingsDep

router = APIRouter(prefix="/exchange", tags=["federation"])


@router.get("/node", response_model=NodeRead)
def get_node(settings: SettingsDep) -> NodeRead:
    """This node: its name, log origin, log key (to verify its checkpoints), witness key (to verify its cosignatures
    of its children's logs) and base URL. Public, like the ledger's keys."""
    return NodeRead(**service.identity(settings).to_json())


@router.post("/link", response_model=ChildRead, responses={400: {}, 401: {}, 403: {}})
def link_child(body: LinkCreate, actor: NodeActor, session: DbSession) -> ChildRead:
    """A child node (its node token, from ``zhuisu node add`` here) gives its log's key, its address and the prefixes
    it answers for: from now on this node cosigns that log's checkpoints (``/ledger/witness``), sends the codes under
    those prefixes to it, and the child sends its events with ``POST /capture``. Sent again when its directory
    changes."""
    child = service.register_child(
        session,
        actor,
        log_vkey=body.log_vkey,
        base_url=body.base_url,
        directory=[d.model_dump() for d in body.directory],
    )
    return ChildRead(**service.child_json(child, actor))


@router.post("/parties", responses={400: {}, 401: {}, 403: {}})
def post_parties(body: PartiesSent, actor: NodeActor, session: DbSession) -> dict[str, int]:
    """A child node tells of the enterprises registered at it or below (``{"parties": [{"node", "recorder"}]}``):
    each is mirrored here as the recorders of its events are (``parties.mirrors``: within the child's region only),
    so this node's coverage counts those that recorded nothing yet. Sent by the child's worker, in registration
    order; sending one again changes nothing."""
    return {"mirrored": service.mirror_parties(session, actor, body.parties)}


@router.get("/recalls", responses={401: {}, 403: {}})
def get_recalls(actor: NodeActor, session: DbSession) -> list[dict[str, Any]]:
    """The recalls this node ordered that name a holder the child node registers (open, and closed within a month):
    the child's worker relays each to its holders in this node's name, and closes it when this node does."""
    return service.recalls_for(session, actor)


@router.get("/blacklist", responses={401: {}, 403: {}})
def get_blacklist(actor: NodeActor, session: DbSession) -> list[dict[str, Any]]:
    """The blacklist entries this node made of enterprises the child node registers (with the child's ids of them),
    made within a year: the child's worker lists each there in this node's name, and removes it when this node
    does."""
    return service.blacklist_for(session, actor)


@router.get("/releases", responses={401: {}, 403: {}})
def get_releases(actor: NodeActor, session: DbSession) -> list[dict[str, Any]]:
    """The catalog releases a child node takes from here (downward flow: national → province → city): the national
    ones loaded here and the local ones covering the child's region, with their documents. The child's worker loads
    those it lacks."""
    return service.releases_for(session, actor)


@router.get("/directory", response_model=list[DirectoryRead])
def get_directory(session: DbSession) -> list[DirectoryRead]:
    """The resolver directory: which node answers for the codes under each GS1 company prefix, zhuisu code issuer
    and region, as the children reported them and the admin entered them. Public, as GS1 resolvers publish theirs:
    a code asked here that nothing is recorded about is redirected (307) to the node it names."""
    return [
        DirectoryRead(kind=e.kind, prefix=e.prefix, url=e.url, name=e.name, from_child=e.child_id)
        for e in service.list_directory(session)
    ]


@router.get("/origins/{event_id:path}", responses={401: {}, 404: {}})
def get_origin(event_id: str, actor: CurrentActor, session: DbSession, settings: SettingsDep) -> dict[str, Any]:
    """Where an event was first recorded (its provenance): the node, its record time, hash and recorder there, and
    the child node that sent it here (``via``); for an event recorded here, this node. Whoever may read the event
    (``events.permissions``: its lane) may read this; for anyone else it does not exist (404)."""
    event = events_service.get_event(session, event_id, scope=event_scope(session, actor))
    return service.provenance(session, event, settings)


@router.get("/status", response_model=StatusRead, responses={401: {}, 403: {}})
def get_status(party: OversightParty, session: DbSession, settings: SettingsDep) -> StatusRead:
    """Federation at a glance, for the admin and regulators: each link to a parent node (outbox depth, lag in
    seconds since the oldest unsent event was recorded, last success, last error) and each child node (events
    received, last received)."""
    return StatusRead(
        node=NodeRead(**service.identity(settings).to_json()),
        links=[s.to_json() for s in service.link_statuses(session)],
        children=[ChildRead(**service.child_json(c, p)) for c, p in service.list_children(session)],
    )
