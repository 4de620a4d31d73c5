from typing import Any

import pytest

from zhuisu.codes import gs1_element_string as es
from zhuisu.codes.errors import InvalidChecksum, InvalidCode, InvalidComponent, InvalidFormat

GTIN_LOT_EXPIRY = {
    "symbology_identifier": None,
    "primary_ai": "01",
    "gtin": "06921168509256",
    "batch": "ABC123",
    "expiry": "2027-01-31",
    "elements": [
        {"ai": "01", "title": "GTIN", "value": "06921168509256"},
        {"ai": "10", "title": "BATCH/LOT", "value": "ABC123"},
        {"ai": "17", "title": "USE BY or EXPIRY", "value": "270131", "date": "2027-01-31"},
    ],
}
HRI = "(01)06921168509256(10)ABC123(17)270131"

VALID = [
    pytest.param(HRI, HRI, GTIN_LOT_EXPIRY, id="hri"),
    pytest.param("(01) 06921168509256 (10) ABC123 (17) 270131", HRI, GTIN_LOT_EXPIRY, id="hri-with-spaces"),
    pytest.param("010692116850925610ABC123\x1d17270131", HRI, GTIN_LOT_EXPIRY, id="raw-gs"),
    pytest.param("\x1d010692116850925610ABC123\x1d17270131\x1d", HRI, GTIN_LOT_EXPIRY, id="raw-leading-fnc1"),
    pytest.param("010692116850925610ABC123<GS>17270131", HRI, GTIN_LOT_EXPIRY, id="textual-gs"),
    pytest.param("010692116850925610ABC123\\x1d17270131", HRI, GTIN_LOT_EXPIRY, id="escaped-gs"),
    pytest.param(
        "]C1010692116850925610ABC123\x1d17270131",
        HRI,
        {**GTIN_LOT_EXPIRY, "symbology_identifier": "]C1"},
        id="gs1-128-symbology",
    ),
    pytest.param(
        "]d2010692116850925621SN001\x1d10L1",
        "(01)06921168509256(21)SN001(10)L1",
        {
            "symbology_identifier": "]d2",
            "primary_ai": "01",
            "gtin": "06921168509256",
            "serial": "SN001",
            "batch": "L1",
            "elements": [
                {"ai": "01", "title": "GTIN", "value": "06921168509256"},
                {"ai": "21", "title": "SERIAL", "value": "SN001"},
                {"ai": "10", "title": "BATCH/LOT", "value": "L1"},
            ],
        },
        id="datamatrix-serial",
    ),
    pytest.param(
        "(00)106141412345678908(02)06921168509256(37)25",
        "(00)106141412345678908(02)06921168509256(37)25",
        {
            "symbology_identifier": None,
            "primary_ai": "00",
            "sscc": "106141412345678908",
            "content_gtin": "06921168509256",
            "count": "25",
            "elements": [
                {"ai": "00", "title": "SSCC", "value": "106141412345678908"},
                {"ai": "02", "title": "CONTENT", "value": "06921168509256"},
                {"ai": "37", "title": "COUNT", "value": "25"},
            ],
        },
        id="sscc-pallet",
    ),
]

INVALID = [
    pytest.param("(01)06921168509257", InvalidChecksum, "check digit should be 6, got 7", id="gtin-check-digit"),
    pytest.param("(00)106141412345678909", InvalidChecksum, "check digit should be 8, got 9", id="sscc-check"),
    pytest.param("(414)6901234000008", InvalidChecksum, "check digit should be 9, got 8", id="gln-check-digit"),
    pytest.param("(17)270230", InvalidComponent, "AI (17): 270230 is not a valid date", id="february-30"),
    pytest.param("(11)251301", InvalidComponent, "AI (11): 251301 is not a valid date", id="month-13"),
    pytest.param(
        "(01)0692116850925",
        InvalidFormat,
        "not a valid GS1 element string: Failed to match '010692116850925' with GS1 AI (01) pattern '^01(\\d{14})$'.",
        id="short-gtin",
    ),
    pytest.param(
        "(01)06921168509256(10)AB(C)",
        InvalidFormat,
        "text outside the (AI)value pairs, or an empty value",
        id="parenthesis-in-data",
    ),
    pytest.param(
        "(01)06921168509256(999)1",
        InvalidFormat,
        "not a valid GS1 element string: Unknown GS1 Application Identifier '999' in '(01)06921168509256(999)1'.",
        id="unknown-ai",
    ),
    pytest.param("", InvalidFormat, "the GS1 element string is empty", id="empty"),
    pytest.param("]C1\x1d", InvalidFormat, "the GS1 element string is empty", id="only-fnc1"),
]


@pytest.mark.parametrize(("text", "hri", "parts"), VALID)
def test_valid(text: str, hri: str, parts: dict[str, Any]) -> None:
    assert es.validate(text) == hri
    assert es.compact(text) == hri
    assert es.format(text) == hri
    assert es.parts(text) == parts


@pytest.mark.parametrize(("text", "error", "message"), INVALID)
def test_invalid(text: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as info:
        es.validate(text)
    assert str(info.value) == message
    assert es.is_valid(text) is False


def test_to_element_string_puts_gs_only_after_variable_fields() -> None:
    assert es.to_element_string(HRI) == "010692116850925610ABC123\x1d17270131"


def test_compact_of_invalid_text_only_normalises() -> None:
    assert es.compact("]C1 0106921168509257<GS>") == "0106921168509257"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("]Q3abc", ("]Q3", "abc")),
        ("]E06921168509256", ("]E0", "6921168509256")),
        ("]", (None, "]")),
        ("x", (None, "x")),
    ],
)
def test_split_symbology_identifier(text: str, expected: tuple[str | None, str]) -> None:
    assert es.split_symbology_identifier(text) == expected
