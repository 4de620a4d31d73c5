"""Who may use federation: a child node's own token links it and sends its events (``POST /capture``); what the
links and children look like (``GET /exchange/status``) is for the admin and regulators (``OversightParty``); what a
node is (its name, log origin and public keys, ``GET /exchange/node``) is public, like the ledger's keys."""

from typing import Annotated

from fastapi import Depends

from zhuisu.auth.permissions import CurrentActor
from zhuisu.exchange.federation import service
from zhuisu.models import Party


def node_actor(actor: CurrentActor) -> Party:
    """The caller, who must be a child node (403 ``node_only`` otherwise)."""
    service.check_node(actor)
    return actor


#: A child node registered here, by its node token.
NodeActor = Annotated[Party, Depends(node_actor)]
