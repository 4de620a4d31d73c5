"""What an interlock (``zhuisu.sectors.interlocks``) is given and what it returns: the shapes every sector shares."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from zhuisu.catalog.rules import Catalog, Rule


@dataclass(frozen=True)
class Subject:
    """An event of the batch that an interlock of ``rule`` applies to, for its class ``class_id``."""

    index: int
    event: dict[str, Any]
    day: date
    class_id: str
    rule: Rule
    catalog: Catalog
    recorder_id: str | None
    #: The whole batch (index, event), for interlocks that fold the state the batch's earlier events leave.
    batch: Sequence[tuple[int, dict[str, Any]]] = ()
    #: The prefixes the document's ``@context`` binds (``catalog.elements.prefixes``).
    bound: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    """Why ``subject`` fails an interlock, in both languages; ``expected`` says what would pass (English)."""

    subject: Subject
    expected: str
    reason_zh: str
    reason_en: str
    facts: dict[str, Any] = field(default_factory=dict)


Interlock = Callable[[Session, Sequence[Subject]], list[Failure]]

#: Where the interlocks of one batch keep what several of them read (``batch_memo``); the frame empties it at the
#: start of every batch's check.
MEMO_KEY = "zhuisu.sectors.batch_memo"


def batch_memo(session: Session) -> dict[Any, Any]:
    """What this batch's interlocks have read so far (reset per batch by ``interlocks.check_events``)."""
    memo: dict[Any, Any] = session.info.setdefault(MEMO_KEY, {})
    return memo
