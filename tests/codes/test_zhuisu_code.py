import pytest

from zhuisu.codes import zhuisu_code as zs
from zhuisu.codes.errors import InvalidChecksum, InvalidCode, InvalidComponent, InvalidFormat, InvalidLength

CODE = "ZS1110105A1B2C30000000001O"

VALID = [
    pytest.param(CODE, id="compact"),
    pytest.param("ZS1-110105-A1B2C3-0000000001-O", id="printed"),
    pytest.param("zs1 110105 a1b2c3 0000000001 o", id="lower-case-spaced"),
    pytest.param("urn:zhuisu:code:ZS1110105A1B2C30000000001O", id="urn"),
]

INVALID = [
    pytest.param("ZS1110105A1B2C30000000002O", InvalidChecksum, "check digit should be M, got O", id="serial-typo"),
    pytest.param("ZS1110105A1B2C30000000010O", InvalidChecksum, "check digit should be M, got O", id="transposition"),
    pytest.param("ZS1110105A1B2C3000000001O", InvalidLength, "length should be 26, got 25", id="length-25"),
    pytest.param("ZS111010_A1B2C30000000001O", InvalidFormat, "a zhuisu code may not contain '_'", id="underscore"),
    pytest.param("ZS11101O5A1B2C30000000001O", InvalidFormat, "the region must be 6 digits", id="letter-in-region"),
    pytest.param("XS1110105A1B2C30000000001O", InvalidFormat, "a zhuisu code starts with ZS", id="prefix"),
    pytest.param(
        "ZS4110105A1B2C30000000001" + zs.calc_check_digit("ZS4110105A1B2C30000000001"),
        InvalidComponent,
        "unknown trace unit kind '4' (1 item, 2 batch, 3 class)",
        id="kind-4",
    ),
    pytest.param(
        "ZS1990105A1B2C30000000001" + zs.calc_check_digit("ZS1990105A1B2C30000000001"),
        InvalidComponent,
        "unknown province code '99'",
        id="province-99",
    ),
]


@pytest.mark.parametrize("text", VALID)
def test_valid(text: str) -> None:
    assert zs.validate(text) == CODE
    assert zs.format(text) == "ZS1-110105-A1B2C3-0000000001-O"
    assert zs.parts(text) == {
        "kind": "1",
        "kind_name": "单品",
        "region": "110105",
        "region_province": "北京市",
        "region_name": "朝阳区",
        "party": "A1B2C3",
        "serial": "0000000001",
        "check_digit": "O",
    }


@pytest.mark.parametrize(("text", "error", "message"), INVALID)
def test_invalid(text: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as info:
        zs.validate(text)
    assert str(info.value) == message
    assert zs.is_valid(text) is False


class TestBuild:
    def test_pads_party_and_serial(self) -> None:
        assert zs.build("2", "440300", "42", "A7F3") == "ZS2440300000042000000A7F3M"

    def test_rejects_long_serial(self) -> None:
        with pytest.raises(InvalidFormat):
            zs.build("1", "110105", "A1", "12345678901")

    def test_rejects_bad_region(self) -> None:
        with pytest.raises(InvalidFormat):
            zs.build("1", "11010X", "A1", "1")

    def test_every_single_character_error_is_detected(self) -> None:
        for i in range(2, len(CODE)):
            for c in zs.ALPHABET:
                if c != CODE[i]:
                    assert not zs.is_valid(CODE[:i] + c + CODE[i + 1 :]), (i, c)

    def test_every_adjacent_transposition_is_detected(self) -> None:
        for i in range(2, len(CODE) - 1):
            if CODE[i] != CODE[i + 1]:
                assert not zs.is_valid(CODE[:i] + CODE[i + 1] + CODE[i] + CODE[i + 2 :]), i
