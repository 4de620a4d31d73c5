"""Who may capture what, and who may see a capture job.

- A capture job is seen by the party that captured it and the node's admin (it lists the events sent and why each
  was refused).
- An event's business location and read point may be a location the recorder registered, or one nobody registered;
  a location registered to another party is refused (``not_your_location``): a party records what happens at its
  own sites. Its sources and destinations may name anyone (its trading partners).
- A ``recalled`` disposition on things of a product registered to another producer is refused
  (``not_your_product``): only the brand owner, a regulator or the admin recalls.
- A platform records for an enterprise only under a delegation in force (``parties.delegations``; the job's
  ``agent_id``): the events are the enterprise's and meet the enterprise's rules above; without the delegation every
  event is refused (``not_delegated``), and a delegation limited to classes refuses events naming a registered
  product of another class (``outside_delegation``). The platform and the enterprise both see the job.

The checks read the registered locations and products of the whole batch in two statements.
"""

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.auth.roles import covers, is_admin
from zhuisu.codes.canonical import canonical_id
from zhuisu.epcis.identifiers import cbv_short, named_codes
from zhuisu.epcis.reports import EventError
from zhuisu.errors import PermissionDenied
from zhuisu.models import CaptureJob, Location, Party, Product

_SITE = re.compile(r"^https://id\.gs1\.org/414/(\d{13})(?:/|$)")
_GTIN = re.compile(r"^https://id\.gs1\.org/01/(\d{14})(?:/|$)")


class NotYourCapture(PermissionDenied):
    code = "not_your_capture"


def check_job(actor: Party, job: CaptureJob) -> None:
    if actor.id not in (job.recorder_id, job.agent_id) and not is_admin(actor):
        raise NotYourCapture(
            f"采集任务 {job.id} 属于其他主体", message_en=f"the capture job {job.id} belongs to another party"
        )


def check_events(
    session: Session,
    actor: Party,
    events: Sequence[tuple[int, dict[str, Any]]],
    *,
    delegated: Sequence[str] | None = None,
) -> dict[int, list[EventError]]:
    """The errors of the events ``actor`` may not record, by index (see the module docstring); ``delegated``: the
    classes of the delegation a platform records them under (None: every class, or no delegation)."""
    if not events:
        return {}
    refused = _outside(session, events, delegated) if delegated is not None else {}
    if is_admin(actor):
        return refused
    sites = {index: _sites(event) for index, event in events}
    glns = {gln for found in sites.values() for _, gln in found}
    owners: dict[str | None, str] = (
        {
            gln: party
            for gln, party in session.execute(select(Location.gln, Location.party_id).where(Location.gln.in_(glns)))
        }
        if glns
        else {}
    )
    recalls = {index: _gtins(event) for index, event in events if cbv_short(event.get("disposition")) == "recalled"}
    gtins = {g for found in recalls.values() for g in found}
    producers: dict[str | None, str | None] = (
        {
            gtin: producer
            for gtin, producer in session.execute(
                select(Product.gtin, Product.producer_id).where(Product.gtin.in_(gtins))
            )
        }
        if gtins
        else {}
    )
    authority = actor.actor == "regulator"
    for index, found in sites.items():
        for field, gln in found:
            owner = owners.get(gln)
            if owner is not None and owner != actor.id:
                refused.setdefault(index, []).append(_not_yours(index, field, gln))
    for index, named in recalls.items():
        for gtin in sorted(named):
            producer = producers.get(gtin)
            if producer is not None and producer != actor.id and not authority:
                refused.setdefault(index, []).append(_not_your_product(index, gtin))
    return refused


def not_delegated(index: int) -> EventError:
    return EventError(
        pointer=f"/epcisBody/eventList/{index}",
        code="not_delegated",
        expected="a delegation in force from the enterprise to the recording platform",
        message_zh=f"第 {index} 个事件：没有有效的委托允许本平台代该企业记录",
        message_en=f"event {index}: no delegation in force lets this platform record for the enterprise",
    )


def _outside(
    session: Session, events: Sequence[tuple[int, dict[str, Any]]], classes: Sequence[str]
) -> dict[int, list[EventError]]:
    """The events naming a registered product whose class is under none of ``classes``."""
    named = {index: _gtins(event) for index, event in events}
    gtins = {g for found in named.values() for g in found}
    if not gtins:
        return {}
    class_of = {g: c for g, c in session.execute(select(Product.gtin, Product.class_id).where(Product.gtin.in_(gtins)))}
    refused: dict[int, list[EventError]] = {}
    for index, found in named.items():
        for gtin in sorted(found):
            class_id = class_of.get(gtin)
            if class_id is not None and not covers(classes, class_id):
                refused.setdefault(index, []).append(_outside_delegation(index, gtin, class_id, classes))
    return refused


def _outside_delegation(index: int, gtin: str, class_id: str, classes: Sequence[str]) -> EventError:
    return EventError(
        pointer=f"/epcisBody/eventList/{index}",
        code="outside_delegation",
        expected=f"products of the delegated classes ({', '.join(classes)})",
        message_zh=f"第 {index} 个事件涉及类别 {class_id} 的产品（GTIN {gtin}），"
        f"不在委托范围（{'、'.join(classes)}）内",
        message_en=f"event {index} names a product of class {class_id} (GTIN {gtin}), outside the delegation "
        f"({', '.join(classes)})",
    )


def _sites(event: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for field in ("bizLocation", "readPoint"):
        value = event.get(field)
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            match = _SITE.match(canonical_id(value["id"]))
            if match:
                found.append((field, match.group(1)))
    return found


def _gtins(event: dict[str, Any]) -> set[str]:
    return {m.group(1) for code in named_codes(event) if (m := _GTIN.match(code))}


def _not_yours(index: int, field: str, gln: str) -> EventError:
    return EventError(
        pointer=f"/epcisBody/eventList/{index}/{field}/id",
        code="not_your_location",
        expected="a location registered to the recording party, or one nobody registered",
        message_zh=f"第 {index} 个事件的 {field} 是其他主体登记的位置（GLN {gln}）：只能记录本主体场所发生的事件",
        message_en=f"event {index}: the {field} is a location another party registered (GLN {gln}); a party records "
        "what happens at its own sites",
    )


def _not_your_product(index: int, gtin: str) -> EventError:
    return EventError(
        pointer=f"/epcisBody/eventList/{index}/disposition",
        code="not_your_product",
        expected="a recall by the product's producer, a regulator or the admin",
        message_zh=f"第 {index} 个事件召回了其他生产者登记的产品（GTIN {gtin}）：只有品牌所有者或监管部门可以召回",
        message_en=f"event {index} recalls a product another producer registered (GTIN {gtin}); only the brand owner "
        "or a regulator may recall it",
    )
