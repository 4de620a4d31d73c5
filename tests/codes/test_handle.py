from typing import Any

import pytest

from zhuisu.codes import handle
from zhuisu.codes.errors import InvalidFormat

VALID = [
    pytest.param(
        "88.608.8889/87654321",
        "88.608.8889/87654321",
        {
            "prefix": "88.608.8889",
            "top_node": "88",
            "secondary_node": "608",
            "enterprise": "8889",
            "suffix": "87654321",
        },
        id="id-guide-example",
    ),
    pytest.param(
        " hdl:88.118.8/JXDY2106023 ",
        "88.118.8/JXDY2106023",
        {
            "prefix": "88.118.8",
            "top_node": "88",
            "secondary_node": "118",
            "enterprise": "8",
            "suffix": "JXDY2106023",
        },
        id="hdl-prefix",
    ),
    pytest.param(
        "88.100.1.2/批次/A-1",
        "88.100.1.2/批次/A-1",
        {
            "prefix": "88.100.1.2",
            "top_node": "88",
            "secondary_node": "100",
            "enterprise": "1",
            "sub_nodes": ["2"],
            "suffix": "批次/A-1",
        },
        id="sub-node-unicode-suffix-with-slash",
    ),
]

INVALID = [
    pytest.param("88.118/JXDY2106023", id="no-enterprise"),
    pytest.param("88.118.8/", id="empty-suffix"),
    pytest.param("88.118.8/JX DY", id="space-in-suffix"),
    pytest.param("86.118.8/JXDY", id="not-88"),
    pytest.param("88.A18.8/JXDY", id="letter-in-node"),
    pytest.param("88.118.8", id="no-suffix"),
]


@pytest.mark.parametrize(("text", "compact", "parts"), VALID)
def test_valid(text: str, compact: str, parts: dict[str, Any]) -> None:
    assert handle.validate(text) == compact
    assert handle.format(text) == compact
    assert handle.parts(text) == parts


@pytest.mark.parametrize("text", INVALID)
def test_invalid(text: str) -> None:
    with pytest.raises(InvalidFormat) as info:
        handle.validate(text)
    assert str(info.value) == "expected 88.<secondary node>.<enterprise>/<suffix>"
    assert info.value.message_zh == "应为 88.二级节点.企业节点/后缀 的形式"
    assert handle.is_valid(text) is False
