"""Validation of EPCIS 2.0 JSON-LD documents and events, with problems a user can act on.

Checks a document or event against the GS1 EPCIS 2.0 JSON Schema (draft-07, formats on; see
``schema/loader.py`` for zhuisu's deviations from it) and the JSON-LD rules the schema cannot express: an
``@context`` that includes the EPCIS context, namespace prefixes of extensions declared in it, at least one
event in a captured document. Each event is validated alone against the definition of its ``type``, so that
the raw errors are specific (never the five-way ``anyOf``) and large documents are fast; the raw errors are
then translated into at most one :class:`Problem` per field, with a stable ``code``.

Beyond the JSON Schema, zhuisu refuses: a document with no events (``empty_document``); event types other than
the five standard ones (``unknown_event_type``; the schema lets any URI through as an "extended event", which
zhuisu could neither store nor trace); extension names using a prefix the ``@context`` does not declare
(``undeclared_prefix``; only checked when every context is inline or a known EPCIS context, since contexts are
never fetched); identifiers that claim an EPC URN or GS1 Digital Link grammar and break it, or whose kind does not
fit their field (``invalid_epc_urn``, ``invalid_digital_link``, ``epc_tag_urn``, ``wrong_identifier_kind``: see
``zhuisu.codes.epc_check``; any other URI is left alone, as the standard allows).
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from zhuisu.epcis import messages
from zhuisu.epcis.identifiers import refused_identifiers
from zhuisu.epcis.schema import loader
from zhuisu.epcis.schema.context import Context
from zhuisu.epcis.schema.translation import Raw, translate

EVENT_TYPES = loader.EVENT_TYPES
_EVENT_TYPES_EXPECTED = "one of " + ", ".join(EVENT_TYPES)
_EMPTY_EXPECTED = "an EPCISDocument with at least one event in epcisBody.eventList"

#: Which problem wins when several fall on one pointer: the lower, the more relevant.
_PRIORITY = {
    "missing_context": 0,
    "required": 1,
    "empty_document": 1,
    "invalid_type": 2,
    "unknown_property": 3,
}
_LAST = 9


@dataclass(frozen=True)
class Problem:
    """One reason to refuse a document or event."""

    event_index: int | None  #: index of the event in epcisBody.eventList; None for a document-level problem
    pointer: str  #: RFC 6901 JSON pointer into the document (or the event, for a single event)
    code: str  #: stable snake_case code, e.g. ``unknown_action``
    expected: str  #: what was expected, short, in English technical terms

    def message(self, lang: str = "zh") -> str:
        """The full message in zh-CN (default) or English (``lang="en"``)."""
        return messages.render(self.event_index, self.pointer, self.code, self.expected, lang)


def validate_document(doc: Any) -> list[Problem]:
    """Validate an EPCISDocument (JSON-LD); ``[]`` when it is valid and has at least one event.

    ``doc`` is the parsed JSON. ``str`` or ``bytes`` are taken as the raw JSON text (so that an empty body or
    broken JSON gets a problem too); ``None`` is an empty document.
    """
    parsed = _parsed(doc)
    if isinstance(parsed, Problem):
        return [parsed]
    if parsed is None or parsed == {}:
        return [Problem(None, "", "empty_document", _EMPTY_EXPECTED)]
    if not isinstance(parsed, dict):
        return [Problem(None, "", "invalid_type", "object (an EPCISDocument)")]
    if parsed.get("type", "EPCISDocument") != "EPCISDocument":
        return [Problem(None, "/type", "invalid_value", "EPCISDocument")]
    problems = _document_problems(parsed, "epcisDocument", ("epcisBody", "eventList"))
    # A missing body or event list is an empty document, said once below.
    problems = [p for p in problems if p.code != "required" or p.pointer not in ("/epcisBody", "/epcisBody/eventList")]
    body = parsed.get("epcisBody")
    events = body.get("eventList") if isinstance(body, dict) else None
    if body is None or body == "":
        problems.append(Problem(None, "/epcisBody", "empty_document", _EMPTY_EXPECTED))
    elif isinstance(body, dict) and not events:
        problems.append(Problem(None, "/epcisBody/eventList", "empty_document", _EMPTY_EXPECTED))
    problems = _one_per_pointer(problems)
    if isinstance(events, list):
        problems += _events(events, "/epcisBody/eventList", Context.of_document(parsed.get("@context")))
    return problems


def validate_event(
    event: Any, *, index: int | None = None, base_pointer: str = "", context: Any = None
) -> list[Problem]:
    """Validate one event, as posted to ``/events``; ``[]`` when it is valid.

    Such an event carries its own ``@context``. To validate an event taken out of an EPCISDocument (e.g. while
    streaming one), pass the document's ``@context`` as ``context``: the event then needs none of its own.
    ``index`` and ``base_pointer`` place the problems in the enclosing document.
    """
    if context is None:
        return _event(event, index, base_pointer, None)
    return _event(event, index, base_pointer, _document_context(context))


#: The JSON of the last document ``@context`` seen by ``validate_event`` and what it sets up (a frozen Context),
#: as one tuple replaced whole: a streamed document passes the same context with each of its events.
_LAST_CONTEXT: list[tuple[bytes, Context]] = [(b"", Context.EMPTY)]


def _document_context(raw: Any) -> Context:
    try:
        key = orjson.dumps(raw)
    except orjson.JSONEncodeError:
        return Context.of_document(raw)
    last, known = _LAST_CONTEXT[0]
    if key == last:
        return known
    context = Context.of_document(raw)
    _LAST_CONTEXT[0] = (key, context)
    return context


def validate_query_document(doc: Any) -> list[Problem]:
    """Validate an EPCISQueryDocument (a query's result); ``[]`` when valid. An empty result is valid."""
    parsed = _parsed(doc)
    if isinstance(parsed, Problem):
        return [parsed]
    if not isinstance(parsed, dict):
        return [Problem(None, "", "invalid_type", "object (an EPCISQueryDocument)")]
    if parsed.get("type", "EPCISQueryDocument") != "EPCISQueryDocument":
        return [Problem(None, "/type", "invalid_value", "EPCISQueryDocument")]
    path = ("epcisBody", "queryResults", "resultsBody", "eventList")
    problems = _one_per_pointer(_document_problems(parsed, "epcisQueryDocument", path))
    body = parsed.get("epcisBody")
    results = body.get("queryResults") if isinstance(body, dict) else None
    results_body = results.get("resultsBody") if isinstance(results, dict) else None
    events = results_body.get("eventList") if isinstance(results_body, dict) else None
    if isinstance(events, list):
        problems += _events(events, "/" + "/".join(path), Context.of_document(parsed.get("@context")))
    return problems


def _parsed(doc: Any) -> Any:
    """The document itself, or parsed from raw JSON text; a Problem when the text is empty or not JSON."""
    if isinstance(doc, bytes | bytearray | memoryview | str):
        try:
            text = doc if isinstance(doc, str) else bytes(doc).decode("utf-8")
        except UnicodeDecodeError as exc:
            return Problem(
                None, "", "invalid_json", f"UTF-8 text (byte {exc.start} is not UTF-8; GBK must be converted)"
            )
        text = text.removeprefix("\ufeff")  # a byte order mark, as some editors on Windows write
        if not text.strip():
            return Problem(None, "", "empty_document", _EMPTY_EXPECTED)
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            return Problem(None, "", "invalid_json", f"valid JSON ({exc})")
    return doc


def _document_problems(doc: dict[str, Any], definition: str, list_path: tuple[str, ...]) -> list[Problem]:
    """The document's own problems: everything but its events, found at ``list_path``."""
    problems = [_problem(None, raw) for raw in translate(loader.validator(definition), doc, "")]
    context = Context.of_document(doc.get("@context"))
    if "@context" in doc and context.lacks_epcis():
        problems.append(Problem(None, "/@context", "missing_context", Context.EXPECTED))
    problems += [_problem(None, raw) for raw in _undeclared(context, _without(doc, list_path), "")]
    return problems


def _without(node: Any, path: tuple[str, ...]) -> Any:
    """A shallow copy of ``node`` without the value at ``path`` (the event list, checked event by event)."""
    if not path or not isinstance(node, dict) or path[0] not in node:
        return node
    if len(path) == 1:
        return {key: value for key, value in node.items() if key != path[0]}
    return {**node, path[0]: _without(node[path[0]], path[1:])}


def _undeclared(context: Context, node: Any, pointer: str) -> list[Raw]:
    return [
        Raw(
            at,
            "undeclared_prefix",
            f'a prefix declared in @context (e.g. "{prefix}": "https://example.com/ns/") or a full IRI',
        )
        for at, prefix in context.undeclared(node, pointer)
    ]


def _events(events: list[Any], list_pointer: str, context: Context) -> list[Problem]:
    problems: list[Problem] = []
    for index, event in enumerate(events):
        problems += _event(event, index, f"{list_pointer}/{index}", context)
    return problems


def _event(event: Any, index: int | None, pointer: str, inherited: Context | None) -> list[Problem]:
    """An event's problems; ``inherited`` is the enclosing document's context, None for a standalone event."""
    if not isinstance(event, dict):
        return [Problem(index, pointer, "invalid_type", "object (an EPCIS event)")]
    raws: list[Raw] = []
    context = (inherited or Context.EMPTY).extended(event.get("@context"))
    if inherited is None and "@context" not in event:
        raws.append(Raw(pointer + "/@context", "missing_context", Context.EXPECTED))
    elif inherited is None and context.lacks_epcis():
        raws.append(Raw(pointer + "/@context", "missing_context", Context.EXPECTED))
    event_type = event.get("type")
    if "type" not in event:
        raws.append(Raw(pointer + "/type", "required", _EVENT_TYPES_EXPECTED))
    elif not isinstance(event_type, str):
        raws.append(Raw(pointer + "/type", "invalid_type", "string"))
    elif event_type not in EVENT_TYPES:
        raws.append(Raw(pointer + "/type", "unknown_event_type", _EVENT_TYPES_EXPECTED))
    else:
        validator = loader.validator(event_type)
        if not validator.is_valid(event):
            raws += translate(validator, event, pointer)
        raws += _undeclared(context, event, pointer)
        raws += [Raw(at, refusal.code, refusal.expected) for at, refusal in refused_identifiers(event, pointer)]
    raws += [Raw(at, "nul_character", _NUL_EXPECTED) for at in _nuls(event, pointer)]
    raws += [Raw(at, "invalid_name", _NAME_EXPECTED) for at in _unnamable(event, pointer)]
    return _one_per_pointer([_problem(index, raw) for raw in raws])


def _nuls(event: dict[str, Any], pointer: str) -> list[str]:
    """Where ``event`` holds a NUL character (neither PostgreSQL's jsonb nor XML can hold one); ~2 µs when none."""
    try:
        if _NUL not in orjson.dumps(event):
            return []
    except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits: look the slow way
        pass
    return _nul_pointers(event, pointer)


#: The local part of a property name as the XML binding writes it (an XML NCName: a letter or "_" first); the
#: prefix or IRI before it is checked by the context (``undeclared_prefix``).
_NCNAME = re.compile(r"[^\W\d][\w.\-]*")
_NAME_EXPECTED = (
    "a property name the XML binding can carry: prefix:name or a full IRI ending in a name "
    '(a letter or "_" first, then letters, digits, "_", "-" or ".")'
)
#: Keys that are no element names: JSON-LD keywords are skipped by their "@", and these hold the XML attributes
#: and text of a user extension element (``epcis.xml.names``).
_NOT_ELEMENTS = frozenset({"#attributes", "#text"})


def _unnamable(event: dict[str, Any], pointer: str) -> list[str]:
    """The JSON pointers of property names the XML binding could not write as element names (the two bindings
    must say the same: a document the node accepts it can also serve as XML)."""
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(event, pointer)]
    while stack:
        current, at = stack.pop()
        if type(current) is dict:
            for key, value in current.items():
                if key[:1] == "@" or key in _NOT_ELEMENTS:
                    continue
                here = f"{at}/{key.replace('~', '~0').replace('/', '~1')}"
                if _NCNAME.fullmatch(_local_name(key)) is None:
                    found.append(here)
                elif type(value) in (dict, list):
                    stack.append((value, here))
        elif type(current) is list:
            stack.extend((value, f"{at}/{n}") for n, value in enumerate(current) if type(value) in (dict, list))
    return sorted(found)


def _local_name(key: str) -> str:
    if key.startswith(("http://", "https://", "urn:")):
        return key[max(key.rfind("/"), key.rfind("#"), key.rfind(":")) + 1 :]
    return key.partition(":")[2] if ":" in key else key


_NUL = b"\\u0000"
_NUL_EXPECTED = "text without NUL (U+0000) characters"


def _nul_pointers(value: Any, pointer: str) -> list[str]:
    """The JSON pointers of the keys and strings under ``value`` that hold a NUL character."""
    if isinstance(value, str):
        return [pointer] if "\x00" in value else []
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            at = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
            found += [at] if "\x00" in key else _nul_pointers(item, at)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found += _nul_pointers(item, f"{pointer}/{n}")
    return found


def _problem(index: int | None, raw: Raw) -> Problem:
    return Problem(index, raw.pointer, raw.code, raw.expected)


def _one_per_pointer(problems: Iterable[Problem]) -> list[Problem]:
    """The most relevant problem for each pointer, in document order."""
    best: dict[str, Problem] = {}
    for problem in problems:
        kept = best.get(problem.pointer)
        if kept is None or _PRIORITY.get(problem.code, _LAST) < _PRIORITY.get(kept.code, _LAST):
            best[problem.pointer] = problem
    return sorted(best.values(), key=lambda p: tuple(_order_key(p.pointer)))


def _order_key(pointer: str) -> Iterator[tuple[int, int, str]]:
    for token in pointer.split("/"):
        yield (0, int(token), "") if token.isascii() and token.isdigit() else (1, 0, token)
