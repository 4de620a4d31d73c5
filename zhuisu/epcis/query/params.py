"""The EPCIS 2.0 SimpleEventQuery parameters this node understands, parsed and checked.

Values follow the REST binding: list parameters are pipe-delimited (``EQ_bizStep=shipping|receiving``) and may also
be repeated. An unknown or malformed parameter is refused with a QueryParameterException naming it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from zhuisu.codes import epc_translate
from zhuisu.codes.canonical import canonical_id
from zhuisu.epcis.identifiers import cbv_short
from zhuisu.epcis.model import EVENT_TYPES
from zhuisu.epcis.query import language
from zhuisu.epcis.query.predicates import Predicate
from zhuisu.errors import QueryParameterInvalid
from zhuisu.kit.i18n import pair
from zhuisu.kit.time import parse_iso

ACTIONS = ("ADD", "OBSERVE", "DELETE")

#: MATCH_* parameter → the index roles it searches (EPCIS 2.0 §8.2.7.1).
MATCH_ROLES: dict[str, tuple[str, ...]] = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
    "MATCH_epcClass": ("quantity", "child_qty"),
    "MATCH_inputEPCClass": ("input_qty",),
    "MATCH_outputEPCClass": ("output_qty",),
    "MATCH_anyEPCClass": ("quantity", "child_qty", "input_qty", "output_qty"),
}
TIME_PARAMS = ("GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime")
LIST_PARAMS = (
    "eventType",
    "EQ_action",
    "EQ_bizStep",
    "EQ_disposition",
    "EQ_readPoint",
    "EQ_bizLocation",
    "EQ_eventID",
)
PAGING_PARAMS = ("perPage", "nextPageToken")
MASTER_PARAMS = ("WD_readPoint", "WD_bizLocation")
#: Fields whose master data HASATTR_ / EQ_ATTR_ can look at (the event columns holding them).
ATTR_FIELDS = ("readPoint", "bizLocation", "bizStep", "disposition")
ORDER_FIELDS = ("eventTime", "recordTime")


@dataclass
class EventQuery:
    event_types: list[str] = field(default_factory=list)
    times: dict[str, datetime] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    matches: dict[str, list[str]] = field(default_factory=dict)
    exists_error_declaration: bool = False
    order_by: str = "recordTime"
    order_desc: bool = False
    event_count_limit: int | None = None
    max_event_count: int | None = None
    #: Parameters checked on the event body (``language``), in the order given.
    predicates: list[Predicate] = field(default_factory=list)
    #: Parameters resolved against master data first (WD_readPoint, HASATTR_…, EQ_ATTR_…).
    master: dict[str, list[str]] = field(default_factory=dict)
    #: ``master`` resolved by the service: (field, ids its column must be one of).
    resolved: list[tuple[str, list[str]]] = field(default_factory=list)

    def canonical(self) -> str:
        """A stable text form of the query, bound into page tokens so a token cannot be replayed on another query."""
        parts = [
            f"type={','.join(self.event_types)}",
            f"order={self.order_by}:{self.order_desc}",
            f"ed={self.exists_error_declaration}",
            f"limit={self.event_count_limit}",
            f"max={self.max_event_count}",
        ]
        parts += [f"{k}={v.isoformat()}" for k, v in sorted(self.times.items())]
        parts += [f"{k}={'|'.join(v)}" for k, v in sorted({**self.lists, **self.matches, **self.master}.items())]
        parts += sorted(f"{p.name}={'|'.join(p.values)}" for p in self.predicates)
        return "&".join(parts)


def _bad(name: str, value: str, expected_zh: str, expected_en: str) -> QueryParameterInvalid:
    return QueryParameterInvalid(
        f"查询参数 {name} 的值 {value!r} 无效，应为{expected_zh}",
        message_en=f"query parameter {name}={value!r} is invalid: expected {expected_en}",
        parameter=name,
    )


def _split(values: Iterable[str]) -> list[str]:
    return [item.strip() for value in values for item in value.split("|") if item.strip()]


def parse_query(items: Iterable[tuple[str, str]]) -> EventQuery:
    """Parse query-string pairs into an EventQuery. Paging parameters are ignored here (see the service)."""
    grouped: dict[str, list[str]] = {}
    for name, value in items:
        grouped.setdefault(name, []).append(value)
    query = EventQuery()
    for name, values in grouped.items():
        _apply(query, name, values)
    if "eventCountLimit" in grouped and "maxEventCount" in grouped:
        raise _bad(
            "maxEventCount",
            grouped["maxEventCount"][0],
            *pair("not to be combined with eventCountLimit"),
        )
    return query


def _apply(query: EventQuery, name: str, values: list[str]) -> None:
    if name in PAGING_PARAMS:
        return
    if name == "eventType":
        types = _split(values)
        for t in types:
            if t not in EVENT_TYPES:
                raise _bad(name, t, "以下之一：" + "、".join(EVENT_TYPES), "one of " + ", ".join(EVENT_TYPES))
        query.event_types = types
    elif name in TIME_PARAMS:
        try:
            query.times[name] = parse_iso(values[-1])
        except ValueError:
            raise _bad(name, values[-1], *pair("an ISO 8601 date-time with a time zone")) from None
    elif name == "EQ_action":
        actions = _split(values)
        for a in actions:
            if a not in ACTIONS:
                raise _bad(name, a, *pair("ADD, OBSERVE or DELETE"))
        query.lists[name] = actions
    elif name in ("EQ_bizStep", "EQ_disposition"):
        query.lists[name] = [v for v in (cbv_short(x) for x in _split(values)) if v]
    elif name in ("EQ_readPoint", "EQ_bizLocation"):
        query.lists[name] = [canonical_id(v) for v in _split(values)]
    elif name == "EQ_eventID":
        query.lists[name] = _split(values)
    elif name in MATCH_ROLES:
        query.matches[name] = [m for v in _split(values) for m in match_values(v)]
    elif name == "EXISTS_errorDeclaration":
        query.exists_error_declaration = _boolean(name, values[-1])
    elif name == "orderBy":
        if values[-1] not in ORDER_FIELDS:
            raise _bad(name, values[-1], *pair("eventTime or recordTime"))
        query.order_by = values[-1]
    elif name == "orderDirection":
        if values[-1] not in ("ASC", "DESC"):
            raise _bad(name, values[-1], *pair("ASC or DESC"))
        query.order_desc = values[-1] == "DESC"
    elif name == "eventCountLimit":
        query.event_count_limit = positive_int(name, values[-1])
    elif name == "maxEventCount":
        query.max_event_count = positive_int(name, values[-1])
    elif name in MASTER_PARAMS or name.startswith(("HASATTR_", "EQ_ATTR_")):
        query.master[name] = master_values(name, values)
    else:
        predicate = language.predicate(name, _split(values))
        if predicate is None:
            raise language.unknown(name)
        query.predicates.append(predicate)


def match_values(value: str) -> list[str]:
    """What a MATCH_* value matches, canonical; a trailing ``*`` marks a prefix pattern.

    An EPC pattern URI (TDS 2.0 §8: ``urn:epc:idpat:sgtin:0614141.107346.*``, ``…:0614141.*.*``, ``…:*.*.*``)
    matches the Digital Link prefixes of the identifiers it covers (``epc_translate.match_patterns``): here the
    GTIN and everything under it (serials and lots of that GTIN).

    >>> match_values("urn:epc:idpat:sgtin:0614141.107346.*")
    ['https://id.gs1.org/01/10614141073464', 'https://id.gs1.org/01/10614141073464/*']
    >>> match_values("urn:epc:idpat:sgln:0614141.00888.*")
    ['https://id.gs1.org/414/0614141008889', 'https://id.gs1.org/414/0614141008889/*']
    >>> match_values("urn:epc:id:sgtin:0614141.107346.2*")
    ['https://id.gs1.org/01/10614141073464/21/2*']
    """
    if value.startswith("urn:epc:idpat:"):
        return epc_translate.match_patterns(value) or [value]
    if value.endswith("*"):
        return [canonical_id(value[:-1] + "0")[:-1] + "*" if value.startswith("urn:epc:") else canonical_id(value)]
    return [canonical_id(value)]


def master_values(name: str, values: list[str]) -> list[str]:
    """The values of a master-data parameter, with its field checked (HASATTR_readPoint, EQ_ATTR_bizLocation_x)."""
    if name.startswith("HASATTR_") and name[len("HASATTR_") :] not in ATTR_FIELDS:
        raise language.unknown(name)
    if name.startswith("EQ_ATTR_"):
        field_name, sep, attribute = name[len("EQ_ATTR_") :].partition("_")
        if field_name not in ATTR_FIELDS or not sep or not attribute:
            raise language.unknown(name)
    split = _split(values)
    if not split:
        raise _bad(name, "", *pair("at least one value"))
    return [canonical_id(v) for v in split] if name.startswith("WD_") else split


def _boolean(name: str, value: str) -> bool:
    if value.lower() in ("true", "1", ""):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise _bad(name, value, *pair("true or false"))


def positive_int(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise _bad(name, value, *pair("a positive integer"))
    return number
