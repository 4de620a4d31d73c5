"""GS1 element strings (GS1-128, GS1 DataMatrix, GS1 QR; GB/T 16986 application identifiers), parsed with
``biip``.

Accepted input: the human-readable interpretation with parentheses ``(01)06921168509256(10)ABC``, or the raw
scanner output with FNC1 as the ASCII group separator ``\\x1d`` (GS), optionally after an ISO/IEC 15424
symbology identifier (``]C1`` GS1-128, ``]e0`` DataBar, ``]d2`` DataMatrix, ``]Q3`` QR, ``]J1`` DotCode).
Textual stand-ins for GS that keyboard-wedge scanners and people type (``<GS>``, ``[GS]``, ``{GS}``,
``<FNC1>``, ``␝``, a literal ``\\x1d``) are read as GS. The canonical value is the HRI, which is unambiguous
and free of control characters; ``to_element_string`` gives the GS-separated form for encoding a barcode. Each
AI value is checked against its GS1 format; GTINs (01/02), SSCCs (00) and GLNs (410–417) are
check-digit-verified, and dates (11, 13, 15, 16, 17, …) must exist.

Limitation: in HRI, a data value that itself contains ``(`` cannot be told apart from the next AI, and is
rejected.

>>> validate(']C1010692116850925610ABC123\\x1d17270131')
'(01)06921168509256(10)ABC123(17)270131'
>>> validate('(01)06921168509256 (17)270131 (10)ABC123')
'(01)06921168509256(17)270131(10)ABC123'
>>> validate('(01)06921168509257')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidChecksum: check digit should be 6, got 7
>>> validate('(01)06921168509256(17)270230')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidComponent: AI (17): 270230 is not a valid date
>>> p = parts('010692116850925610ABC123<GS>17270131')
>>> p['gtin'], p['batch'], p['expiry'], p['primary_ai']
('06921168509256', 'ABC123', '2027-01-31', '01')
>>> to_element_string('(01)06921168509256(10)ABC123(17)270131')
'010692116850925610ABC123\\x1d17270131'
"""

import re
from collections.abc import Iterable
from typing import Any

from biip import ParseError
from biip.gs1_element_strings import GS1ElementString
from biip.gs1_messages import GS1Message

from zhuisu.codes.errors import InvalidChecksum, InvalidCode, InvalidComponent, InvalidFormat

GS = "\x1d"
#: Symbology identifiers (ISO/IEC 15424) whose data is a GS1 element string.
GS1_SYMBOLOGIES = frozenset({"]C1", "]e0", "]e1", "]e2", "]d2", "]Q3", "]J1"})
#: AIs that identify something (GS1 Digital Link primary keys); an element string should start with one.
PRIMARY_AIS = frozenset(
    {
        "00",
        "01",
        "02",
        "253",
        "255",
        "401",
        "402",
        "414",
        "417",
        "8003",
        "8004",
        "8006",
        "8010",
        "8013",
        "8017",
        "8018",
    }
)
_SYMBOLOGY_RE = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_GS_STANDINS = re.compile(r"<GS>|\[GS\]|\{GS\}|<FNC1>|\[FNC1\]|\{FNC1\}|\u241d|\\x1d|\\u001d", re.IGNORECASE)
_DATE_AIS = frozenset({"11", "12", "13", "15", "16", "17", "7006", "7007", "7003", "8008"})
_NAMED = {
    "00": "sscc", "01": "gtin", "02": "content_gtin", "10": "batch", "11": "production_date",
    "13": "packaging_date", "15": "best_before", "16": "sell_by", "17": "expiry", "21": "serial",
    "30": "count", "37": "count", "414": "gln",
}  # fmt: skip
_CHECK_RE = re.compile(r"Expected (\w+), got (\w+)")
_AI_RE = re.compile(r"GS1 AI \((\d+)\)")


def split_symbology_identifier(text: str) -> tuple[str | None, str]:
    """Split a leading ISO/IEC 15424 symbology identifier (``]C1``, ``]Q1``, …) from the data.

    >>> split_symbology_identifier(']Q3https://id.gs1.org/01/06921168509256')
    (']Q3', 'https://id.gs1.org/01/06921168509256')
    """
    match = _SYMBOLOGY_RE.match(text)
    if match is None:
        return None, text
    return match.group(0), text[match.end() :]


def normalize(text: str) -> tuple[str | None, str]:
    """(symbology identifier, body): stripped, stand-ins turned into GS, leading/trailing GS removed."""
    symbology, body = split_symbology_identifier(text.strip())
    body = _GS_STANDINS.sub(GS, body).strip().strip(GS).strip()
    return symbology, body


def _parse(text: str) -> tuple[str | None, GS1Message]:
    symbology, body = normalize(text)
    if not body:
        raise InvalidFormat("the GS1 element string is empty", "GS1 元素串为空")
    try:
        if body.startswith("("):
            squeezed = "".join(body.split())
            message = GS1Message.parse_hri(squeezed)
            if message.as_hri() != squeezed:
                raise InvalidFormat(
                    "text outside the (AI)value pairs, or an empty value",
                    "存在 (AI)数据 结构之外的内容或空数据",
                )
        else:
            message = GS1Message.parse(body)
    except ParseError as exc:
        raise classify_parse_error(str(exc)) from None
    check_element_strings(message.element_strings)
    return symbology, message


def check_element_strings(element_strings: Iterable[GS1ElementString]) -> None:
    """Raise for the first GTIN, SSCC or GLN with a wrong check digit (``biip`` records these, not raises)."""
    for es in element_strings:
        error = es.gtin_error or es.sscc_error or es.gln_error
        if error:
            found = _CHECK_RE.search(error)
            if found:
                raise InvalidChecksum(found.group(1), found.group(2))
            raise InvalidFormat(f"AI ({es.ai.ai}): {error}", f"AI ({es.ai.ai}) 数据无效：{error}")


def classify_parse_error(message: str) -> InvalidCode:
    """Turn a ``biip`` parse error into ``InvalidComponent`` (an impossible date) or ``InvalidFormat``."""
    found = _AI_RE.search(message)
    ai = found.group(1) if found else None
    if ai in _DATE_AIS:
        value = re.search(r"from '(\d+)'", message) or re.search(rf"'{ai}(\d+)'", message)
        shown = value.group(1) if value else "?"
        return InvalidComponent(
            f"AI ({ai}): {shown} is not a valid date",
            f"AI ({ai})：{shown} 不是有效日期",
            component=f"ai_{ai}",
        )
    return InvalidFormat(f"not a valid GS1 element string: {message}", f"不是有效的 GS1 元素串：{message}")


def compact(text: str) -> str:
    """The canonical HRI when the text parses, else the text with stand-ins normalised (never raises)."""
    try:
        return validate(text)
    except InvalidCode:
        return normalize(text)[1] if isinstance(text, str) else ""


def validate(text: str) -> str:
    """Return the canonical HRI ``(AI)value…``, or raise an ``InvalidCode`` subclass."""
    if not isinstance(text, str):
        raise InvalidFormat("the code must be text", "代码必须是文本")
    return _parse(text)[1].as_hri()


def is_valid(text: str) -> bool:
    try:
        return bool(validate(text))
    except InvalidCode:
        return False


def format(text: str) -> str:
    """The human-readable interpretation, as printed under a GS1-128 barcode."""
    return validate(text)


def to_element_string(text: str) -> str:
    """The raw element string, with GS only after variable-length fields, for encoding in a barcode."""
    return GS1Message.from_element_strings(_parse(text)[1].element_strings).value


def parts(text: str) -> dict[str, Any]:
    """Decode: symbology identifier, the elements, and named fields (gtin, batch, expiry as ISO date, …)."""
    symbology, message = _parse(text)
    return {"symbology_identifier": symbology, **element_parts(message.element_strings)}


def element_parts(element_strings: list[GS1ElementString]) -> dict[str, Any]:
    """The first AI, named fields (gtin, batch, expiry as an ISO date, …) and the list of elements."""
    elements: list[dict[str, Any]] = []
    result: dict[str, Any] = {"primary_ai": element_strings[0].ai.ai}
    for es in element_strings:
        element: dict[str, Any] = {"ai": es.ai.ai, "title": es.ai.data_title, "value": es.value}
        if es.date is not None:
            element["date"] = es.date.isoformat()
        if es.datetime is not None:
            element["datetime"] = es.datetime.isoformat()
        if es.decimal is not None:
            element["decimal"] = str(es.decimal)
        elements.append(element)
        name = _NAMED.get(es.ai.ai)
        if name and name not in result:
            result[name] = element.get("date", es.value)
    result["elements"] = elements
    return result
