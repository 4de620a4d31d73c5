"""The top-level browse resources of the GS1 EPCIS 2.0 REST binding: ``/eventTypes``, ``/epcs``, ``/bizSteps``,
``/bizLocations``, ``/readPoints``, ``/dispositions``, each value's sub-resources and its events.

A collection lists the values stored events name (for ``eventTypes``, ``bizSteps`` and ``dispositions`` also every
standard one), as JSON-LD ``Collection`` documents, paged like ``GET /events``: ``perPage`` and an expiring
``nextPageToken`` bound to its collection. Values are in stored form: CBV words bare (custom ones as their URI),
EPCs and locations canonical (GS1 Digital Link on ``https://id.gs1.org``). A value's events are the SimpleEventQuery
with the value's parameter (``EQ_bizStep``, ``MATCH_anyEPC``…) added to the caller's.
"""

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.orm import Session

from zhuisu.browse import repository
from zhuisu.codes.canonical import canonical_id
from zhuisu.epcis.cbv import BIZ_STEP, DISPOSITION
from zhuisu.epcis.identifiers import cbv_short
from zhuisu.epcis.model import EVENT_TYPES
from zhuisu.errors import NotFound, QueryParameterInvalid
from zhuisu.events.permissions import EventScope
from zhuisu.events.service import EPCIS_CONTEXT
from zhuisu.kit.time import utc_now

#: The sub-resources of a value (HATEOAS discovery): its events.
SUB_RESOURCES = ("events",)
#: The EPCIS top-level resources this node serves (the binding's ``GET /``).
TOP_LEVEL = (
    "queries",
    "capture",
    "events",
    "eventTypes",
    "epcs",
    "readPoints",
    "bizLocations",
    "dispositions",
    "bizSteps",
)


def _short(value: str) -> str:
    return cbv_short(value) or value


def _same(value: str) -> str:
    return value


@dataclass(frozen=True)
class Resource:
    """A top-level resource: which event field its values come from and which query parameter selects them."""

    name: str
    #: The event field (``repository`` name), or None when the values are fixed (eventTypes).
    field: str | None
    #: The SimpleEventQuery parameter a value's events are selected by.
    parameter: str
    #: Values known even when no event names them (the standard vocabulary).
    standard: frozenset[str]
    #: The stored form of a value given in a path (URN or web URI → stored form).
    normalize: Callable[[str], str]
    #: Whether the collection is small enough to list from memory (merged with ``standard``).
    small: bool
    #: Whether the values are EPCs or locations (GS1-EPC-Format applies to them).
    identifiers: bool = False


RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in (
        Resource("eventTypes", None, "eventType", frozenset(EVENT_TYPES), _same, small=True),
        Resource("epcs", "epc", "MATCH_anyEPC", frozenset(), canonical_id, small=False, identifiers=True),
        Resource("bizSteps", "bizStep", "EQ_bizStep", BIZ_STEP.words, _short, small=True),
        Resource(
            "bizLocations", "bizLocation", "EQ_bizLocation", frozenset(), canonical_id, small=False, identifiers=True
        ),
        Resource("readPoints", "readPoint", "EQ_readPoint", frozenset(), canonical_id, small=False, identifiers=True),
        Resource("dispositions", "disposition", "EQ_disposition", DISPOSITION.words, _short, small=True),
    )
}


@dataclass
class ValuePage:
    members: list[str]
    next_token: str | None
    token_expires: datetime | None


def collection(members: list[str]) -> dict[str, Any]:
    """A JSON-LD ``Collection`` document (the binding's UriCollection, BizStepCollection … shape)."""
    return {"@context": EPCIS_CONTEXT, "type": "Collection", "member": members}


def list_values(
    session: Session,
    resource: Resource,
    *,
    per_page: int,
    page_token: str | None,
    token_ttl: timedelta,
    scope: EventScope,
) -> ValuePage:
    """One page of the resource's values named by the events in ``scope``, in order; ``next_token`` is None on the
    last page."""
    after = _decode(page_token, resource) if page_token else None
    if resource.small:
        stored = repository.all_distinct(session, resource.field, scope) if resource.field else []
        values = sorted(resource.standard.union(stored))
        rows = [v for v in values if after is None or v > after][: per_page + 1]
    else:
        assert resource.field is not None
        rows = repository.distinct_page(session, resource.field, after=after, limit=per_page + 1, scope=scope)
    if len(rows) <= per_page:
        return ValuePage(rows, None, None)
    rows = rows[:per_page]
    expires = utc_now() + token_ttl
    return ValuePage(rows, _encode(resource, rows[-1], expires), expires)


def known_value(session: Session, resource: Resource, value: str, *, scope: EventScope) -> str:
    """``value`` (from a path, in any accepted form) in stored form. Raises NotFound unless it is standard or
    named by a stored event in ``scope``."""
    stored = resource.normalize(value.strip())
    if stored in resource.standard:
        return stored
    if resource.field is not None and stored and repository.is_named(session, resource.field, stored, scope):
        return stored
    raise NotFound(
        f"{resource.name} 中没有 {value}",
        message_en=f"no {value} in {resource.name}",
    )


def events_query(resource: Resource, value: str, items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The query parameters selecting ``value``'s events: the caller's plus the value's own. The value's parameter
    may not be given as well (the path already fixes it)."""
    if any(name == resource.parameter for name, _ in items):
        raise QueryParameterInvalid(
            f"查询参数 {resource.parameter} 已由路径 /{resource.name}/… 确定，不能再次指定",
            message_en=f"query parameter {resource.parameter} is fixed by the path /{resource.name}/…",
            parameter=resource.parameter,
        )
    return [*items, (resource.parameter, value)]


def _encode(resource: Resource, after: str, expires: datetime) -> str:
    raw = orjson.dumps({"c": resource.name, "a": after, "e": int(expires.timestamp())})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, resource: Resource) -> str:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        collection_name, after, expires = str(data["c"]), str(data["a"]), int(data["e"])
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        collection_name, after, expires = "", "", 0
    if collection_name != resource.name:
        raise QueryParameterInvalid(
            "nextPageToken 无效或不属于本列表",
            message_en="nextPageToken is invalid or belongs to another listing",
            parameter="nextPageToken",
        )
    if expires < utc_now().timestamp():
        raise QueryParameterInvalid(
            "nextPageToken 已过期，请重新查询",
            message_en="nextPageToken has expired; list again",
            parameter="nextPageToken",
        )
    return after
