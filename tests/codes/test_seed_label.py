from typing import Any

import pytest

from zhuisu.codes import seed_label
from zhuisu.codes.errors import InvalidCode, InvalidComponent, InvalidFormat, InvalidLength

CANONICAL = "郑单958\n某种业有限公司\n41010000100000000123\nhttps://zz.example.cn/q?c=41010000100000000123"
PARTS = {
    "variety": "郑单958",
    "producer": "某种业有限公司",
    "unit_code": "41010000100000000123",
    "url": "https://zz.example.cn/q?c=41010000100000000123",
}

VALID = [
    pytest.param(CANONICAL, CANONICAL, PARTS, id="four-lines"),
    pytest.param(CANONICAL.replace("\n", "\r\n") + "\r\n", CANONICAL, PARTS, id="crlf-trailing-newline"),
    pytest.param(
        "品种名称：郑单958\n生产经营者名称: 某种业有限公司\n单元识别代码：4101-0000-1000-0000-0123\n"
        "追溯网址：https://zz.example.cn/q?c=41010000100000000123",
        CANONICAL,
        PARTS,
        id="labelled-lines",
    ),
    pytest.param(
        "  京科968 \n\n 某种业公司\nAB12cd\nseed.example.cn/t/AB12cd ",
        "京科968\n某种业公司\nAB12cd\nseed.example.cn/t/AB12cd",
        {
            "variety": "京科968",
            "producer": "某种业公司",
            "unit_code": "AB12cd",
            "url": "seed.example.cn/t/AB12cd",
        },
        id="blank-line-url-without-scheme",
    ),
    pytest.param(
        "AB12345",
        "AB12345",
        {"variety": None, "producer": None, "unit_code": "AB12345", "url": None},
        id="bare-unit-code",
    ),
]

INVALID = [
    pytest.param(
        "品种名称：\n某种业公司\nAB123\nhttp://seed.example.cn/",
        InvalidFormat,
        "a seed label line has a label but no value",
        id="label-without-value",
    ),
    pytest.param(
        "郑单958\n某种业公司\nhttps://seed.example.cn/",
        InvalidFormat,
        "a seed label has 4 lines (variety, producer, unit code, URL), got 3",
        id="three-lines",
    ),
    pytest.param(
        "郑单958\n某种业公司\n410100001000000001234\nhttp://seed.example.cn/",
        InvalidLength,
        "length should be 1–20, got 21",
        id="unit-code-21",
    ),
    pytest.param(
        "郑单958\n某种业公司\nABCDEF\nhttp://seed.example.cn/",
        InvalidComponent,
        "the unit code must contain digits (digits, or digits and letters)",
        id="unit-code-letters-only",
    ),
    pytest.param(
        "郑单958\n某种业公司\nAB_123\nhttp://seed.example.cn/",
        InvalidFormat,
        "the unit code may contain only letters A-Z/a-z and digits",
        id="unit-code-underscore",
    ),
    pytest.param(
        "郑单958\n某种业公司\nAB123\n请扫码查询",
        InvalidFormat,
        "the 4th line should be the trace URL, got '请扫码查询'",
        id="no-url",
    ),
]


@pytest.mark.parametrize(("text", "canonical", "parts"), VALID)
def test_valid(text: str, canonical: str, parts: dict[str, Any]) -> None:
    assert seed_label.validate(text) == canonical
    assert seed_label.compact(text) == canonical
    assert seed_label.format(text) == canonical
    assert seed_label.parts(text) == parts


@pytest.mark.parametrize(("text", "error", "message"), INVALID)
def test_invalid(text: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as info:
        seed_label.validate(text)
    assert str(info.value) == message
    assert seed_label.is_valid(text) is False
