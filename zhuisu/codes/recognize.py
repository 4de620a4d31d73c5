"""Recognise the trace-code scheme of whatever a scanner or a person produced, and decode it.

``recognize`` takes text or bytes (UTF-8, else GB18030, else Latin-1) and never raises. It reads: plain codes
with spaces or hyphens; a leading ISO/IEC 15424 symbology identifier (``]C1``, ``]d2``, ``]Q3``, ``]E0``…);
GS1 element strings (HRI with parentheses, or raw with FNC1/GS separators); GS1 Digital Link URIs on any
domain; EPC URNs; ``urn:zhuisu:code:`` URNs; Handle identifiers; the 4-line seed label; and URLs that carry a
code in a query value or a path segment (a drug, vet-drug or pesticide code, a Handle, a seed unit code when
the URL is a seed trace link, …).

The shape of the input decides which schemes are tried; each tried scheme whose shape fits is a candidate:

1. several lines → ``seed-label``; ``urn:epc:`` → ``epc-urn``; ``urn:zhuisu:code:`` → ``zhuisu``.
2. ``http(s)://`` → ``gs1-digital-link`` if it parses or its path has a primary key (``/01/{8–14 digits}``…).
   Otherwise the URL is a carrier: the unit codes of a seed trace link (a URL naming ``seed``, ``zhongzi``
   or 种子) first, then the query values and path segments (last segment first) through the schemes of rule 4,
   then a Handle in the path; ``parts`` then also holds ``carrier: "url"`` and the ``url``.
3. GS1 symbology identifier, ``(`` or a GS separator → ``gs1-element-string``; ``88.``/``hdl:`` → ``handle``.
4. anything else (full-width characters folded, a leading Chinese label such as ``追溯码：`` dropped, spaces
   and hyphens removed), in this priority order: ``zhuisu``, ``sc-licence`` (prefixed),
   ``uscc``, ``gtin``, ``sscc``, ``gln`` (check digits), ``drug-trace-code``, ``vet-drug-code``,
   ``pesticide-label-code``, ``special-equipment-code``, ``detonator-code`` (structure only), and last a GS1
   element string without markers (only if it validates and starts with an identification AI).

A valid candidate beats an invalid one; among equals the priority above decides, so the result is
deterministic. ``candidates`` lists the valid candidates when there are any, else every candidate whose shape
fitted. With none, the scheme is ``unknown`` and ``valid`` is false. Check-digit schemes come before
structure-only ones because a check digit is stronger evidence; e.g. an 18-digit string that is both a valid
SSCC and a well-formed special-equipment code is reported as ``sscc`` with both candidates.

>>> r = recognize(b']C1010692116850925610ABC123\\x1d17270131')
>>> r.scheme, r.valid, r.value, r.parts['expiry']
('gs1-element-string', True, '(01)06921168509256(10)ABC123(17)270131', '2027-01-31')
>>> r = recognize('https://www.example.cn/trace?code=83857930000879766660')
>>> r.scheme, r.value, r.parts['product_code'], r.parts['carrier']
('drug-trace-code', '83857930000879766660', '8385793', 'url')
>>> recognize('215023010201500093').candidates
['sscc', 'special-equipment-code']
>>> recognize('ISBN 978-3-16-148410-0').to_json()
{'input': 'ISBN 978-3-16-148410-0', 'scheme': 'unknown', 'valid': False, 'value': 'ISBN 978-3-16-148410-0', \
'parts': {}, 'error': 'no supported code scheme recognises this value', 'candidates': []}
"""

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from zhuisu.codes import _checks, gs1_digital_link, registry
from zhuisu.codes.errors import InvalidCode, InvalidFormat
from zhuisu.codes.gs1_element_string import (
    GS1_SYMBOLOGIES,
    PRIMARY_AIS,
    normalize,
    split_symbology_identifier,
)

logger = logging.getLogger(__name__)

MAX_INPUT = 4096
UNKNOWN = registry.UNKNOWN
_GS_MARKERS = re.compile(r"\x1d|<GS>|\[GS\]|\{GS\}|<FNC1>|\[FNC1\]|\{FNC1\}|\u241d|\\x1d|\\u001d", re.IGNORECASE)
#: Shapes (after removing spaces and hyphens) that make a plain string a candidate, in priority order.
PLAIN_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("zhuisu", re.compile(r"ZS[0-9A-Z]{18,30}", re.IGNORECASE)),
    ("sc-licence", re.compile(r"SC[0-9]{10,18}", re.IGNORECASE)),
    ("uscc", re.compile(r"[0-9A-Z]{2}[0-9]{6}[0-9A-Z]{10}", re.IGNORECASE)),
    ("gtin", re.compile(r"[0-9]{8}|[0-9]{12,14}")),
    ("sscc", re.compile(r"[0-9]{18}")),
    ("gln", re.compile(r"[0-9]{13}")),
    # 19 to 21 digits starting with 8: a drug trace code (20 digits) mistyped by one is reported as one, wrong length
    ("drug-trace-code", re.compile(r"8[0-9]{18,20}")),
    ("vet-drug-code", re.compile(r"[0-9]{24}")),
    ("pesticide-label-code", re.compile(r"[0-9]{32}")),
    ("special-equipment-code", re.compile(r"[0-9A-Z]{4}[0-9]{9}[0-9A-Z][0-9]{4}", re.IGNORECASE)),
    ("detonator-code", re.compile(r"[0-9]{7}[0-9A-Za-z][0-9]{5}")),
)
_HANDLE_IN_TEXT = re.compile(r"88(?:\.[0-9]{1,12}){2,6}/[^\s?#&=]+")
_SEED_HINTS = ("seed", "zhongzi", "种子")
_LABEL = re.compile(r"^[\u4e00-\u9fff]{1,12}\s*:\s*")


@dataclass(frozen=True)
class Recognition:
    """What ``recognize`` found. ``value`` is the canonical form (the compact input when invalid)."""

    input: str
    scheme: str
    valid: bool
    value: str
    parts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    candidates: list[str] = field(default_factory=list)
    error_zh: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "scheme": self.scheme,
            "valid": self.valid,
            "value": self.value,
            "parts": dict(self.parts),
            "error": self.error,
            "candidates": list(self.candidates),
        }


@dataclass(frozen=True)
class _Attempt:
    scheme: str
    valid: bool
    value: str
    parts: dict[str, Any]
    error: InvalidCode | None = None


def recognize(data: str | bytes) -> Recognition:
    """Recognise and decode a code; never raises (see the module docstring for the rules)."""
    text = _decode(data)
    try:
        return _recognize(text)
    except Exception:  # a bug must not break a scanner; it is logged and the input reported as unknown
        logger.exception("recognize() failed on %r", text[:200])
        return _unknown(text, InvalidFormat("the value could not be analysed", "无法分析该值"))


def _decode(data: object) -> str:
    if isinstance(data, str):
        return data
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        return raw.decode("latin-1")
    return ""


def _unknown(text: str, error: InvalidCode, parts: dict[str, Any] | None = None) -> Recognition:
    return Recognition(text, UNKNOWN, False, text.strip(), parts or {}, str(error), [], error.message_zh)


def _recognize(text: str) -> Recognition:
    body = text.strip().strip("\ufeff\x00").strip()
    if not body:
        return _unknown(text, InvalidFormat("the input is empty", "输入为空"))
    if len(body) > MAX_INPUT:
        return _unknown(text, InvalidFormat(f"the input is longer than {MAX_INPUT} characters", "输入过长"))
    symbology, rest = split_symbology_identifier(body)
    rest = rest.strip()
    if not rest:
        return _unknown(text, InvalidFormat("the input is empty", "输入为空"))
    attempts, extra = _attempts(symbology, rest)
    if symbology:
        extra = {"symbology_identifier": symbology, **extra}
    return _choose(text, attempts, extra)


def _attempts(symbology: str | None, body: str) -> tuple[list[_Attempt], dict[str, Any]]:
    lower = body.lower()
    if "\n" in body or "\r" in body:
        return [_try("seed-label", body)], {}
    if lower.startswith("urn:epc:"):
        return [_try("epc-urn", _lower_urn_head(body))], {}
    if lower.startswith("urn:zhuisu:code:"):
        return [_try("zhuisu", body)], {}
    if lower.startswith(("http://", "https://")):
        return _url_attempts(body), {}
    if symbology in GS1_SYMBOLOGIES or body.startswith("(") or _GS_MARKERS.search(body):
        return [_try("gs1-element-string", (symbology or "") + body)], {}
    if lower.startswith(("88.", "hdl:")):
        return [_try("handle", body)], {}
    return _plain_attempts(body), {}


def _plain_attempts(body: str) -> list[_Attempt]:
    # People type full-width characters and paste labels: "统一社会信用代码：９１１１…" reads as the code.
    body = _LABEL.sub("", unicodedata.normalize("NFKC", body), count=1)
    attempts = [_try(scheme, body) for scheme in _plain_candidates(body)]
    _, gs1_body = normalize(body)
    if gs1_body[:2].isdigit():
        gs1 = _try("gs1-element-string", _checks.clean(gs1_body))
        if gs1.valid and gs1.parts.get("primary_ai") in PRIMARY_AIS:
            attempts.append(gs1)
    return attempts


def _plain_candidates(body: str) -> list[str]:
    compact = _checks.clean(body)
    return [scheme for scheme, shape in PLAIN_SHAPES if shape.fullmatch(compact)]


def _url_attempts(url: str) -> list[_Attempt]:
    expanded = gs1_digital_link.decompressed(url)
    if expanded is not None:  # a compressed Digital Link reads as the link it stands for
        return [_try("gs1-digital-link", expanded)]
    link = _try("gs1-digital-link", url)
    try:
        split = urlsplit(url)
    except ValueError:
        return [link] if link.valid else []
    segments = [unquote(segment) for segment in split.path.split("/") if segment]
    if link.valid or _has_primary_key(segments):
        return [link]  # a Digital Link: the codes in its path are its components, not other readings
    attempts: list[_Attempt] = []
    tokens = [value for _, value in parse_qsl(split.query)] + segments[::-1]
    if split.fragment:
        tokens.append(unquote(split.fragment))
    if any(hint in unquote(url).lower() for hint in _SEED_HINTS):
        # A seed trace link: its unit code may look like anything (even a GTIN), so it comes first.
        attempts.extend(a for a in (_try("seed-label", t) for t in tokens) if a.valid)
    for scheme, shape in PLAIN_SHAPES:
        attempts.extend(_try(scheme, t) for t in tokens if shape.fullmatch(_checks.clean(t)))
    handle = _HANDLE_IN_TEXT.search(unquote(split.path + "?" + split.query))
    if handle:
        attempts.append(_try("handle", handle.group(0)))
    return [replace(a, parts={**a.parts, "carrier": "url", "url": url}) for a in attempts]


def _has_primary_key(segments: list[str]) -> bool:
    """Whether a path has a GS1 primary key followed by a plausible value (unlike ``/2024/01/15/``)."""
    lengths = {"00": (18,), "01": (8, 12, 13, 14), "414": (13,), "417": (13,)}
    for key, value in pairwise(segments):
        if key in PRIMARY_AIS and (len(value) in lengths[key] if key in lengths else bool(value)):
            return True
    return False


def _lower_urn_head(urn: str) -> str:
    # The URN namespace and the EPC kind/scheme are case-insensitive; the components after them are not.
    head = urn.split(":", 4)
    return ":".join([p.lower() for p in head[:4]] + head[4:])


def _try(scheme: str, text: str) -> _Attempt:
    try:
        value = registry.validate(scheme, text)
        return _Attempt(scheme, True, value, registry.parts(scheme, text))
    except InvalidCode as exc:
        return _Attempt(scheme, False, _compact(scheme, text), {}, exc)
    except Exception:  # a bug in one parser must not hide the other readings; it is logged
        logger.exception("%s parser failed on %r", scheme, text[:200])
        error = InvalidFormat(f"the value could not be parsed as {scheme}", f"无法按 {scheme} 解析该值")
        return _Attempt(scheme, False, text.strip(), {}, error)


def _compact(scheme: str, text: str) -> str:
    compact: Callable[[str], str] | None = getattr(registry.get(scheme), "compact", None)
    try:
        return compact(text) if compact else text.strip()
    except InvalidCode:
        return text.strip()


def _choose(text: str, attempts: list[_Attempt], extra: dict[str, Any]) -> Recognition:
    valid = [a for a in attempts if a.valid]
    pool = valid or attempts
    if not pool:
        return _unknown(
            text, InvalidFormat("no supported code scheme recognises this value", "无法识别的代码格式"), extra
        )
    best = pool[0]
    candidates = list(dict.fromkeys(a.scheme for a in pool))
    parts = {**best.parts, **extra}
    if best.error is None:
        return Recognition(text, best.scheme, True, best.value, parts, None, candidates)
    return Recognition(text, best.scheme, False, best.value, parts, str(best.error), candidates, best.error.message_zh)
