"""Exceptions raised by the code validators, modelled on ``stdnum.exceptions``.

``InvalidCode`` is the root; it is both a ``ValueError`` (so the modules behave like python-stdnum's) and a
``zhuisu.errors.InvalidInput`` (so the web layer renders it as a 422 problem document). ``str(exc)`` is the
English message; ``exc.message_zh`` (also ``exc.message`` and ``exc.localized("zh")``, following
``ZhuisuError``) is zh-CN.

>>> err = InvalidChecksum("7", "3")
>>> str(err), err.message_zh, err.expected, err.code
('check digit should be 7, got 3', '校验位应为 7，实际为 3', '7', 'invalid_check_digit')
>>> isinstance(err, ValueError) and isinstance(err, InvalidCode)
True
>>> str(InvalidLength(18, 17)), InvalidLength((8, 12, 13, 14), 10).message_zh
('length should be 18, got 17', '长度应为 8/12/13/14 位，实际为 10 位')
"""

from typing import ClassVar

from zhuisu.errors import InvalidInput


class InvalidCode(InvalidInput, ValueError):
    """The value is not a valid code of the scheme asked for."""

    code: ClassVar[str] = "invalid_code"
    status_code: ClassVar[int] = 422
    default_en: ClassVar[str] = "the code is invalid"
    default_zh: ClassVar[str] = "代码无效"

    def __init__(self, message: str | None = None, message_zh: str | None = None) -> None:
        self.message_en = message or self.default_en
        self.message_zh = message_zh or (self.default_zh if message is None else self.message_en)
        super().__init__(self.message_zh, message_en=self.message_en)

    def __str__(self) -> str:
        return self.message_en


class InvalidFormat(InvalidCode):
    """Wrong characters or wrong shape (bad alphabet, missing prefix, unparseable structure)."""

    code = "invalid_code_format"
    default_en = "the code has an invalid format"
    default_zh = "代码格式错误"


class InvalidLength(InvalidCode):
    """The compact value has the wrong number of characters."""

    code = "invalid_code_length"
    default_en = "the code has an invalid length"
    default_zh = "代码长度错误"

    def __init__(self, expected: int | tuple[int, ...] | str | None = None, got: int | None = None) -> None:
        self.expected = expected
        self.got = got
        if expected is None or got is None:
            super().__init__()
            return
        if isinstance(expected, tuple):
            want_en, want_zh = "one of " + ", ".join(map(str, expected)), "/".join(map(str, expected))
        else:
            want_en = want_zh = str(expected)
        super().__init__(f"length should be {want_en}, got {got}", f"长度应为 {want_zh} 位，实际为 {got} 位")


class InvalidChecksum(InvalidCode):
    """The check digit (or check character) does not match; ``expected`` holds the right one."""

    code = "invalid_check_digit"
    default_en = "the check digit is wrong"
    default_zh = "校验位错误"

    def __init__(self, expected: str, got: str) -> None:
        self.expected = expected
        self.got = got
        super().__init__(f"check digit should be {expected}, got {got}", f"校验位应为 {expected}，实际为 {got}")


class InvalidComponent(InvalidCode):
    """A field has an impossible value (a date that does not exist, an unknown registration type, …)."""

    code = "invalid_code_component"
    default_en = "a part of the code has an invalid value"
    default_zh = "代码的组成部分取值无效"

    def __init__(self, message: str | None = None, message_zh: str | None = None, *, component: str = "") -> None:
        self.component = component
        super().__init__(message, message_zh)


class UnknownScheme(InvalidInput, LookupError):
    """The scheme name is not one of ``zhuisu.codes.registry.SCHEMES``."""

    code = "unknown_code_scheme"
    status_code = 422

    def __init__(self, scheme: object) -> None:
        self.scheme = scheme
        super().__init__(f"未知的代码体系 {scheme!r}", message_en=f"unknown code scheme {scheme!r}")

    def __str__(self) -> str:
        return self.message_en
