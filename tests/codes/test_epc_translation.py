"""GS1 Digital Link → EPC URN with company prefix lengths from the GS1 table, and EPC pattern URNs as match prefixes."""

import doctest

import pytest

from zhuisu.codes import epc_translate, epc_urn
from zhuisu.codes.canonical import canonical_id
from zhuisu.codes.epc_translate import Untranslatable, gcp_length, match_patterns, to_epc_urn


def test_doctests() -> None:
    result = doctest.testmod(epc_translate, report=False)
    assert (result.failed, result.attempted >= 10) == (0, True)


# Each URN's company prefix has the length the GS1 table gives for it, so URN → DL → URN is exact.
ROUND_TRIPS = [
    ("urn:epc:id:sgtin:4012345.011111.9876", "https://id.gs1.org/01/04012345111118/21/9876"),
    ("urn:epc:id:sgtin:415056789012.0.987654", "https://id.gs1.org/01/04150567890128/21/987654"),
    ("urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()", "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29"),
    ("urn:epc:id:sgtin:6901234.012345.1001", "https://id.gs1.org/01/06901234123456/21/1001"),
    ("urn:epc:class:lgtin:4012345.012345.Lot987", "https://id.gs1.org/01/04012345123456/10/Lot987"),
    ("urn:epc:idpat:sgtin:4012345.066666.*", "https://id.gs1.org/01/04012345666663"),
    ("urn:epc:id:sscc:4012345.3111111111", "https://id.gs1.org/00/340123451111111111"),
    ("urn:epc:id:sscc:6901234.0000000001", "https://id.gs1.org/00/069012340000000016"),
    ("urn:epc:id:sgln:4012345.00005.122", "https://id.gs1.org/414/4012345000054/254/122"),
    ("urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054"),
    ("urn:epc:id:pgln:4000001.00000", "https://id.gs1.org/417/4000001000005"),
    ("urn:epc:id:grai:4012345.00022.334455", "https://id.gs1.org/8003/04012345000221334455"),
    ("urn:epc:idpat:grai:4012345.00022.*", "https://id.gs1.org/8003/04012345000221"),
    ("urn:epc:id:giai:4012345.ABC345", "https://id.gs1.org/8004/4012345ABC345"),
    ("urn:epc:id:gsrn:4012345.0000006765", "https://id.gs1.org/8018/401234500000067657"),
    ("urn:epc:id:gsrnp:4012345.0000000007", "https://id.gs1.org/8017/401234500000000074"),
    ("urn:epc:id:gdti:4012345.00009.PO-4711", "https://id.gs1.org/253/4012345000092PO-4711"),
    ("urn:epc:idpat:gdti:4012345.00009.*", "https://id.gs1.org/253/4012345000092"),
    ("urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234", "https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234"),
    ("urn:epc:idpat:cpi:0614141.123ABC.*", "https://id.gs1.org/8010/0614141123ABC"),
    ("urn:epc:id:sgcn:4012345.67890.04711", "https://id.gs1.org/255/401234567890104711"),
    ("urn:epc:idpat:sgcn:4012345.67890.*", "https://id.gs1.org/255/4012345678901"),
    ("urn:epc:id:ginc:0614141.xyz47%2F11", "https://id.gs1.org/401/0614141xyz47%2F11"),
    ("urn:epc:id:gsin:4012345.222333444", "https://id.gs1.org/402/40123452223334442"),
    ("urn:epc:id:itip:4012345.011111.01.02.987", "https://id.gs1.org/8006/040123451111180102/21/987"),
    ("urn:epc:idpat:itip:4012345.011111.01.02.*", "https://id.gs1.org/8006/040123451111180102"),
]  # fmt: skip


@pytest.mark.parametrize(("urn", "link"), ROUND_TRIPS)
def test_round_trip_with_table_lengths(urn: str, link: str) -> None:
    assert epc_urn.to_digital_link(urn) == link
    assert to_epc_urn(link) == urn


@pytest.mark.parametrize(
    ("link", "urn"),
    [
        # Any resolver domain, a path prefix and data attributes: the identity is the key path.
        ("https://trace.example.cn/shop/01/04012345111118/21/9876?17=270101", "urn:epc:id:sgtin:4012345.011111.9876"),
        # A lot beside a serial (and a CPV): the SGTIN is GTIN + serial.
        ("https://id.gs1.org/01/04012345111118/22/A1/10/L1/21/9876", "urn:epc:id:sgtin:4012345.011111.9876"),
        ("https://id.gs1.org/414/4012345000054/254/0", "urn:epc:id:sgln:4012345.00005.0"),
        ("https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C", "urn:epc:id:upui:1234567987.065.51qIgY)%3C"),
        ("https://id.gs1.org/8010/0614141123ABC/8011/7", "urn:epc:id:cpi:0614141.123ABC.7"),
    ],
)
def test_digital_link_forms(link: str, urn: str) -> None:
    assert to_epc_urn(link) == urn


@pytest.mark.parametrize(
    ("urn", "table_urn"),
    [
        # The GS1 table gives 692116… an 8-digit prefix: a URN written with 7 digits comes back split at 8.
        ("urn:epc:id:sgtin:6921168.500925.X", "urn:epc:id:sgtin:69211680.50925.X"),
        ("urn:epc:id:upui:1234567.098765.A", "urn:epc:id:upui:1234567987.065.A"),
    ],
)
def test_the_table_decides_the_split_unless_a_length_is_given(urn: str, table_urn: str) -> None:
    link = epc_urn.to_digital_link(urn)
    assert to_epc_urn(link) == table_urn
    prefix = urn.split(":")[4].split(".")[0]
    assert to_epc_urn(link, gcp_length=len(prefix)) == urn


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        # 020-029: restricted circulation numbers, no company prefix.
        (
            "https://id.gs1.org/01/02012345666665/21/1",
            "the GS1 Company Prefix length of GTIN 02012345666665 is not in the GS1 Company Prefix table",
        ),
        (
            "https://id.gs1.org/414/2012345000000",
            "the GS1 Company Prefix length of GLN 2012345000000 is not in the GS1 Company Prefix table",
        ),
        (
            "https://id.gs1.org/417/9999999999994",
            "the GS1 Company Prefix length of PGLN 9999999999994 is not in the GS1 Company Prefix table",
        ),
        ("https://id.gs1.org/01/04012345111118/22/A1", "the qualifier(s) (22) have no EPC URN form with this key"),
        ("https://id.gs1.org/00/340123451111111111/21/1", "the qualifier(s) (21) have no EPC URN form with this key"),
        ("https://id.gs1.org/01/04012345111119/21/1", "the check digit of 04012345111119 is wrong"),
        ("https://id.gs1.org/01/0401234511111/21/1", "GTIN 0401234511111 is malformed"),
        ("https://id.gs1.org/01/04012345111118/21/1/21/2", "an AI is repeated"),
        ("https://id.gs1.org/01/04012345111118/21", "the path does not alternate AIs and values"),
        ("https://example.com/products/123", "not a GS1 Digital Link URI of a key with an EPC scheme"),
    ],
)
def test_untranslatable_says_why(link: str, reason: str) -> None:
    with pytest.raises(Untranslatable) as caught:
        to_epc_urn(link)
    assert (caught.value.identifier, caught.value.reason) == (link, reason)
    assert str(caught.value) == f"{link}: {reason}"


def test_a_given_length_that_does_not_fit_is_refused() -> None:
    with pytest.raises(Untranslatable) as caught:
        to_epc_urn("https://id.gs1.org/414/4012345000054", gcp_length=13)
    assert caught.value.reason == "a GS1 Company Prefix of 13 digits does not fit 4012345000054"


@pytest.mark.parametrize(
    ("key_ai", "key", "length"),
    [
        ("01", "10614141073464", 7),  # indicator digit skipped
        ("01", "00614141000418", 7),  # GTIN-12 (UPC) as GTIN-14
        ("00", "306141410000000019", 7),  # extension digit skipped
        ("8003", "04012345000221334455", 7),  # GRAI's leading zero skipped
        ("8006", "040123451111180102", 7),
        ("414", "6901234000030", 7),
        ("8004", "4012345ABC345", 7),
        ("01", "06921168509256", 8),
        ("01", "02012345666665", None),
        ("8004", "ABC", None),
    ],
)
def test_gcp_length(key_ai: str, key: str, length: int | None) -> None:
    assert gcp_length(key_ai, key) == length


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("urn:epc:idpat:sgtin:0614141.107346.*", ["https://id.gs1.org/01/10614141073464", "https://id.gs1.org/01/10614141073464/*"]),
        ("urn:epc:idpat:sgtin:0614141.*.*", [f"https://id.gs1.org/01/{d}0614141*" for d in "0123456789"]),
        ("urn:epc:idpat:sgtin:*.*.*", ["https://id.gs1.org/01/*"]),
        ("urn:epc:idpat:sscc:0614141.*", [f"https://id.gs1.org/00/{d}0614141*" for d in "0123456789"]),
        ("urn:epc:idpat:sgln:0614141.00888.*", ["https://id.gs1.org/414/0614141008889", "https://id.gs1.org/414/0614141008889/*"]),
        ("urn:epc:idpat:sgln:0614141.*.*", ["https://id.gs1.org/414/0614141*"]),
        ("urn:epc:idpat:grai:4012345.00022.*", ["https://id.gs1.org/8003/04012345000221*"]),
        ("urn:epc:idpat:grai:4012345.*.*", ["https://id.gs1.org/8003/04012345*"]),
        ("urn:epc:idpat:giai:4012345.*", ["https://id.gs1.org/8004/4012345*"]),
        ("urn:epc:idpat:gdti:4012345.00009.*", ["https://id.gs1.org/253/4012345000092*"]),
        ("urn:epc:idpat:cpi:0614141.1-A%23.*", ["https://id.gs1.org/8010/06141411-A%23", "https://id.gs1.org/8010/06141411-A%23/*"]),
        ("urn:epc:idpat:itip:4012345.011111.01.*.*", ["https://id.gs1.org/8006/0401234511111801*"]),
        ("urn:epc:idpat:itip:4012345.011111.*.*.*", ["https://id.gs1.org/8006/04012345111118*"]),
        ("urn:epc:idpat:upui:4012345.011111.*", ["https://id.gs1.org/01/04012345111118", "https://id.gs1.org/01/04012345111118/*"]),
    ],
)  # fmt: skip
def test_match_patterns(pattern: str, expected: list[str]) -> None:
    assert match_patterns(pattern) == expected


@pytest.mark.parametrize(
    "value",
    [
        "urn:epc:id:sgtin:0614141.107346.1",  # not a pattern
        "urn:epc:idpat:sgtin:0614141.*.1",  # a value after a star
        "urn:epc:idpat:sgtin:0614141.107346",  # too few components
        "urn:epc:idpat:gid:1.2.*",  # not a GS1-key scheme
        "urn:epc:idpat:sgtin:06141.*.*",  # company prefix too short
        "urn:epc:idpat:sgtin:0614141.10734.*",  # prefix and item reference are not 13 digits
    ],
)
def test_not_a_usable_pattern(value: str) -> None:
    assert match_patterns(value) is None


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("https://example.com/01/6921168509256/21/a!b", "https://id.gs1.org/01/06921168509256/21/a%21b"),
        ("urn:epc:id:sgtin:6921168.050925.a!b", "https://id.gs1.org/01/06921168509256/21/a%21b"),
        ("https://example.com/01/12345670", "https://id.gs1.org/01/00000012345670"),
        ("https://x.example/8010/0614141123ABC%2f/8011/1", "https://id.gs1.org/8010/0614141123ABC%2F/8011/1"),
        ("https://id.gs1.org/01/06901234123456/21/2*", "https://id.gs1.org/01/06901234123456/21/2*"),
        ("https://id.gs1.org/01/06901234123456/21/(1)*", "https://id.gs1.org/01/06901234123456/21/%281%29*"),
    ],
)
def test_canonical_digital_links_are_the_ones_urns_become(value: str, canonical: str) -> None:
    assert canonical_id(value) == canonical
