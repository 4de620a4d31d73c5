"""What a user is told about an event that was refused: where (a JSON pointer into the document), what kind of
problem, what was expected, in zh-CN and English. Validation (``validation.Problem``), the catalog's rules and
capture all report with it."""

from dataclasses import dataclass
from typing import Any


@dataclass
class EventError:
    """Why one event was rejected: where (JSON pointer into the document), what kind, and what was expected."""

    pointer: str
    code: str
    expected: str
    message_zh: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "pointer": self.pointer,
            "code": self.code,
            "expected": self.expected,
            "message": self.message(lang),
        }
