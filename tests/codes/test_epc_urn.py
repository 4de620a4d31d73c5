"""EPC URNs (GS1 EPC Tag Data Standard 2.0) and their canonical GS1 Digital Link URIs."""

import doctest

import pytest

from zhuisu.codes import epc_urn
from zhuisu.codes.epc_urn import EpcUrn, InvalidEpcUrn


def test_doctests() -> None:
    assert doctest.testmod(epc_urn).failed == 0


class TestToDigitalLink:
    @pytest.mark.parametrize(
        ("urn", "link"),
        [
            # The reference implementation's vector epclist_normalisation, one URN per scheme.
            ("urn:epc:id:sgtin:4012345.011111.9876", "https://id.gs1.org/01/04012345111118/21/9876"),
            ("urn:epc:id:sgtin:415056789012.0.987654", "https://id.gs1.org/01/04150567890128/21/987654"),
            ("urn:epc:id:sscc:4012345.3111111111", "https://id.gs1.org/00/340123451111111111"),
            ("urn:epc:id:sgln:4012345.00005.122", "https://id.gs1.org/414/4012345000054/254/122"),
            ("urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054"),
            ("urn:epc:id:grai:4012345.00022.334455", "https://id.gs1.org/8003/04012345000221334455"),
            ("urn:epc:id:giai:4012345.ABC345", "https://id.gs1.org/8004/4012345ABC345"),
            ("urn:epc:id:gsrn:4012345.0000006765", "https://id.gs1.org/8018/401234500000067657"),
            ("urn:epc:id:gsrnp:4012345.0000000007", "https://id.gs1.org/8017/401234500000000074"),
            ("urn:epc:id:gdti:4012345.00009.PO-4711", "https://id.gs1.org/253/4012345000092PO-4711"),
            ("urn:epc:id:gdti:987659999999..9", "https://id.gs1.org/253/98765999999929"),
            (
                "urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234",
                "https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234",
            ),
            ("urn:epc:id:ginc:0614141.xyz47%2F11", "https://id.gs1.org/401/0614141xyz47%2F11"),
            ("urn:epc:id:gsin:4012345.222333444", "https://id.gs1.org/402/40123452223334442"),
            ("urn:epc:id:itip:4012345.011111.01.02.987", "https://id.gs1.org/8006/040123451111180102/21/987"),
            (
                "urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB",
                "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7'SDB",
            ),
            ("urn:epc:id:pgln:4000001.00000", "https://id.gs1.org/417/4000001000005"),
            ("urn:epc:id:pgln:999999999999.", "https://id.gs1.org/417/9999999999994"),
            ("urn:epc:class:lgtin:4012345.012345.Lot987", "https://id.gs1.org/01/04012345123456/10/Lot987"),
            # TDS 2.0 examples and the remaining schemes.
            ("urn:epc:id:sgtin:0614141.812345.6789", "https://id.gs1.org/01/80614141123458/21/6789"),
            ("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017"),
            ("urn:epc:id:sgtin:4012345.011111.98%22", "https://id.gs1.org/01/04012345111118/21/98%22"),
            (
                "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()",
                "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29",
            ),
            ("urn:epc:id:sgtin:0614141.812345.a%2fb", "https://id.gs1.org/01/80614141123458/21/a%2Fb"),
            ("urn:epc:id:sgcn:4012345.67890.04711", "https://id.gs1.org/255/401234567890104711"),
            ("urn:epc:idpat:sgtin:4012345.066666.*", "https://id.gs1.org/01/04012345666663"),
            ("urn:epc:idpat:grai:4012345.00022.*", "https://id.gs1.org/8003/04012345000221"),
            ("urn:epc:idpat:gdti:4012345.00009.*", "https://id.gs1.org/253/4012345000092"),
            ("urn:epc:idpat:sgcn:4012345.67890.*", "https://id.gs1.org/255/4012345678901"),
            ("urn:epc:idpat:cpi:0614141.123ABC.*", "https://id.gs1.org/8010/0614141123ABC"),
            ("urn:epc:idpat:itip:4012345.011111.01.02.*", "https://id.gs1.org/8006/040123451111180102"),
            ("urn:epc:idpat:upui:1234567.098765.*", "https://id.gs1.org/01/01234567987651"),
        ],
    )
    def test_converts(self, urn: str, link: str) -> None:
        assert epc_urn.to_digital_link(urn) == link

    def test_rejects_what_parse_rejects(self) -> None:
        with pytest.raises(InvalidEpcUrn, match="unsupported EPC URN scheme id:gid"):
            epc_urn.to_digital_link("urn:epc:id:gid:95100000.12345.400")


class TestParse:
    def test_sgtin(self) -> None:
        assert epc_urn.parse("urn:epc:id:sgtin:0614141.812345.6789%2F1") == EpcUrn(
            urn="urn:epc:id:sgtin:0614141.812345.6789%2F1",
            kind="id",
            scheme="sgtin",
            company_prefix="0614141",
            fields=("812345", "6789/1"),
            key_ai="01",
            key="80614141123458",
            qualifiers=(("21", "6789/1"),),
        )

    def test_class(self) -> None:
        assert epc_urn.parse("urn:epc:class:lgtin:4012345.012345.Lot987") == EpcUrn(
            urn="urn:epc:class:lgtin:4012345.012345.Lot987",
            kind="class",
            scheme="lgtin",
            company_prefix="4012345",
            fields=("012345", "Lot987"),
            key_ai="01",
            key="04012345123456",
            qualifiers=(("10", "Lot987"),),
        )

    def test_pattern(self) -> None:
        assert epc_urn.parse("urn:epc:idpat:sgtin:4012345.066666.*") == EpcUrn(
            urn="urn:epc:idpat:sgtin:4012345.066666.*",
            kind="idpat",
            scheme="sgtin",
            company_prefix="4012345",
            fields=("066666", "*"),
            key_ai="01",
            key="04012345666663",
            qualifiers=(),
        )

    def test_key_with_serial(self) -> None:
        parsed = epc_urn.parse("urn:epc:id:grai:4012345.00022.334455")
        assert (parsed.key_ai, parsed.key, parsed.qualifiers) == ("8003", "04012345000221334455", ())

    def test_serial_may_hold_dots(self) -> None:
        assert epc_urn.parse("urn:epc:id:sgtin:0614141.812345.1.2").qualifiers == (("21", "1.2"),)

    @pytest.mark.parametrize(
        ("urn", "message"),
        [
            (
                "urn:epc:id:sgtin:0614141.10734.2017",
                "urn:epc:id:sgtin:0614141.10734.2017: the company prefix and indicator/item reference "
                "must have "
                "13 digits, got 12",
            ),
            (
                "urn:epc:id:sgtin:0614141.107346",
                "urn:epc:id:sgtin:0614141.107346: id:sgtin has 3 dot-separated components, got 2",
            ),
            ("urn:epc:id:sgtin:0614141.107346.", "urn:epc:id:sgtin:0614141.107346.: the serial is empty"),
            (
                "urn:epc:id:sgtin:0614141.107346.123456789012345678901",
                "urn:epc:id:sgtin:0614141.107346.123456789012345678901: the serial may have at most "
                "20 characters, "
                "got 21",
            ),
            (
                "urn:epc:id:sgtin:06141.1073460.1",
                "urn:epc:id:sgtin:06141.1073460.1: the company prefix must be 6 to 12 digits, got '06141'",
            ),
            (
                "urn:epc:id:sgtin:0614141.107346.a/b",
                "urn:epc:id:sgtin:0614141.107346.a/b: character(s) '/' must be %-escaped or are not "
                "allowed in an "
                "EPC URN",
            ),
            (
                "urn:epc:id:sgtin:0614141.107346.%zz",
                "urn:epc:id:sgtin:0614141.107346.%zz: '%zz' has a malformed %-escape (% must be "
                "followed by two hex "
                "digits)",
            ),
            (
                "urn:epc:id:sgtin:0614141.107346.a%23",
                "urn:epc:id:sgtin:0614141.107346.a%23: '#' is outside the GS1 AI character set 82",
            ),
            (
                "urn:epc:id:sgtin:0614141.107346.a%7E",
                "urn:epc:id:sgtin:0614141.107346.a%7E: 'a%7E' escapes a character outside the GS1 AI character set 82",
            ),
            (
                "urn:epc:id:sscc:0614141.12345678",
                "urn:epc:id:sscc:0614141.12345678: the company prefix and "
                "extension/serial reference must have 17 digits, got 15",
            ),
            (
                "urn:epc:id:itip:4012345.011111.1.02.987",
                "urn:epc:id:itip:4012345.011111.1.02.987: the piece number must have 2 digits, got 1",
            ),
            (
                "urn:epc:id:cpi:0614141.abc.1",
                "urn:epc:id:cpi:0614141.abc.1: the component/part reference may only hold 0-9 A-Z - # /, got 'abc'",
            ),
            (
                "urn:epc:id:sgcn:4012345.67890.A1",
                "urn:epc:id:sgcn:4012345.67890.A1: the serial must be digits, got 'A1'",
            ),
            (
                "urn:epc:id:gid:95100000.12345.400",
                "urn:epc:id:gid:95100000.12345.400: unsupported EPC URN scheme id:gid",
            ),
            (
                "urn:epc:class:sgtin:0614141.107346.1",
                "urn:epc:class:sgtin:0614141.107346.1: unsupported EPC URN scheme class:sgtin",
            ),
            (
                "urn:epc:idpat:sgtin:0614141.*.*",
                "urn:epc:idpat:sgtin:0614141.*.*: only patterns whose last component alone is '*' are supported",
            ),
            (
                "urn:epc:idpat:sscc:0614141.*",
                "urn:epc:idpat:sscc:0614141.*: unsupported EPC URN scheme idpat:sscc",
            ),
            (
                "urn:epc:sgtin",
                "urn:epc:sgtin: an EPC URN has the form urn:epc:id|class|idpat:scheme:components",
            ),
            (
                "https://id.gs1.org/01/09506000134352",
                "https://id.gs1.org/01/09506000134352: an EPC URN has the "
                "form urn:epc:id|class|idpat:scheme:components",
            ),
        ],
    )
    def test_invalid(self, urn: str, message: str) -> None:
        with pytest.raises(InvalidEpcUrn) as raised:
            epc_urn.parse(urn)
        assert str(raised.value) == message

    def test_not_text(self) -> None:
        with pytest.raises(InvalidEpcUrn, match=r"^an EPC URN must be text, got int$"):
            epc_urn.parse(12345)  # type: ignore[arg-type]

    def test_invalid_is_a_value_error(self) -> None:
        assert issubclass(InvalidEpcUrn, ValueError)


class TestIsEpcUrn:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("urn:epc:id:sgtin:0614141.107346.2017", True),
            ("urn:epc:class:lgtin:4012345.012345.Lot987", True),
            ("urn:epc:idpat:sgtin:4012345.066666.*", True),
            ("urn:epc:id:sgtin:0614141.10734.2017", False),
            ("urn:epc:id:gid:95100000.12345.400", False),
            ("urn:epcglobal:cbv:bizstep:shipping", False),
            ("https://id.gs1.org/01/09506000134352", False),
            ("", False),
            (None, False),
        ],
    )
    def test_is_epc_urn(self, value: object, expected: bool) -> None:
        assert epc_urn.is_epc_urn(value) is expected


class TestCheckDigit:
    @pytest.mark.parametrize(
        ("digits", "expected"),
        [
            ("950600013435", "2"),  # GTIN-13 9506000134352, GS1 General Specifications example
            ("1061414107346", "4"),
            ("10614141234567890", "8"),  # SSCC 106141412345678908
            ("401234500011", "5"),  # GLN 4012345000115
            ("0000000", "0"),
        ],
    )
    def test_check_digit(self, digits: str, expected: str) -> None:
        assert epc_urn.check_digit(digits) == expected


def test_percent_encode() -> None:
    assert epc_urn.percent_encode("a b!\"#%&()*+,/:<>?'-.;=_") == (
        "a%20b%21%22%23%25%26%28%29%2A%2B%2C%2F%3A%3C%3E%3F'-.;=_"
    )
