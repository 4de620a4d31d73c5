"""What the public pages know of the federation (read from its tables, never through the exchange room, which reads
the portal's neighbours): who witnesses this node's log (the product page names them), and where to send a code this
node holds nothing about (the resolver's 307, as GS1 resolvers federate).

Where: the longest prefix of the resolver directory (``federation_directory``, as child nodes reported it) that
matches the code — GS1 company prefix, else zhuisu code issuer, else region (``codes.resolver_keys``) — else, for a
request no node sent here, the parent node; each hop counts in ``zs_hops``, and after ``MAX_HOPS`` the 404 page.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.codes import resolver_keys
from zhuisu.ledger.errors import LedgerError
from zhuisu.ledger.keys import parse_vkey
from zhuisu.models import DirectoryEntry, FederationLink

#: How many nodes a code nothing is recorded about may be sent on to (up once, then down the directory).
MAX_HOPS = 3


@dataclass(frozen=True)
class Elsewhere:
    """Where a code this node does not hold is answered: a node of the directory, or (``upward``) the parent."""

    url: str
    name: str
    upward: bool


def resolve_elsewhere(session: Session, canonical: str, here: str, *, hops: int) -> Elsewhere | None:
    """The node to send ``canonical`` to (this node, at ``here``, holds nothing about it); None when there is none,
    or after ``MAX_HOPS`` (no loops)."""
    if hops >= MAX_HOPS:
        return None
    here = here.rstrip("/")
    for kind, value in resolver_keys.keys(canonical):
        prefixes = [value[:n] for n in range(2, len(value) + 1)] if kind != "zhuisu" else [value]
        found = session.scalars(
            select(DirectoryEntry).where(DirectoryEntry.kind == kind, DirectoryEntry.prefix.in_(prefixes))
        ).all()
        best = max((e for e in found if e.url.rstrip("/") != here), key=lambda e: len(e.prefix), default=None)
        if best is not None:
            return Elsewhere(best.url.rstrip("/"), best.name, upward=False)
    if hops == 0:
        link = session.scalar(
            select(FederationLink).where(FederationLink.active.is_(True)).order_by(FederationLink.created_at)
        )
        if link is not None:
            return Elsewhere(link.parent_url, link.parent_name, upward=True)
    return None


def witness_names(session: Session) -> dict[str, str]:
    """The names of the parent nodes that witness this node's log, by their cosigner key's name."""
    names = {}
    for link in session.scalars(select(FederationLink).order_by(FederationLink.created_at)):
        try:
            names[parse_vkey(link.parent_witness_vkey).name] = link.parent_name
        except LedgerError:
            continue
    return names
