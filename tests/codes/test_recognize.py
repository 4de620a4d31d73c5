import datetime as dt
import json
import logging
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhuisu.codes import (
    detonator_code,
    drug_trace_code,
    gln,
    gs1_digital_link,
    gs1_element_string,
    gtin,
    handle,
    pesticide_label_code,
    registry,
    sc_licence,
    seed_label,
    special_equipment_code,
    sscc,
    uscc,
    vet_drug_code,
    zhuisu_code,
)
from zhuisu.codes._checks import gs1_check_digit
from zhuisu.codes._regions import PROVINCES
from zhuisu.codes.recognize import MAX_INPUT, Recognition, recognize

KEYS = {"input", "scheme", "valid", "value", "parts", "error", "candidates"}
GTIN_PARTS = {
    "gtin14": "06921168509256",
    "format": "GTIN-13",
    "gs1_prefix": "692",
    "prefix_usage": "GS1 China",
    "company_prefix": "69211685",
    "item_reference": "0925",
    "packaging_level": None,
    "check_digit": "6",
}
DRUG_PARTS = {"product_code": "8385793", "serial": "0000879766660"}
HRI = "(01)06921168509256(10)ABC123(17)270131"
HRI_PARTS = {
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
ZS_PARTS = {
    "kind": "1",
    "kind_name": "单品",
    "region": "110105",
    "region_province": "北京市",
    "region_name": "朝阳区",
    "party": "A1B2C3",
    "serial": "0000000001",
    "check_digit": "O",
}
HANDLE_PARTS = {
    "prefix": "88.608.8889",
    "top_node": "88",
    "secondary_node": "608",
    "enterprise": "8889",
    "suffix": "87654321",
}
SEED = "郑单958\n某种业有限公司\n41010000100000000123\nhttps://zz.example.cn/q?c=41010000100000000123"
SEED_PARTS = {
    "variety": "郑单958",
    "producer": "某种业有限公司",
    "unit_code": "41010000100000000123",
    "url": "https://zz.example.cn/q?c=41010000100000000123",
}


def _url(url: str, parts: dict[str, Any]) -> dict[str, Any]:
    return {**parts, "carrier": "url", "url": url}


# (input, scheme, value, parts, candidates)
VALID = [
    pytest.param("6921168509256", "gtin", "6921168509256", GTIN_PARTS, ["gtin", "gln"], id="gtin13-or-gln"),
    pytest.param(
        "]E06921168509256",
        "gtin",
        "6921168509256",
        {**GTIN_PARTS, "symbology_identifier": "]E0"},
        ["gtin", "gln"],
        id="ean13-symbology",
    ),
    pytest.param(b"6921168509256\r\n", "gtin", "6921168509256", GTIN_PARTS, ["gtin", "gln"], id="bytes-crlf"),
    pytest.param(
        "0 6901234 000000001 6",
        "sscc",
        "069012340000000016",
        {
            "extension_digit": "0",
            "gs1_prefix": "690",
            "prefix_usage": "GS1 China",
            "company_prefix": "6901234",
            "serial_reference": "000000001",
            "check_digit": "6",
        },
        ["sscc"],
        id="sscc",
    ),
    pytest.param(
        "215023010201500093",
        "sscc",
        "215023010201500093",
        {
            "extension_digit": "2",
            "gs1_prefix": None,
            "prefix_usage": None,
            "company_prefix": None,
            "serial_reference": None,
            "check_digit": "3",
        },
        ["sscc", "special-equipment-code"],
        id="ambiguous-sscc-wins",
    ),
    pytest.param(
        "215023010201500098",
        "special-equipment-code",
        "215023010201500098",
        {
            "variety_code": "2150",
            "category": "2",
            "category_name": "压力容器",
            "manufacturer_code": "23010",
            "licence_region": "23",
            "licence_region_name": "黑龙江省",
            "licence_unit_number": "010",
            "manufacture_year": 2015,
            "sequence": "00098",
        },
        ["special-equipment-code"],
        id="special-equipment-sscc-check-fails",
    ),
    pytest.param(
        "9111 0000 6000 3734 1l",
        "uscc",
        "91110000600037341L",
        {
            "registration_department": "9",
            "registration_department_name": "工商",
            "org_type": "1",
            "org_type_name": "企业",
            "region": "110000",
            "region_province": "北京市",
            "region_name": "北京市",
            "organisation_code": "600037341",
            "organisation_code_check_ok": True,
            "check_digit": "L",
        },
        ["uscc"],
        id="uscc",
    ),
    pytest.param(
        "8385-7930-0008-7976-6660",
        "drug-trace-code",
        "83857930000879766660",
        DRUG_PARTS,
        ["drug-trace-code"],
        id="drug",
    ),
    pytest.param(
        "https://www.example.cn/trace?code=83857930000879766660",
        "drug-trace-code",
        "83857930000879766660",
        _url("https://www.example.cn/trace?code=83857930000879766660", DRUG_PARTS),
        ["drug-trace-code"],
        id="drug-in-url-query",
    ),
    pytest.param(
        "]Q1https://m.example.cn/d/83857930000879766660#top",
        "drug-trace-code",
        "83857930000879766660",
        {
            **_url("https://m.example.cn/d/83857930000879766660#top", DRUG_PARTS),
            "symbology_identifier": "]Q1",
        },
        ["drug-trace-code"],
        id="drug-in-url-path",
    ),
    pytest.param(
        "2019 0815 12345 67890123456",
        "vet-drug-code",
        "201908151234567890123456",
        {"request_date": "2019-08-15", "enterprise_id": "12345", "random": "67890123456"},
        ["vet-drug-code"],
        id="vet-drug",
    ),
    pytest.param(
        "http://www.example.cn/nyzs?c=10812341001000000000000000012345",
        "pesticide-label-code",
        "10812341001000000000000000012345",
        _url(
            "http://www.example.cn/nyzs?c=10812341001000000000000000012345",
            {
                "registration_category": "1",
                "registration_category_name": "PD",
                "registration_no_suffix": "081234",
                "production_type": "1",
                "production_type_name": "登记证持有人生产",
                "spec_code": "001",
                "random": "000000000000000012345",
            },
        ),
        ["pesticide-label-code"],
        id="pesticide-qr-url",
    ),
    pytest.param(SEED, "seed-label", SEED, SEED_PARTS, ["seed-label"], id="seed-label"),
    pytest.param(
        SEED.replace("\n", "\r\n").encode("gb18030"),
        "seed-label",
        SEED,
        SEED_PARTS,
        ["seed-label"],
        id="seed-gb18030",
    ),
    pytest.param(
        "https://seed.example.cn/trace?id=6921168509256",
        "seed-label",
        "6921168509256",
        {
            "variety": None,
            "producer": None,
            "unit_code": "6921168509256",
            "carrier": "url",
            "url": "https://seed.example.cn/trace?id=6921168509256",
        },
        ["seed-label", "gtin", "gln"],
        id="seed-link-beats-gtin",
    ),
    pytest.param(
        "5330815A12345",
        "detonator-code",
        "5330815A12345",
        {
            "enterprise_code": "53",
            "year_digit": "3",
            "month": 8,
            "day": 15,
            "feature": "A",
            "serial": "12345",
        },
        ["detonator-code"],
        id="detonator",
    ),
    pytest.param(
        "sc11532139200465",
        "sc-licence",
        "SC11532139200465",
        {
            "kind": "食品",
            "category": "115",
            "category_name": "酒类",
            "province": "32",
            "province_name": "江苏省",
            "region": "321392",
            "region_name": None,
            "sequence": "0046",
            "check_digit": "5",
        },
        ["sc-licence"],
        id="sc-licence",
    ),
    pytest.param("88.608.8889/87654321", "handle", "88.608.8889/87654321", HANDLE_PARTS, ["handle"], id="handle"),
    pytest.param("hdl:88.608.8889/87654321", "handle", "88.608.8889/87654321", HANDLE_PARTS, ["handle"], id="hdl"),
    pytest.param(
        "https://idis.example.cn/resolve/88.608.8889/87654321",
        "handle",
        "88.608.8889/87654321",
        _url("https://idis.example.cn/resolve/88.608.8889/87654321", HANDLE_PARTS),
        ["handle"],
        id="handle-in-url",
    ),
    pytest.param(
        "ZS1-110105-A1B2C3-0000000001-O",
        "zhuisu",
        "ZS1110105A1B2C30000000001O",
        ZS_PARTS,
        ["zhuisu"],
        id="zhuisu",
    ),
    pytest.param(
        "urn:zhuisu:code:ZS1110105A1B2C30000000001O",
        "zhuisu",
        "ZS1110105A1B2C30000000001O",
        ZS_PARTS,
        ["zhuisu"],
        id="zhuisu-urn",
    ),
    pytest.param(HRI, "gs1-element-string", HRI, HRI_PARTS, ["gs1-element-string"], id="gs1-hri"),
    pytest.param(
        "010692116850925610ABC123\x1d17270131",
        "gs1-element-string",
        HRI,
        HRI_PARTS,
        ["gs1-element-string"],
        id="gs",
    ),
    pytest.param(
        "]C1010692116850925610ABC123\x1d17270131",
        "gs1-element-string",
        HRI,
        {**HRI_PARTS, "symbology_identifier": "]C1"},
        ["gs1-element-string"],
        id="gs1-128",
    ),
    pytest.param(
        "010692116850925610ABC123{GS}17270131",
        "gs1-element-string",
        HRI,
        HRI_PARTS,
        ["gs1-element-string"],
        id="{GS}",
    ),
    pytest.param(
        "0106921168509256",
        "gs1-element-string",
        "(01)06921168509256",
        {
            "symbology_identifier": None,
            "primary_ai": "01",
            "gtin": "06921168509256",
            "elements": [{"ai": "01", "title": "GTIN", "value": "06921168509256"}],
        },
        ["gs1-element-string"],
        id="unmarked-element-string",
    ),
    pytest.param(
        "HTTPS://TRACE.EXAMPLE.CN/01/06921168509256/21/SN1",
        "gs1-digital-link",
        "https://id.gs1.org/01/06921168509256/21/SN1",
        {
            "symbology_identifier": None,
            "domain": "trace.example.cn",
            "path_prefix": "",
            "element_string": "(01)06921168509256(21)SN1",
            "primary_ai": "01",
            "gtin": "06921168509256",
            "serial": "SN1",
            "elements": [
                {"ai": "01", "title": "GTIN", "value": "06921168509256"},
                {"ai": "21", "title": "SERIAL", "value": "SN1"},
            ],
        },
        ["gs1-digital-link"],
        id="digital-link",
    ),
    pytest.param(
        "URN:EPC:ID:SGTIN:0614141.107346.2017",
        "epc-urn",
        "urn:epc:id:sgtin:0614141.107346.2017",
        {
            "kind": "id",
            "epc_scheme": "sgtin",
            "company_prefix": "0614141",
            "fields": ["107346", "2017"],
            "key_ai": "01",
            "key": "10614141073464",
            "qualifiers": [["21", "2017"]],
            "digital_link": "https://id.gs1.org/01/10614141073464/21/2017",
        },
        ["epc-urn"],
        id="epc-urn-upper-case-head",
    ),
]

# (input, scheme, error, candidates)
INVALID = [
    pytest.param(
        "6921168509257",
        "gtin",
        "check digit should be 6, got 7",
        ["gtin", "gln", "detonator-code"],
        id="gtin-check-every-13-digit-shape",
    ),
    pytest.param("91440300708461136X", "uscc", "check digit should be T, got X", ["uscc"], id="uscc-check"),
    pytest.param(
        "94440300708461136H",
        "uscc",
        "unknown organisation type '4' for registration department '9'",
        ["uscc"],
        id="uscc-unknown-type",
    ),
    pytest.param(
        "201902301234567890123456",
        "vet-drug-code",
        "request date 2019-02-30 is not a real date",
        ["vet-drug-code"],
        id="vet-impossible-date",
    ),
    pytest.param(
        "40812341001000000000000000012345",
        "pesticide-label-code",
        "unknown registration category '4' (1 = PD, 2 = WP, 3 = temporary)",
        ["pesticide-label-code"],
        id="pesticide-category",
    ),
    pytest.param(
        "5331315A12345",
        "detonator-code",
        "production date --13-15 does not exist",
        ["detonator-code"],
        id="detonator-month-13",
    ),
    pytest.param("(17)270230", "gs1-element-string", "AI (17): 270230 is not a valid date", ["gs1-element-string"]),
    pytest.param(
        "https://id.gs1.org/01/06921168509257/10/X",
        "gs1-digital-link",
        "check digit should be 6, got 7",
        ["gs1-digital-link"],
        id="digital-link-check",
    ),
    pytest.param(
        "urn:epc:id:sgtin:0614141.10734.2017",
        "epc-urn",
        "urn:epc:id:sgtin:0614141.10734.2017: the company prefix and indicator/item reference must have "
        "13 digits, "
        "got 12",
        ["epc-urn"],
        id="epc-urn",
    ),
    pytest.param(
        "郑单958\n某种业公司\nhttp://seed.example.cn/",
        "seed-label",
        "a seed label has 4 lines (variety, producer, unit code, URL), got 3",
        ["seed-label"],
        id="seed-three-lines",
    ),
    pytest.param(
        "ZS1110105A1B2C30000000002O",
        "zhuisu",
        "check digit should be M, got O",
        ["zhuisu"],
        id="zhuisu-check",
    ),
    pytest.param("SC13232139200465", "sc-licence", "unknown food category '32'", ["sc-licence"], id="sc-category"),
    pytest.param(
        "88.118/JXDY",
        "handle",
        "expected 88.<secondary node>.<enterprise>/<suffix>",
        ["handle"],
        id="handle-short",
    ),
    pytest.param(
        "215099010201500091",
        "uscc",
        "check digit should be 2, got 1",
        ["uscc", "sscc", "special-equipment-code"],
        id="eighteen-digits-nothing-valid",
    ),
    pytest.param(
        "8385793000087976666",
        "drug-trace-code",
        "length should be 20, got 19",
        ["drug-trace-code"],
        id="drug-code-a-digit-short",
    ),
    pytest.param(
        "838579300008797666601",
        "drug-trace-code",
        "length should be 20, got 21",
        ["drug-trace-code"],
        id="drug-code-a-digit-long",
    ),
]

UNKNOWN = [
    pytest.param("37060000400010000003", id="mofcom-meat-code"),
    pytest.param("93857930000879766660", id="twenty-digits-not-8"),
    pytest.param("ISBN 978-3-16-148410-0", id="isbn-text"),
    pytest.param("hello world", id="words"),
    pytest.param("https://example.com/2024/01/15/article", id="ordinary-url"),
    pytest.param(b"\xff\xfe\x00\x01", id="binary"),
]


def _check_shape(result: Recognition) -> None:
    data = result.to_json()
    assert set(data) == KEYS
    assert json.loads(json.dumps(data)) == data
    assert result.scheme in registry.SCHEMES
    if result.valid:
        assert result.error is None
        assert result.scheme in result.candidates
    else:
        assert result.error


@pytest.mark.parametrize(("text", "scheme", "value", "parts", "candidates"), VALID)
def test_valid(text: str | bytes, scheme: str, value: str, parts: dict[str, Any], candidates: list[str]) -> None:
    result = recognize(text)
    assert (result.scheme, result.valid, result.value, result.error) == (scheme, True, value, None)
    assert result.parts == parts
    assert result.candidates == candidates
    _check_shape(result)


@pytest.mark.parametrize(("text", "scheme", "error", "candidates"), INVALID)
def test_invalid(text: str, scheme: str, error: str, candidates: list[str]) -> None:
    result = recognize(text)
    assert (result.scheme, result.valid, result.error) == (scheme, False, error)
    assert result.candidates == candidates
    assert result.parts == {}
    assert result.error_zh
    _check_shape(result)


@pytest.mark.parametrize("text", UNKNOWN)
def test_unknown(text: str | bytes) -> None:
    result = recognize(text)
    assert (result.scheme, result.valid, result.candidates, result.parts) == ("unknown", False, [], {})
    assert result.error == "no supported code scheme recognises this value"
    _check_shape(result)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "the input is empty"),
        (" \t\r\n", "the input is empty"),
        (b"\xef\xbb\xbf", "the input is empty"),
        ("\x1d", "the input is empty"),
        ("]C1", "the input is empty"),
        ("]Q1 \r\n", "the input is empty"),
        ("1" * (MAX_INPUT + 1), f"the input is longer than {MAX_INPUT} characters"),
    ],
)
def test_degenerate_input(text: str | bytes, error: str) -> None:
    result = recognize(text)
    assert (result.scheme, result.valid, result.error) == ("unknown", False, error)


@pytest.mark.parametrize(
    ("text", "scheme", "value"),
    [
        ("统一社会信用代码：９１１１００００６０００３７３４１Ｌ", "uscc", "91110000600037341L"),
        ("药品追溯码: 8385793 0000879766660", "drug-trace-code", "83857930000879766660"),
        ("ＳＣ１１５３２１３９２００４６５", "sc-licence", "SC11532139200465"),
    ],
)
def test_typed_input_with_label_and_full_width_characters(text: str, scheme: str, value: str) -> None:
    result = recognize(text)
    assert (result.scheme, result.valid, result.value) == (scheme, True, value)


def test_to_json() -> None:
    assert recognize(" 83857930000879766660 ").to_json() == {
        "input": " 83857930000879766660 ",
        "scheme": "drug-trace-code",
        "valid": True,
        "value": "83857930000879766660",
        "parts": DRUG_PARTS,
        "error": None,
        "candidates": ["drug-trace-code"],
    }


def test_error_has_a_chinese_message() -> None:
    assert recognize("6921168509257").error_zh == "校验位应为 6，实际为 7"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _recognize_without_internal_errors(data: str | bytes) -> Recognition:
    handler = _Records()
    logger = logging.getLogger("zhuisu.codes.recognize")
    logger.addHandler(handler)
    try:
        result = recognize(data)
    finally:
        logger.removeHandler(handler)
    assert handler.records == [], [r.getMessage() for r in handler.records]
    return result


@settings(max_examples=2000, deadline=None)
@given(st.text())
def test_never_raises_on_text(text: str) -> None:
    _check_shape(_recognize_without_internal_errors(text))


@settings(max_examples=2000, deadline=None)
@given(st.binary())
def test_never_raises_on_bytes(data: bytes) -> None:
    _check_shape(_recognize_without_internal_errors(data))


_CODE_CHARS = st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-(/:?=.]\x1d \n")


@settings(max_examples=2000, deadline=None)
@given(st.text(_CODE_CHARS, max_size=60).map(lambda s: s.strip()))
def test_never_raises_on_code_like_text(text: str) -> None:
    for prefix in ("", "]C1", "http://a.cn/", "(01)", "88.", "urn:epc:id:sgtin:", "ZS", "SC"):
        _check_shape(_recognize_without_internal_errors(prefix + text))


# Strategies that build valid codes of every scheme, for the round-trip test.
def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


def _with_gs1_check(payload: str) -> str:
    return payload + gs1_check_digit(payload)


_GTINS = st.sampled_from([7, 11, 12, 13]).flatmap(_digits).map(_with_gs1_check)
_USCCS = st.tuples(
    st.sampled_from([d + t for d, (_, types) in uscc.DEPARTMENTS.items() for t in types]),
    _digits(6),
    st.text(uscc.ALPHABET, min_size=9, max_size=9),
).map(lambda t: "".join(t) + uscc.calc_check_digit("".join(t)))
_DATES = st.dates(dt.date(2015, 1, 1), dt.date(2099, 12, 31)).map(lambda d: d.strftime("%Y%m%d"))
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SPECIAL = st.tuples(
    st.sampled_from(sorted(special_equipment_code.CATEGORIES)),
    st.text(_ALNUM, min_size=3, max_size=3),
    st.sampled_from([*sorted(PROVINCES), "10"]),
    _digits(3),
    st.integers(1900, 2099).map(str),
    st.sampled_from(_ALNUM),
    _digits(4),
).map("".join)
_DETONATORS = st.tuples(
    st.integers(1, 99).map("{:02d}".format),
    _digits(1),
    st.dates(dt.date(2000, 1, 1), dt.date(2000, 12, 31)).map(lambda d: d.strftime("%m%d")),
    st.sampled_from(detonator_code.FEATURE_CHARACTERS),
    _digits(5),
).map("".join)
_SC = st.tuples(
    st.sampled_from(
        [f"1{c:02d}" for c in sc_licence.FOOD_CATEGORIES] + [f"2{c:02d}" for c in sc_licence.ADDITIVE_CATEGORIES]
    ),
    st.sampled_from(sorted(PROVINCES)),
    _digits(9),
).map(lambda t: "SC" + "".join(t))
_ZHUISU = st.builds(
    zhuisu_code.build,
    st.sampled_from(sorted(zhuisu_code.KINDS)),
    st.sampled_from(sorted(PROVINCES)).flatmap(lambda p: _digits(4).map(lambda r: p + r)),
    st.text(_ALNUM, min_size=1, max_size=6),
    st.text(_ALNUM, min_size=1, max_size=10),
)
_HANDLES = st.tuples(
    st.integers(0, 9999), st.integers(0, 99999), st.text(_ALNUM + "abcxyz-_.;批次", min_size=1, max_size=30)
).map(lambda t: f"88.{t[0]}.{t[1]}/{t[2]}")
_LABEL_TEXT = st.text("郑单京科玉米种业有限公司ABCabc0123 ", min_size=1, max_size=20).map(str.strip).filter(bool)
_UNIT_CODES = st.text(_ALNUM + "abc", min_size=1, max_size=20).filter(lambda c: any(ch.isdigit() for ch in c))
_SEEDS = st.tuples(_LABEL_TEXT, _LABEL_TEXT, _UNIT_CODES).map(
    lambda t: f"{t[0]}\n{t[1]}\n{t[2]}\nhttps://seed.example.cn/q?c={t[2]}"
)
_LOTS = st.text(_ALNUM + "abc", min_size=1, max_size=20)
_ELEMENT_STRINGS = st.tuples(_GTINS, _LOTS, st.dates(dt.date(2000, 1, 1), dt.date(2049, 12, 31))).map(
    lambda t: f"(01){t[0].zfill(14)}(17){t[2].strftime('%y%m%d')}(10){t[1]}"
)
_LINKS = st.tuples(st.sampled_from(["id.gs1.org", "trace.example.cn", "a.b.cn/shop"]), _GTINS, _LOTS).map(
    lambda t: f"https://{t[0]}/01/{t[1]}/10/{t[2]}"
)

ROUND_TRIP: list[tuple[ModuleType, st.SearchStrategy[str]]] = [
    (gtin, _GTINS),
    (sscc, _digits(17).map(_with_gs1_check)),
    (gln, _digits(12).map(_with_gs1_check)),
    (uscc, _USCCS),
    (drug_trace_code, _digits(19).map(lambda d: "8" + d)),
    (vet_drug_code, st.tuples(_DATES, _digits(16)).map("".join)),
    (
        pesticide_label_code,
        st.tuples(st.sampled_from("123"), _digits(6), st.sampled_from("123"), _digits(24)).map("".join),
    ),
    (special_equipment_code, _SPECIAL),
    (detonator_code, _DETONATORS),
    (sc_licence, _SC),
    (zhuisu_code, _ZHUISU),
    (handle, _HANDLES),
    (seed_label, _SEEDS),
    (gs1_element_string, _ELEMENT_STRINGS),
    (gs1_digital_link, _LINKS),
]


@pytest.mark.parametrize(("module", "codes"), ROUND_TRIP, ids=[m.__name__.rsplit(".", 1)[-1] for m, _ in ROUND_TRIP])
def test_valid_codes_round_trip(module: ModuleType, codes: st.SearchStrategy[str]) -> None:
    scheme = next(name for name, m in registry.SCHEMES.items() if m is module)

    @settings(max_examples=300, deadline=None)
    @given(codes)
    def check(code: str) -> None:
        assert module.is_valid(code), code
        result = recognize(module.format(code))
        assert result.valid, (code, result)
        assert result.value == module.compact(code)
        assert scheme in result.candidates

    check()
