import pytest

from zhuisu.codes import registry
from zhuisu.codes.errors import InvalidFormat, UnknownScheme

SCHEME_NAMES = [
    "gtin",
    "sscc",
    "gln",
    "gs1-element-string",
    "gs1-digital-link",
    "epc-urn",
    "uscc",
    "drug-trace-code",
    "vet-drug-code",
    "pesticide-label-code",
    "seed-label",
    "special-equipment-code",
    "detonator-code",
    "sc-licence",
    "handle",
    "zhuisu",
    "unknown",
]


def test_scheme_names() -> None:
    assert list(registry.SCHEMES) == SCHEME_NAMES


@pytest.mark.parametrize("scheme", [s for s in SCHEME_NAMES if s != "epc-urn"])
def test_modules_have_the_stdnum_interface(scheme: str) -> None:
    module = registry.get(scheme)
    for name in ("compact", "validate", "is_valid", "format", "parts"):
        assert callable(getattr(module, name)), (scheme, name)


@pytest.mark.parametrize(
    ("scheme", "value", "canonical"),
    [
        ("gtin", "6921168509256", "6921168509256"),
        ("uscc", "91110000600037341l", "91110000600037341L"),
        ("epc-urn", "urn:epc:id:sscc:4012345.0000000333", "urn:epc:id:sscc:4012345.0000000333"),
        ("zhuisu", "zs1-110105-a1b2c3-0000000001-o", "ZS1110105A1B2C30000000001O"),
    ],
)
def test_validate(scheme: str, value: str, canonical: str) -> None:
    assert registry.validate(scheme, value) == canonical
    assert registry.is_valid(scheme, value) is True


def test_epc_errors_become_invalid_format() -> None:
    with pytest.raises(InvalidFormat) as info:
        registry.validate("epc-urn", "urn:epc:id:sgtin:0614141.10734.2017")
    assert str(info.value) == (
        "urn:epc:id:sgtin:0614141.10734.2017: the company prefix and indicator/item reference must have "
        "13 digits, "
        "got 12"
    )
    assert registry.is_valid("epc-urn", "urn:epc:id:sgtin:0614141.10734.2017") is False


def test_epc_parts() -> None:
    assert registry.parts("epc-urn", "urn:epc:id:sgtin:0614141.107346.2017") == {
        "kind": "id",
        "epc_scheme": "sgtin",
        "company_prefix": "0614141",
        "fields": ["107346", "2017"],
        "key_ai": "01",
        "key": "10614141073464",
        "qualifiers": [["21", "2017"]],
        "digital_link": "https://id.gs1.org/01/10614141073464/21/2017",
    }


def test_unknown_never_validates() -> None:
    with pytest.raises(InvalidFormat):
        registry.validate("unknown", "ABC-123")
    assert registry.get("unknown").compact(" ABC-123 ") == "ABC-123"
    assert registry.parts("unknown", "ABC") == {}


@pytest.mark.parametrize("scheme", ["isbn", "", "GTIN"])
def test_unknown_scheme_name(scheme: str) -> None:
    with pytest.raises(UnknownScheme):
        registry.get(scheme)
