"""Who may capture what, and who may see a capture job.

- A capture job is seen by the party that captured it and the node's admin (it lists the events sent and why each
  was refused).
- An event's business location and read point may be a location the recorder registered, or one nobody registered;
  a location registered to another party is refused (``not_your_location``): a party records what happens at its
  own sites. Its sources and destinations may name anyone (its trading partners).
- A ``recalled`` disposition on things of a product registered to another producer is refused
  (``not_your_product``): only the brand owner, a regulator or the admin recalls.

The checks read the registered locations and products of the whole batch in two statements.
"""

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.auth.roles import is_admin
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
    if actor.id != job.recorder_id and not is_admin(actor):
        raise NotYourCapture(
            f"采集任务 {job.id} 属于其他主体", message_en=f"the capture job {job.id} belongs to another party"
        )


def check_events(
    session: Session, actor: Party, events: Sequence[tuple[int, dict[str, Any]]]
) -> dict[int, list[EventError]]:
    """The errors of the events ``actor`` may not record, by index (see the module docstring)."""
    if is_admin(actor) or not events:
        return {}
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
    refused: dict[int, list[EventError]] = {}
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
