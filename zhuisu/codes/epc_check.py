"""Whether an identifier that claims an EPC or GS1 grammar keeps it, and whether it fits the field it is in.

EPCIS 2.0 (§8.2) lets an event name objects, classes, locations and parties by any URI; zhuisu checks what claims a
GS1 grammar, and leaves every other URI alone (``urn:example:…``, ``http://example.com/…``, ``geo:…``):

- ``urn:epc:id:`` / ``urn:epc:class:`` / ``urn:epc:idpat:`` URNs of a GS1-key scheme must parse strictly
  (``epc_urn``: company prefix of 6 to 12 digits, the right number of digits with the reference, the GS1 AI
  character set 82, well-formed %-escapes, a pattern's only wildcard last). An unknown scheme is refused; the
  non-GS1 EPC schemes (``gid``, ``usdod``, ``adi``, ``bic``, ``imovn``) are not checked.
- RFID tag and raw URNs (``urn:epc:tag:``, ``urn:epc:raw:``, ``urn:epc:pat:``) are refused: EPCIS names objects
  by their pure identity (EPC Tag Data Standard 2.0 §4, §12), so the message gives it when it can (after checking
  the tag URN's filter value, 0 to 7).
- An http(s) URI whose path holds a GS1 Digital Link primary key (``…/01/…``, ``…/414/…``; the test
  ``canonical.canonical_id`` uses to store it as a Digital Link) must be a valid uncompressed GS1 Digital Link:
  check digits, AI lengths and character sets, qualifiers in the allowed order, well-formed %-escapes (``biip``).
  The key starts the path, or follows a path prefix with a value that starts with 6 digits (a company prefix),
  or the host is ``id.gs1.org``: ``https://example.com/2024/01/15/news`` claims nothing.
- The kind must fit the field (``Role``): a quantity's ``epcClass`` is a class (``urn:epc:class:lgtin``,
  ``urn:epc:idpat:…``, a Digital Link of a GTIN alone or with a lot or CPV, of an ITIP, CPID, or a GRAI, GDTI or
  GCN without serial); a read point or business location is a location (SGLN, ``/414/``); a source or
  destination a party or location (PGLN, SGLN, ``/417/``, ``/414/``); an EPC list or parent ID names objects, so
  a pattern URN is refused there (a class URN is not: GS1's own hash vector ``epclist_normalisation`` names one
  in an ``epcList``).

``check`` remembers its answers: a document names the same locations and parties again and again; the common shapes
(SGTIN, LGTIN, SSCC, SGLN and PGLN URNs; Digital Links of a GTIN with a lot or serial, an SSCC, a GLN, a PGLN on
their resolver's root) are accepted by one regular expression before any full parse.

>>> check("urn:epc:id:sgtin:0614141.107346.2017", INSTANCE) is None
True
>>> check("urn:epc:id:sgtin:0614141.10734.2017", INSTANCE)
Refusal(code='invalid_epc_urn', expected='a well-formed urn:epc:id:sgtin URN (the company prefix and \
indicator/item reference must have 13 digits, got 12)')
>>> check("https://id.gs1.org/01/10614141073465/21/x", INSTANCE).expected
'a GS1 Digital Link with valid check digits (the check digit of GTIN 10614141073465 should be 4, got 5)'
>>> check("urn:epc:tag:sgtin-96:3.0614141.812345.6789", INSTANCE).expected
'the pure identity urn:epc:id:sgtin:0614141.812345.6789, not an RFID tag URN'
>>> check("urn:epc:id:sgtin:0614141.107346.2017", LOCATION).code
'wrong_identifier_kind'
>>> check("urn:example:anything", CLASS), check("https://example.com/2024/01/15/news", INSTANCE)
(None, None)
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from biip import ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_digital_link_uris import GS1DigitalLinkURI

from zhuisu.codes import epc_urn

#: What an event's field names, and so which kinds of identifier it takes.
Role = Literal["instance", "class", "location", "party", "any"]
INSTANCE: Role = "instance"  #: epcList, childEPCs, inputEPCList, outputEPCList, parentID
CLASS: Role = "class"  #: a quantity element's epcClass
LOCATION: Role = "location"  #: readPoint.id, bizLocation.id
PARTY: Role = "party"  #: a source or destination
ANY: Role = "any"  #: bizTransaction: the grammar alone


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an identifier is refused: a stable ``code`` and what was ``expected`` (English technical terms)."""

    code: str  #: ``invalid_epc_urn``, ``invalid_digital_link``, ``epc_tag_urn`` or ``wrong_identifier_kind``
    expected: str


_GS1_SCHEMES = frozenset("sgtin sscc sgln grai giai gsrn gsrnp gdti cpi sgcn ginc gsin itip upui pgln lgtin".split())
_OTHER_SCHEMES = frozenset({"gid", "usdod", "adi", "bic", "imovn"})  # EPC schemes outside GS1: not checked
_TAG_KINDS = frozenset({"tag", "raw", "pat"})
_KINDS = ("id", "class", "idpat")

_URN_CHAR = r"[A-Za-z0-9!'()*+,\-.:;=_]"
#: The common URN shapes, accepted without the full parse once their digit counts add up.
_FAST_URN = {
    ("id", "sgtin"): (re.compile(rf"(\d{{6,12}})\.(\d{{1,7}})\.{_URN_CHAR}{{1,20}}"), 13),
    ("class", "lgtin"): (re.compile(rf"(\d{{6,12}})\.(\d{{1,7}})\.{_URN_CHAR}{{1,20}}"), 13),
    ("id", "sscc"): (re.compile(r"(\d{6,12})\.(\d{5,11})"), 17),
    ("id", "sgln"): (re.compile(rf"(\d{{6,12}})\.(\d{{0,6}})\.{_URN_CHAR}{{1,20}}"), 12),
    ("id", "pgln"): (re.compile(r"(\d{6,12})\.(\d{0,6})"), 12),
}

#: A GS1 Digital Link path: a primary key somewhere in the path (``canonical.canonical_id`` reads the same).
_DL = re.compile(
    r"^https?://([^/?#]+)((?:/[^/?#]+)*?)/(00|01|253|255|401|402|414|417|8003|8004|8006|8010|8017|8018)/([^?#]*)"
)
#: After a path prefix, a primary key's value starts with the digits of a company prefix (``/2024/01/15/`` is a date).
_KEY_START = re.compile(r"\d{6}")
#: Digital Links on a resolver's root with plain values (GTIN with a lot and/or serial, SSCC, GLN with an
#: extension, PGLN), accepted without ``biip`` once the shape and the key's check digit are right.
_FAST_DL = re.compile(r"^https?://[^/?#]+/(01|00|414|417)/(\d+)((?:/(?:10|21|254)/[A-Za-z0-9\-._]{1,20})*)$")
_FAST_KEYS = {"01": 14, "00": 18, "414": 13, "417": 13}
_FAST_QUALIFIERS: dict[str, set[tuple[str, ...]]] = {
    "01": {(), ("10",), ("21",), ("10", "21")},
    "00": {()},
    "414": {(), ("254",)},
    "417": {()},
}
#: Role → whether a fast Digital Link (key AI, qualifier AIs) fits it.
_FAST_FITS: dict[str, Callable[[str, tuple[str, ...]], bool]] = {
    "instance": lambda ai, qualifiers: True,
    "class": lambda ai, qualifiers: ai == "01" and "21" not in qualifiers,
    "location": lambda ai, qualifiers: ai == "414",
    "party": lambda ai, qualifiers: ai in ("414", "417"),
    "any": lambda ai, qualifiers: True,
}
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_KEY_NAMES = {
    "00": "SSCC", "01": "GTIN", "253": "GDTI", "255": "GCN", "401": "GINC", "402": "GSIN", "414": "GLN",
    "417": "PGLN", "8003": "GRAI", "8004": "GIAI", "8006": "ITIP", "8010": "CPID", "8017": "GSRNP", "8018": "GSRN",
}  # fmt: skip
#: Key AI → how many leading digits of the key end with its check digit (``biip`` checks GTIN, SSCC and GLN only).
_CHECKED = {"00": 18, "01": 14, "414": 13, "417": 13, "253": 13, "255": 13, "402": 17, "8003": 14, "8006": 14,
            "8017": 18, "8018": 18}  # fmt: skip
_BIIP_MISMATCH = re.compile(r"Failed to match '(.*)' with GS1 AI \((\d+)\) pattern")
_BIIP_CHECK = re.compile(r"Expected (\w+), got (\w+)")

_CLASS_EXPECTED = (
    "a class-level identifier: urn:epc:class:lgtin:…, urn:epc:idpat:sgtin:….*, or a GS1 Digital Link of a GTIN "
    "alone or with a lot (/01/…/10/…)"
)
_EXPECTED = {
    INSTANCE: "an identifier of objects (urn:epc:id:… or a GS1 Digital Link), not a pattern",
    CLASS: _CLASS_EXPECTED,
    LOCATION: "a location: urn:epc:id:sgln:… or a GS1 Digital Link of a GLN (/414/…, optionally /254/…)",
    PARTY: "a party or location: urn:epc:id:pgln:…, urn:epc:id:sgln:…, or a GS1 Digital Link /417/… or /414/…",
    ANY: "",
}


@dataclass(slots=True)
class _Claim:
    """What a GS1 identifier is: a URN (its kind and scheme) or a Digital Link (its key AI and path AIs)."""

    urn: bool
    kind: str  #: URN: id, class or idpat; Digital Link: "dl"
    scheme: str  #: URN: the scheme; Digital Link: the key's AI
    qualifiers: frozenset[str] = frozenset()
    key: str = ""


#: What ``check`` answered, by role and identifier: a document names the same locations, parties and classes again
#: and again. Plain dicts of strings, not ``lru_cache``, whose keys and links are lists the garbage collector walks at
#: every full pass; each is emptied when it holds ``_CACHE_SIZE`` answers.
_CACHES: dict[str, dict[str, Refusal | None]] = {role: {} for role in ("instance", "class", "location", "party", "any")}
_CACHE_SIZE = 65536
_UNKNOWN = Refusal("", "")


def check(value: str, role: Role) -> Refusal | None:
    """None when ``value`` is fit for ``role``, or claims no GS1 grammar; else why it is refused."""
    cache = _CACHES[role]
    found = cache.get(value, _UNKNOWN)
    if found is not _UNKNOWN:
        return found
    found = _check(value, role)
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[value] = found
    return found


def _check(value: str, role: Role) -> Refusal | None:
    fast = _FAST_DL.match(value)
    if fast is not None:
        ai, key, tail = fast.groups()
        qualifiers = tuple(tail.split("/")[1::2])
        if (
            len(key) == _FAST_KEYS[ai]
            and qualifiers in _FAST_QUALIFIERS[ai]
            and epc_urn.check_digit(key[:-1]) == key[-1]
        ):
            return None if _FAST_FITS[role](ai, qualifiers) else Refusal("wrong_identifier_kind", _EXPECTED[role])
    found = _claim(value)
    if found is None or isinstance(found, Refusal):
        return found
    if not _fits(found, role):
        return Refusal("wrong_identifier_kind", _EXPECTED[role])
    return None


def _claim(value: str) -> _Claim | Refusal | None:
    if value[:8].lower() == "urn:epc:":
        return _urn(value)
    if value.startswith(("https://", "http://")):
        match = _DL.match(value)
        if match is None or (
            match.group(2) and match.group(1).lower() != "id.gs1.org" and not _KEY_START.match(match.group(4))
        ):
            return None
        return _digital_link(value, match)
    return None


def _urn(value: str) -> _Claim | Refusal | None:
    head = value.split(":", 4)
    kind = head[2].lower()
    scheme = head[3].lower() if len(head) > 3 else ""
    if kind in _TAG_KINDS:
        return _tag(value, kind, scheme, head[4] if len(head) == 5 else "")
    if kind not in _KINDS or len(head) != 5:
        return Refusal("invalid_epc_urn", "an EPC URN of the form urn:epc:id|class|idpat:scheme:components")
    if scheme in _OTHER_SCHEMES:
        return None
    if scheme not in _GS1_SCHEMES:
        known = ", ".join(sorted(_GS1_SCHEMES | _OTHER_SCHEMES))
        return Refusal("invalid_epc_urn", f"a scheme of the EPC Tag Data Standard ({known}), got {scheme!r}")
    fast = _FAST_URN.get((kind, scheme))
    if fast is not None:
        match = fast[0].fullmatch(head[4])
        if match is not None and len(match.group(1)) + len(match.group(2)) == fast[1]:
            return _Claim(True, kind, scheme)
    try:
        epc_urn.parse(f"urn:epc:{kind}:{scheme}:{head[4]}")
    except epc_urn.InvalidEpcUrn as exc:
        reason = str(exc).split(": ", 1)[-1]
        return Refusal("invalid_epc_urn", f"a well-formed urn:epc:{kind}:{scheme} URN ({reason})")
    return _Claim(True, kind, scheme)


def _tag(value: str, kind: str, scheme: str, body: str) -> Refusal:
    """A tag, raw or tag-pattern URN: refused, naming the pure identity when the tag URN has one."""
    plain = "a pure-identity EPC URN (urn:epc:id:…), not an RFID tag or raw URN"
    name, _, size = scheme.partition("-")
    if kind != "tag" or name not in _GS1_SCHEMES or not size or name == "pgln":
        return Refusal("epc_tag_urn", plain)
    tag_filter, _, identity = body.partition(".")
    if not (len(tag_filter) == 1 and tag_filter in "01234567"):
        return Refusal("invalid_epc_urn", f"a tag URN's filter value is one digit 0 to 7, got {tag_filter!r}")
    pure = f"urn:epc:id:{name}:{identity}"
    if not epc_urn.is_epc_urn(pure):
        return Refusal("epc_tag_urn", plain)
    return Refusal("epc_tag_urn", f"the pure identity {pure}, not an RFID tag URN")


def _digital_link(value: str, match: re.Match[str]) -> _Claim | Refusal:
    path = match.group(0)
    if _BAD_ESCAPE.search(path):
        return Refusal("invalid_digital_link", "a GS1 Digital Link whose % is followed by two hex digits")
    try:
        link = GS1DigitalLinkURI.parse(value)
    except (ParseError, ValueError) as exc:
        return Refusal("invalid_digital_link", _biip_expected(str(exc)))
    for es in link.element_strings:
        error = es.gtin_error or es.sscc_error or es.gln_error
        if error:
            found = _BIIP_CHECK.search(error)
            shown = f"should be {found.group(1)}, got {found.group(2)}" if found else error
            name = _KEY_NAMES.get(es.ai.ai, f"AI ({es.ai.ai})")
            return Refusal(
                "invalid_digital_link",
                f"a GS1 Digital Link with valid check digits (the check digit of {name} {es.value} {shown})",
            )
    ai, key = match.group(3), unquote(match.group(4).split("/", 1)[0])
    checked = key[: _CHECKED.get(ai, 0)]
    if checked.isdigit() and len(checked) == _CHECKED[ai] and epc_urn.check_digit(checked[:-1]) != checked[-1]:
        shown = f"should be {epc_urn.check_digit(checked[:-1])}, got {checked[-1]}"
        return Refusal(
            "invalid_digital_link",
            f"a GS1 Digital Link with valid check digits (the check digit of {_KEY_NAMES[ai]} {key} {shown})",
        )
    segments = match.group(4).rstrip("/").split("/")
    return _Claim(False, "dl", ai, frozenset(segments[1::2]), key)


def _biip_expected(message: str) -> str:
    """What a Digital Link ``biip`` refused should have been, from its message."""
    mismatch = _BIIP_MISMATCH.search(message)
    if mismatch:
        ai = mismatch.group(2)
        value = mismatch.group(1)[len(ai) :]
        known = GS1ApplicationIdentifier.extract(ai)
        shape = known.format.split("+", 1)[-1] if known.format else "its format"
        title = f" {known.data_title}" if known.data_title else ""
        return f"a GS1 Digital Link whose AI ({ai}){title} has the format {shape}, got {value!r}"
    if "Expected one of" in message:
        return f"a GS1 Digital Link whose qualifiers follow its key in the allowed order ({message})"
    return f"a GS1 Digital Link URI: AI/value pairs after the domain ({message})"


def _fits(claim: _Claim, role: Role) -> bool:
    if role == ANY:
        return True
    if claim.urn:
        if role == INSTANCE:
            return claim.kind != "idpat"
        if role == CLASS:
            return claim.kind in ("class", "idpat")
        if role == LOCATION:
            return claim.kind == "id" and claim.scheme == "sgln"
        return claim.kind == "id" and claim.scheme in ("sgln", "pgln")
    if role == INSTANCE:
        return True
    if role == CLASS:
        return _class_level(claim)
    if role == LOCATION:
        return claim.scheme == "414"
    return claim.scheme in ("414", "417")


def _class_level(claim: _Claim) -> bool:
    """A Digital Link of a class of objects (EPCIS 2.0 §8.3.1): a key without its serial."""
    ai, qualifiers, key = claim.scheme, claim.qualifiers, claim.key
    if ai == "01":
        return qualifiers <= {"10", "22"}
    if ai == "8006":
        return qualifiers <= {"10", "22"}
    if ai == "8010":
        return not qualifiers
    return (ai, len(key)) in {("8003", 14), ("253", 13), ("255", 13)} and not qualifiers
