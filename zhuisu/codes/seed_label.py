"""农作物种子标签二维码 (crop seed label QR content), per MOA 《农作物种子标签二维码编码规则》 (2016).

The QR code holds four items, each on its own line, in this order:

1. 品种名称 (variety name)
2. 生产经营者名称 or 进口商名称 (producer/distributor or importer)
3. 单元识别代码 (unit identification code): chosen by the company, one per smallest sales unit, digits or
   digits and letters, at most 20 characters (it may equal the product's barcode number)
4. 追溯网址 (the trace URL, provided by the company)

Validated: exactly four non-empty lines (CR/LF variants accepted; a leading Chinese label such as
``品种名称：`` is dropped), a unit code of 1–20 ASCII letters/digits containing at least one digit, and a
URL-shaped last line. The unit code has no check character. The canonical value is the four lines joined by
``\\n``.

When only the unit code is at hand (a bare code, or ``recognize`` finding it in a seed trace link), a single
line is accepted too: it is validated and returned as a unit code, and the other ``parts`` are None.

>>> label = '郑单958\\r\\n某种业有限公司\\r\\n41010000100000000123\\r\\nhttps://zz.example.cn/q?c=41010000100000000123'
>>> parts(label)['unit_code']
'41010000100000000123'
>>> validate('品种名称：郑单958\\n生产经营者：某种业公司\\n单元识别代码：ABC123\\n追溯网址：http://seed.example.cn/ABC123')
'郑单958\\n某种业公司\\nABC123\\nhttp://seed.example.cn/ABC123'
>>> validate('郑单958\\n某种业公司\\n410100001000000001234\\nhttp://seed.example.cn/')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidLength: length should be 1–20, got 21
>>> validate('郑单958\\n某种业公司\\nhttp://seed.example.cn/')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidFormat: a seed label has 4 lines (variety, producer, unit code, URL), got 3
"""

import re
from typing import Any

from zhuisu.codes import _checks
from zhuisu.codes.errors import InvalidCode, InvalidComponent, InvalidFormat, InvalidLength

_LABEL_RE = re.compile(r"^[\u4e00-\u9fff（）()]{2,10}\s*[:：]\s*")
_UNIT_CODE_RE = re.compile(r"[0-9A-Za-z]*")
_URL_RE = re.compile(r"(?:https?://)?(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+(?::\d+)?(?:[/?#]\S*)?", re.IGNORECASE)
MAX_UNIT_CODE = 20


def _lines(text: str) -> list[str]:
    if not isinstance(text, str):
        raise InvalidFormat("the code must be text", "代码必须是文本")
    lines = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip().strip("\ufeff").strip()
        if line:
            lines.append(_LABEL_RE.sub("", line, count=1).strip())
    return lines


def compact(text: str) -> str:
    """The non-empty lines, stripped, without leading labels (a unit code also without spaces or hyphens),
    joined by ``\\n``."""
    lines = _lines(text)
    if len(lines) in (1, 4):
        code_line = 0 if len(lines) == 1 else 2
        lines[code_line] = _checks.clean(lines[code_line])
    return "\n".join(lines)


def validate_unit_code(code: str) -> str:
    """Check a 单元识别代码 on its own; spaces and hyphens are removed."""
    code = _checks.clean(code)
    if not 1 <= len(code) <= MAX_UNIT_CODE:
        raise InvalidLength(f"1–{MAX_UNIT_CODE}", len(code))
    if not _UNIT_CODE_RE.fullmatch(code):
        raise InvalidFormat(
            "the unit code may contain only letters A-Z/a-z and digits", "单元识别代码只能由字母和数字组成"
        )
    if not any(c.isdigit() for c in code):
        raise InvalidComponent(
            "the unit code must contain digits (digits, or digits and letters)",
            "单元识别代码应由数字或数字与字母组合构成",
            component="unit_code",
        )
    return code


def validate(text: str) -> str:
    """Return the canonical 4-line label, or raise an ``InvalidCode`` subclass."""
    lines = _lines(text)
    if len(lines) == 1:
        return validate_unit_code(lines[0])
    if len(lines) != 4:
        raise InvalidFormat(
            f"a seed label has 4 lines (variety, producer, unit code, URL), got {len(lines)}",
            f"种子标签二维码应有 4 行（品种、生产经营者、单元识别代码、追溯网址），实际为 {len(lines)} 行",
        )
    if not all(lines):
        raise InvalidFormat("a seed label line has a label but no value", "种子标签二维码中有只有标题没有内容的行")
    lines[2] = validate_unit_code(lines[2])
    if not _URL_RE.fullmatch(lines[3]):
        raise InvalidFormat(f"the 4th line should be the trace URL, got {lines[3][:40]!r}", "第 4 行应为追溯网址")
    return "\n".join(lines)


def is_valid(text: str) -> bool:
    try:
        return bool(validate(text))
    except InvalidCode:
        return False


def format(text: str) -> str:
    return validate(text)


def parts(text: str) -> dict[str, Any]:
    """The four items: variety, producer, unit_code, url (only unit_code for a bare unit code)."""
    lines = validate(text).split("\n")
    if len(lines) == 1:
        return {"variety": None, "producer": None, "unit_code": lines[0], "url": None}
    variety, producer, unit_code, url = lines
    return {"variety": variety, "producer": producer, "unit_code": unit_code, "url": url}
