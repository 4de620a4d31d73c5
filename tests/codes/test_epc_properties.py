"""Properties of the GS1 identifier grammar over generated keys: for every GS1-key scheme, a random company prefix of
6 to 12 digits, references and serials drawn from the characters the scheme allows, the EPC URN → GS1 Digital Link →
EPC URN round trip is exact, ``recognize`` names the right scheme, ``epc_check`` accepts both forms, and refuses
each one with a single character corrupted (a changed check digit, a digit removed).

Deterministic (``derandomize``) and bounded (200 examples per property), so CI sees the same cases every run."""

import string
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from zhuisu.codes import epc_check, epc_translate, epc_urn
from zhuisu.codes.recognize import recognize

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None)

#: GS1 AI encodable character set 82, and the characters an EPC URN component must %-escape (TDS 2.0 §6.2.2).
CHARSET_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
CHARSET_39 = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_URN_ESCAPES = {ord(c): f"%{ord(c):02X}" for c in '"%&/<>?#'}


@dataclass(frozen=True)
class Key:
    """A generated valid identifier: its EPC URN, its company prefix length, and the role it is checked in."""

    urn: str
    gcp: int
    role: epc_check.Role
    fixed_digits: bool  #: company prefix and reference have a fixed number of digits together


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(string.digits, min_size=n, max_size=n)


def _text(alphabet: str, low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=low, max_size=high).map(lambda s: s.translate(_URN_ESCAPES))


_SERIAL = _text(CHARSET_82, 1, 20)


@st.composite
def keys(draw: st.DrawFn) -> Key:
    scheme = draw(
        st.sampled_from("sgtin lgtin sscc sgln pgln grai giai gsrn gsrnp gdti sgcn ginc gsin itip upui cpi".split())
    )
    gcp = draw(st.integers(6, 12))
    prefix = draw(_digits(gcp))
    fixed = True
    if scheme in ("sgtin", "lgtin", "upui"):
        tail = {"sgtin": _SERIAL, "lgtin": _SERIAL, "upui": _text(CHARSET_82, 1, 28)}[scheme]
        body = f"{prefix}.{draw(_digits(13 - gcp))}.{draw(tail)}"
    elif scheme == "itip":
        body = f"{prefix}.{draw(_digits(13 - gcp))}.{draw(_digits(2))}.{draw(_digits(2))}.{draw(_SERIAL)}"
    elif scheme == "sscc":
        body = f"{prefix}.{draw(_digits(17 - gcp))}"
    elif scheme in ("gsrn", "gsrnp"):
        body = f"{prefix}.{draw(_digits(17 - gcp))}"
    elif scheme == "gsin":
        body = f"{prefix}.{draw(_digits(16 - gcp))}"
    elif scheme == "pgln":
        body = f"{prefix}.{draw(_digits(12 - gcp))}"
    elif scheme == "sgln":
        body = f"{prefix}.{draw(_digits(12 - gcp))}.{draw(_SERIAL)}"
    elif scheme == "grai":
        body = f"{prefix}.{draw(_digits(12 - gcp))}.{draw(_text(CHARSET_82, 1, 16))}"
    elif scheme == "gdti":
        body = f"{prefix}.{draw(_digits(12 - gcp))}.{draw(_text(CHARSET_82, 1, 17))}"
    elif scheme == "sgcn":
        body = f"{prefix}.{draw(_digits(12 - gcp))}.{draw(st.text(string.digits, min_size=1, max_size=12))}"
    elif scheme in ("giai", "ginc"):
        body, fixed = f"{prefix}.{draw(_text(CHARSET_82, 1, 30 - gcp))}", False
    else:  # cpi
        reference = draw(_text(CHARSET_39, 1, 30 - gcp))
        body, fixed = f"{prefix}.{reference}.{draw(st.text(string.digits, min_size=1, max_size=12))}", False
    kind = "class" if scheme == "lgtin" else "id"
    return Key(
        f"urn:epc:{kind}:{scheme}:{body}", gcp, epc_check.CLASS if kind == "class" else epc_check.INSTANCE, fixed
    )


@PROPERTY
@given(keys())
def test_urn_to_digital_link_and_back_is_exact(key: Key) -> None:
    link = epc_urn.to_digital_link(key.urn)
    assert epc_translate.to_epc_urn(link, gcp_length=key.gcp) == key.urn


@PROPERTY
@given(keys())
def test_the_recognizer_names_the_scheme(key: Key) -> None:
    urn = recognize(key.urn)
    link = recognize(epc_urn.to_digital_link(key.urn))
    assert (urn.scheme, urn.valid, urn.parts["epc_scheme"]) == ("epc-urn", True, key.urn.split(":")[3])
    assert (link.scheme, link.valid, link.parts["primary_ai"]) == ("gs1-digital-link", True, urn.parts["key_ai"])


@PROPERTY
@given(keys())
def test_the_validator_accepts_every_valid_identifier(key: Key) -> None:
    assert epc_check.check(key.urn, key.role) is None
    assert epc_check.check(epc_urn.to_digital_link(key.urn), key.role) is None


@PROPERTY
@given(keys(), st.integers(1, 9))
def test_the_validator_refuses_a_changed_check_digit(key: Key, shift: int) -> None:
    link = epc_urn.to_digital_link(key.urn)
    key_ai, key_value = link.split("/")[3:5]
    checked = {"01": 14, "8006": 14, "00": 18, "414": 13, "417": 13, "8003": 14, "253": 13, "255": 13,
               "402": 17, "8017": 18, "8018": 18}.get(key_ai)  # fmt: skip
    if checked is None:  # GIAI, GINC, CPID: no check digit
        return
    wrong = str((int(key_value[checked - 1]) + shift) % 10)
    corrupted = link.replace(
        f"/{key_ai}/{key_value}", f"/{key_ai}/{key_value[: checked - 1]}{wrong}{key_value[checked:]}"
    )
    refusal = epc_check.check(corrupted, key.role)
    assert refusal is not None
    assert refusal.code == "invalid_digital_link"
    assert refusal.expected.startswith("a GS1 Digital Link with valid check digits")


@PROPERTY
@given(keys(), st.data())
def test_the_validator_refuses_a_removed_digit(key: Key, data: st.DataObject) -> None:
    if not key.fixed_digits:  # a GIAI, GINC or CPID reference has no fixed length
        return
    *head, body = key.urn.split(":", 4)
    prefix, reference, *rest = body.split(".")
    digits = prefix + reference
    cut = data.draw(st.integers(0, len(digits) - 1))
    shorter = digits[:cut] + digits[cut + 1 :]
    at = min(len(prefix), len(shorter)) if cut >= len(prefix) else len(prefix) - 1
    corrupted = ":".join([*head, ".".join([shorter[:at], shorter[at:], *rest])])
    refusal = epc_check.check(corrupted, key.role)
    assert refusal is not None
    assert refusal.code == "invalid_epc_urn"
