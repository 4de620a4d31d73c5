from typing import Any

import pytest

from zhuisu.codes import gs1_digital_link as dl
from zhuisu.codes.errors import InvalidChecksum, InvalidCode, InvalidComponent, InvalidFormat

ELEMENTS = [
    {"ai": "01", "title": "GTIN", "value": "06921168509256"},
    {"ai": "10", "title": "BATCH/LOT", "value": "ABC123"},
    {"ai": "17", "title": "USE BY or EXPIRY", "value": "270131", "date": "2027-01-31"},
]

VALID = [
    pytest.param(
        "https://trace.example.cn/p/01/6921168509256/10/ABC123?17=270131&linkType=gs1:pip",
        "https://id.gs1.org/01/06921168509256/10/ABC123?17=270131",
        {
            "symbology_identifier": None,
            "domain": "trace.example.cn",
            "path_prefix": "/p",
            "element_string": "(01)06921168509256(10)ABC123(17)270131",
            "primary_ai": "01",
            "gtin": "06921168509256",
            "batch": "ABC123",
            "expiry": "2027-01-31",
            "elements": ELEMENTS,
        },
        id="any-domain-with-prefix",
    ),
    pytest.param(
        "]Q1https://id.gs1.org/00/106141412345678908",
        "https://id.gs1.org/00/106141412345678908",
        {
            "symbology_identifier": "]Q1",
            "domain": "id.gs1.org",
            "path_prefix": "",
            "element_string": "(00)106141412345678908",
            "primary_ai": "00",
            "sscc": "106141412345678908",
            "elements": [{"ai": "00", "title": "SSCC", "value": "106141412345678908"}],
        },
        id="sscc-in-qr",
    ),
    pytest.param(
        "HTTP://EXAMPLE.COM/414/6901234000009",
        "https://id.gs1.org/414/6901234000009",
        {
            "symbology_identifier": None,
            "domain": "example.com",
            "path_prefix": "",
            "element_string": "(414)6901234000009",
            "primary_ai": "414",
            "gln": "6901234000009",
            "elements": [{"ai": "414", "title": "LOC No.", "value": "6901234000009"}],
        },
        id="upper-case-gln",
    ),
]

INVALID = [
    pytest.param("https://id.gs1.org/01/06921168509257", InvalidChecksum, "check digit should be 6, got 7", id="gtin"),
    pytest.param(
        "https://id.gs1.org/01/06921168509256?17=270230",
        InvalidComponent,
        "AI (17): 270230 is not a valid date",
        id="impossible-expiry",
    ),
    pytest.param(
        "https://example.com/about",
        InvalidFormat,
        "not a GS1 Digital Link URI: Expected a primary identifier in the path, got '/about'.",
        id="no-primary-key",
    ),
    pytest.param(
        "https://id.gs1.org/gtin/06921168509256",
        InvalidFormat,
        "not a GS1 Digital Link URI: Expected a primary identifier in the path, got '/gtin/06921168509256'.",
        id="short-names-unsupported",
    ),
    pytest.param(
        "id.gs1.org/01/06921168509256",
        InvalidFormat,
        "a Digital Link URI starts with http:// or https://",
        id="no-scheme",
    ),
]


@pytest.mark.parametrize(("uri", "canonical", "parts"), VALID)
def test_valid(uri: str, canonical: str, parts: dict[str, Any]) -> None:
    assert dl.validate(uri) == canonical
    assert dl.format(uri) == canonical
    assert dl.compact(uri) == canonical
    assert dl.parts(uri) == parts


@pytest.mark.parametrize(("uri", "error", "message"), INVALID)
def test_invalid(uri: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as info:
        dl.validate(uri)
    assert str(info.value) == message
    assert dl.is_valid(uri) is False
    assert dl.compact(f" {uri} ") == uri


def test_to_element_string() -> None:
    assert dl.to_element_string("https://a.cn/01/06921168509256/21/X1") == "(01)06921168509256(21)X1"
