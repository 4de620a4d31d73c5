"""The desk's region filters take a name as a regulator types it (历下区, 济南市历下区) as well as a code."""

import pytest

from zhuisu.oversight.pages import region_filter


@pytest.mark.parametrize(
    ("typed", "scope", "expected"),
    [
        ("370102", "", ("370102", None)),
        ("历下区", "3701", ("370102", None)),
        ("山东省济南市历下区", "", ("370102", None)),
        ("济南市", "", ("3701", None)),
        ("朝阳区", "11", ("110105", None)),  # the regulator's own first
        (
            "朝阳区",
            "",
            (
                "110105",
                "「朝阳区」有多个地区：北京市朝阳区（110105）、吉林省长春市朝阳区（220104）；已按第一个筛选，可改填代码",
            ),
        ),
        ("无此地", "", ("", "没有找到地区「无此地」：请输入地区名称（如 历下区）或行政区划代码（如 370102）")),
        ("", "37", ("", None)),
    ],
)
def test_a_name_or_a_code(typed: str, scope: str, expected: tuple[str, str | None]) -> None:
    assert region_filter(typed, scope) == expected
