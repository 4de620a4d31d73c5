"""The catalog's licence rules at capture: an event of a class whose rule names licence types needs a recorder that
holds one of them — valid on the event's date (Beijing time), confirmed by its issuing authority (a regulator,
``licences.confirmed_at``) and covering the class (``licences.classes``: prefixes, ``food`` covers ``food.dairy``;
none stated covers every class). Else the event is refused with ``licence_missing`` naming the class, the licence
types and why (none held, expired or not yet valid, unconfirmed, outside its scope), or, when the rule or class
flags, stored with an ``EventFlag`` whose elements are ``licence:<type>``.

Cost: one indexed read of the recorder's licences per batch, and only when a licence rule applies to an event of it.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from zhuisu.auth.roles import covers
from zhuisu.catalog import repository
from zhuisu.catalog.rules import Catalog, Rule
from zhuisu.epcis.reports import EventError
from zhuisu.kit.i18n import pair
from zhuisu.models import Licence

#: Why a recorder's licences do not satisfy a rule, in both languages.
REASONS = {
    "none": pair("holds no such licence"),
    "expired": pair("its licence is not valid on the event's date"),
    "unconfirmed": pair("its licence is not confirmed by the issuing authority"),
    "scope": pair("its licence's scope does not cover the class"),
}


@dataclass(frozen=True)
class Lacking:
    rule: Rule
    class_id: str
    reason: str


class RecorderLicences:
    """The recorder's licences of the types the batch's rules name, read once (lazily: only when a rule applies)."""

    def __init__(self, session: Session, recorder_id: str | None) -> None:
        self.session = session
        self.recorder_id = recorder_id
        self.read: dict[str, list[Licence]] | None = None
        #: What ``lacking`` found per (classes, event type, bizStep, day): a batch's events share them.
        self.found: dict[tuple[tuple[str, ...], str, str | None, date], list[Lacking]] = {}

    def of(self, types: tuple[str, ...], catalog: Catalog) -> list[Licence]:
        if self.read is None:
            wanted = sorted({t for rule in catalog.rules for t in rule.licences})
            found = repository.licences_of(self.session, self.recorder_id, wanted) if self.recorder_id else []
            self.read = {}
            for licence in found:
                self.read.setdefault(licence.licence_type, []).append(licence)
        return [licence for t in types for licence in self.read.get(t, [])]


def lacking(
    catalog: Catalog, classes: list[str], event_type: str, biz_step: str | None, day: date, held: RecorderLicences
) -> list[Lacking]:
    """The licence rules an event of ``classes`` on ``day`` breaks, with why (worked out once per batch for each
    kind of event)."""
    key = (tuple(classes), event_type, biz_step, day)
    if key not in held.found:
        held.found[key] = _lacking(catalog, classes, event_type, biz_step, day, held)
    return held.found[key]


def _lacking(
    catalog: Catalog, classes: list[str], event_type: str, biz_step: str | None, day: date, held: RecorderLicences
) -> list[Lacking]:
    out: list[Lacking] = []
    for class_id in classes:
        for rule in catalog.rules_for(class_id, event_type, biz_step):
            if rule.licences:
                reason = _reason(held.of(rule.licences, catalog), class_id, day)
                if reason is not None:
                    out.append(Lacking(rule, class_id, reason))
    return out


def _reason(licences: list[Licence], class_id: str, day: date) -> str | None:
    """None when one of ``licences`` counts for ``class_id`` on ``day``; else the reason of the closest one."""
    if not licences:
        return "none"
    in_scope = [x for x in licences if covers(x.classes or None, class_id)]
    if not in_scope:
        return "scope"
    valid = [x for x in in_scope if x.valid_from <= day and (x.valid_to is None or day <= x.valid_to)]
    if not valid:
        return "expired"
    return None if any(x.confirmed_at is not None for x in valid) else "unconfirmed"


def error(index: int, class_name: str, class_name_en: str, found: Lacking) -> EventError:
    types = "、".join(found.rule.licences)
    zh, en = REASONS[found.reason]
    return EventError(
        pointer=f"/epcisBody/eventList/{index}",
        code="licence_missing",
        expected=f"a valid, confirmed licence of type {' or '.join(found.rule.licences)} covering {found.class_id}",
        message_zh=f"第 {index} 个事件（{class_name}，{found.class_id}）的记录主体须持有有效且经确认的许可证 {types}："
        f"{zh}（规则 {found.rule.id}：{found.rule.name}；目录 {found.rule.release}）",
        message_en=f"event {index} ({class_name_en}, {found.class_id}) needs a recorder holding a valid, confirmed "
        f"licence of type {' or '.join(found.rule.licences)}: it {en} (rule {found.rule.id}: {found.rule.name_en}; "
        f"catalog {found.rule.release})",
    )
