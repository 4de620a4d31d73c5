"""What a party is on this node (``parties.actor``: enterprise, platform, regulator, inspector, node, admin), as
plain checks every domain's permissions build on (no web framework: services call them too)."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, or_
from sqlalchemy.orm import InstrumentedAttribute

from zhuisu.auth.errors import AdminOnly
from zhuisu.config import Settings
from zhuisu.models import Party


def is_admin(party: Party) -> bool:
    """The node's administrator (``parties.actor``)."""
    return party.actor == "admin"


def is_regulator(party: Party, settings: Settings) -> bool:
    """A regulator (``parties.actor``), or a party the settings admit to the desk (``regulator_party_ids``)."""
    return party.actor == "regulator" or party.id in settings.regulator_party_ids


def check_admin(actor: Party | None) -> None:
    """Raises AdminOnly unless ``actor`` is the node's admin; None is the local operator (the command line)."""
    if actor is not None and not is_admin(actor):
        raise AdminOnly("仅节点管理员可以执行此操作", message_en="only this node's administrator may do this")


def region_scope(party: Party) -> str:
    """The GB/T 2260 prefix a regulator works within: its jurisdiction ("" for a national one or the admin: every
    region)."""
    return "" if is_admin(party) else party.jurisdiction or ""


def covers(classes: Sequence[str] | None, class_id: str | None) -> bool:
    """Whether a mandate or delegation of ``classes`` (None: every class) covers ``class_id``.

    >>> [covers(["food"], "food.dairy"), covers(["food"], "foodstuff"), covers(None, None), covers(["drug"], None)]
    [True, False, True, False]
    """
    if classes is None:
        return True
    return class_id is not None and any(class_id == c or class_id.startswith(c + ".") for c in classes)


def in_class(
    column: ColumnElement[str | None] | InstrumentedAttribute[str | None], class_id: str
) -> ColumnElement[bool]:
    """``column`` is the catalog class ``class_id`` or one under it (``food`` covers ``food.dairy``)."""
    return or_(column == class_id, column.startswith(class_id + ".", autoescape=True))


def supervises(actor: Party, region: str | None, class_id: str | None) -> bool:
    """Whether ``actor`` is a regulator whose jurisdiction covers ``region`` (a GB/T 2260 code; None: national)
    and whose mandate covers ``class_id`` — ``supervised`` for one party in Python."""
    in_region = actor.jurisdiction is None or (region or "").startswith(actor.jurisdiction)
    return actor.actor == "regulator" and in_region and covers(actor.mandate, class_id)


def supervised(jurisdiction: str | None, mandate: Sequence[str] | None) -> list[ColumnElement[bool]]:
    """The parties a regulator supervises, as conditions on ``parties``: registered in its ``jurisdiction`` (a GB/T
    2260 prefix; None: every region) and under a class of its ``mandate`` (``Party.product_class``, the class the
    party is registered with; None: every class — a party registered under no class is outside any mandate)."""
    found: list[ColumnElement[bool]] = []
    if jurisdiction is not None:
        found.append(Party.region.startswith(jurisdiction, autoescape=True))
    if mandate is not None:
        found.append(or_(false(), *(in_class(Party.product_class, c) for c in mandate)))
    return found


def within(scope_prefix: str, requested: str) -> str:
    """The region filter to apply: ``requested`` when inside the scope, else the scope itself.

    >>> [within("23", "2301"), within("23", "11"), within("23", ""), within("", "11")]
    ['2301', '23', '23', '11']
    """
    requested = requested.strip()
    return requested if requested.startswith(scope_prefix) else scope_prefix
