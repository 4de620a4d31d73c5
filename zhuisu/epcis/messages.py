"""The zh-CN / en message catalogue for EPCIS 2.0 validation problems.

A message names where the problem is (event index and field, from the RFC 6901 pointer), what is wrong (one
phrase per problem code) and what was expected (the problem's English technical ``expected`` text, kept
verbatim in both languages so that values such as ``ADD`` or ``2023-06-01T08:30:00+08:00`` are never
translated).
"""

import re

from zhuisu.kit.i18n import pair

#: Problem code → (zh-CN, en) phrase saying what is wrong.
WHAT: dict[str, tuple[str, str]] = {
    "invalid_json": pair("not valid JSON"),
    "empty_document": pair("no events to capture"),
    "missing_context": pair("the EPCIS JSON-LD context (@context) is missing"),
    "required": pair("required field is missing"),
    "invalid_type": pair("wrong JSON type"),
    "nul_character": pair("contains a NUL (U+0000) character"),
    "invalid_name": pair("the property name cannot be an XML element name"),
    "unknown_property": pair("neither a standard property nor a namespaced extension"),
    "undeclared_prefix": pair("namespace prefix not declared in @context"),
    "unknown_event_type": pair("unknown event type"),
    "unknown_action": pair("unknown action"),
    "invalid_datetime": pair("not a valid date-time"),
    "invalid_timezone_offset": pair("not a valid time zone offset"),
    "invalid_uri": pair("not a valid absolute URI"),
    "unknown_cbv_value": pair("neither a CBV standard value nor a URI"),
    "cbv_bare_word_required": pair("a CBV value must be written as its bare word in JSON"),
    "invalid_value": pair("invalid value"),
    "invalid_epc_urn": pair("not a well-formed EPC URN (GS1 EPC Tag Data Standard)"),
    "invalid_digital_link": pair("not a valid GS1 Digital Link URI"),
    "epc_tag_urn": pair("an RFID tag URN is not an EPCIS identifier; use the pure identity"),
    "wrong_identifier_kind": pair("this kind of identifier does not belong in this field"),
    "missing_what": pair("the event names no objects (its 'what' dimension)"),
    "ilmd_not_allowed": pair("ilmd is only allowed when action is ADD"),
    "too_few_items": pair("too few items"),
    "duplicate_items": pair("duplicate items"),
}

_GENERIC = pair("does not conform to EPCIS 2.0")
_EVENT_RE = re.compile(r"^(?:.*/eventList/\d+)")


def _tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def field_name(pointer: str) -> str:
    """A pointer's field as a user reads it: ``quantityList[0].quantity``.

    >>> field_name("/epcisBody/eventList/3/quantityList/0/quantity"), field_name("/readPoint/foo")
    ('quantityList[0].quantity', 'readPoint.foo')
    """
    match = _EVENT_RE.match(pointer)
    name = ""
    for token in _tokens(pointer[match.end() :] if match else pointer):
        name += f"[{token}]" if token.isdigit() else (f".{token}" if name else token)
    return name


def _where(event_index: int | None, pointer: str, zh: bool) -> str:
    field = field_name(pointer)
    if event_index is not None:
        if not field:
            return f"事件 {event_index}" if zh else f"Event {event_index}"
        return f"事件 {event_index} 的字段 {field}" if zh else f"Event {event_index}, field {field}"
    if not field:
        return "提交的数据" if zh else "The submitted data"
    return f"字段 {field}" if zh else f"Field {field}"


def render(event_index: int | None, pointer: str, code: str, expected: str, lang: str = "zh") -> str:
    """The full message of a problem in zh-CN (``lang`` starting with ``zh``) or else in English.

    >>> render(3, "/epcisBody/eventList/3/action", "unknown_action", "one of ADD, OBSERVE, DELETE")
    '事件 3 的字段 action：action 取值未知，应为 one of ADD, OBSERVE, DELETE。'
    >>> render(None, "/@context", "missing_context", "an @context", "en")
    'Field @context: the EPCIS JSON-LD context (@context) is missing; expected an @context.'
    """
    zh = lang.lower().startswith("zh")
    what = WHAT.get(code, _GENERIC)[0 if zh else 1]
    where = _where(event_index, pointer, zh)
    return f"{where}：{what}，应为 {expected}。" if zh else f"{where}: {what}; expected {expected}."
