import pytest

from zhuisu.codes.errors import (
    InvalidChecksum,
    InvalidCode,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    UnknownScheme,
)
from zhuisu.errors import InvalidInput


@pytest.mark.parametrize("cls", [InvalidFormat, InvalidLength, InvalidComponent])
def test_hierarchy(cls: type[InvalidCode]) -> None:
    err = cls()
    assert isinstance(err, InvalidCode)
    assert isinstance(err, ValueError)
    assert isinstance(err, InvalidInput)


@pytest.mark.parametrize(
    ("err", "code", "en", "zh"),
    [
        (InvalidCode(), "invalid_code", "the code is invalid", "代码无效"),
        (InvalidFormat(), "invalid_code_format", "the code has an invalid format", "代码格式错误"),
        (
            InvalidLength(18, 17),
            "invalid_code_length",
            "length should be 18, got 17",
            "长度应为 18 位，实际为 17 位",
        ),
        (
            InvalidLength((8, 13), 9),
            "invalid_code_length",
            "length should be one of 8, 13, got 9",
            "长度应为 8/13 位，实际为 9 位",
        ),
        (
            InvalidChecksum("7", "3"),
            "invalid_check_digit",
            "check digit should be 7, got 3",
            "校验位应为 7，实际为 3",
        ),
        (
            InvalidComponent("month 13", "月份 13", component="month"),
            "invalid_code_component",
            "month 13",
            "月份 13",
        ),
        (InvalidFormat("only english"), "invalid_code_format", "only english", "only english"),
    ],
)
def test_messages(err: InvalidCode, code: str, en: str, zh: str) -> None:
    assert (err.code, str(err), err.message_en, err.message_zh) == (code, en, en, zh)
    assert (err.localized("en"), err.localized("zh")) == (en, zh)
    assert err.status_code == 422


def test_checksum_carries_expected_and_got() -> None:
    err = InvalidChecksum("L", "X")
    assert (err.expected, err.got) == ("L", "X")


def test_component_name() -> None:
    assert InvalidComponent("x", component="org_type").component == "org_type"


def test_unknown_scheme() -> None:
    err = UnknownScheme("isbn")
    assert isinstance(err, LookupError)
    assert (str(err), err.localized("zh"), err.code) == (
        "unknown code scheme 'isbn'",
        "未知的代码体系 'isbn'",
        "unknown_code_scheme",
    )
