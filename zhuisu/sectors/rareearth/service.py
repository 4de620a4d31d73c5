"""The rare earth sector: the producers' annual quotas (总量控制计划, master data from the authority) and the quota
used, read from the EPCIS events (``docs/rareearth.md``). Recording mining output, separation, sales and receipts
is ``recording``; what counts against a quota is ``usage``.

Nothing here writes but ``register_quota`` (a quota, or a revision replacing the one in force), with its audit rows
in the same transaction. A reader or actor of None is the local operator (the command line): it sees everything
and may act for any party. The risk rules ``rare_earth_quota_*`` (``zhuisu.oversight.rules``) read ``usage_of``.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from zhuisu.auth.roles import covers
from zhuisu.errors import InvalidInput, PermissionDenied
from zhuisu.kit.i18n import cpair
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import AuditEntry, Party, RareEarthQuota
from zhuisu.parties import service as parties_service
from zhuisu.sectors.rareearth import permissions, repository
from zhuisu.sectors.rareearth.schemas import QuotaCreate, QuotaRead, UsageRow
from zhuisu.sectors.rareearth.usage import EPSILON, KIND_CLASSES, Usage, usage

KIND_NAMES = {
    "mining": cpair("rare earth", "rare earth ore products"),
    "separation": cpair("rare earth", "separation products"),
}


def _invalid(field_name: str, *, zh: str, en: str) -> InvalidInput:
    return InvalidInput(f"{field_name}：{zh}", message_en=f"{field_name}: {en}", field=field_name)


def _audit(session: Session, actor: Party | None, action: str, subject: str, payload: dict[str, Any]) -> None:
    session.add(AuditEntry(actor_id=actor.id if actor else None, action=action, subject=subject, payload=payload))


def normal_gtin(value: str, field_name: str) -> str:
    """A GTIN as products are registered (14 digits); raises InvalidInput naming the field."""
    text = value.strip()
    if text.isdigit() and len(text) in (8, 12, 13, 14):
        return text.zfill(14)
    raise _invalid(field_name, zh=f"「{value}」不是 GTIN（8、12、13 或 14 位数字）", en=f"{value!r} is not a GTIN")


def register_quota(session: Session, body: QuotaCreate, *, actor: Party | None) -> QuotaRead:
    """A producer's quota for a year and kind; when one is in force, this revision replaces it (kept, with
    ``replaced_by_id``). The admin, or a regulator whose jurisdiction and mandate cover it. Raises InvalidInput naming
    the field (an unknown producer, a class outside the kind's, a product not of the class), PermissionDenied.
    Writes ``rare_earth_quota_registered`` (and ``rare_earth_quota_replaced`` for the one replaced)."""
    holder = parties_service.find_party_by_identifier(session, body.party)
    if holder is None or holder.actor != "enterprise":
        raise _invalid("party", zh=f"本节点没有企业 {body.party}", en=f"no enterprise {body.party} on this node")
    base = KIND_CLASSES[body.kind]
    class_id = (body.class_id or base).strip()
    if not covers([base], class_id):
        raise _invalid(
            "class_id",
            zh=f"{KIND_NAMES[body.kind][0]}指标的类别须为 {base} 或其下级类别",
            en=f"a {body.kind} quota covers {base} or a class under it",
        )
    product = normal_gtin(body.product, "product") if body.product else None
    if product is not None:
        known = repository.product_classes(session, [product]).get(product)
        if known is None or not covers([class_id], known[0]):
            raise _invalid(
                "product", zh=f"不是本节点登记的 {class_id} 类产品", en=f"not a registered product of {class_id}"
            )
    if not body.document_number.strip():
        raise _invalid("document_number", zh="缺少文号", en="the document number is blank")
    if not permissions.may_register(actor, holder, class_id):
        raise PermissionDenied(
            "仅管辖该企业且职责涵盖稀土的监管部门或管理员可以下达总量控制指标",
            message_en="only a regulator whose jurisdiction and mandate cover the producer and rare earth, or the "
            "admin, may register its quota",
        )
    before = repository.current(session, holder.id, body.year, body.kind)
    quota = RareEarthQuota(
        party_id=holder.id,
        year=body.year,
        kind=body.kind,
        class_id=class_id,
        product=product,
        quantity=body.quantity,
        uom=body.uom,
        basis=body.basis,
        document_number=body.document_number.strip(),
        issuer=body.issuer.strip(),
        note=body.note.strip(),
        revision=repository.last_revision(session, holder.id, body.year, body.kind) + 1,
        registered_by_id=actor.id if actor else None,
    )
    session.add(quota)
    session.flush()
    if before is not None:
        before.replaced_by_id, before.replaced_at = quota.id, utc_now()
        session.flush()
        _audit(
            session,
            actor,
            "rare_earth_quota_replaced",
            before.id,
            {"party": holder.id, "year": body.year, "kind": body.kind, "replaced_by": quota.id},
        )
    _audit(
        session,
        actor,
        "rare_earth_quota_registered",
        quota.id,
        {
            "party": holder.id,
            "year": quota.year,
            "kind": quota.kind,
            "class_id": quota.class_id,
            "product": quota.product,
            "quantity": quota.quantity,
            "uom": quota.uom,
            "basis": quota.basis,
            "document_number": quota.document_number,
            "revision": quota.revision,
            "replaces": before.id if before else None,
        },
    )
    return _read(quota, holder)


def _read(quota: RareEarthQuota, holder: Party) -> QuotaRead:
    return QuotaRead(
        id=quota.id,
        party_id=holder.id,
        party=holder.name,
        region=holder.region,
        year=quota.year,
        kind=quota.kind,
        class_id=quota.class_id,
        product=quota.product,
        quantity=quota.quantity,
        uom=quota.uom,
        basis=quota.basis,
        document_number=quota.document_number,
        issuer=quota.issuer,
        note=quota.note,
        revision=quota.revision,
        active=quota.replaced_at is None,
        replaced_by_id=quota.replaced_by_id,
        replaced_at=quota.replaced_at,
        created_at=quota.created_at,
    )


def list_quotas(
    session: Session, *, reader: Party | None, year: int | None = None, history: bool = False
) -> list[QuotaRead]:
    """The quotas in the reader's lane (None: every one): those in force, or every revision (``history``); of one
    year when given. Newest year first, then producer, kind and revision."""
    conditions = [permissions.parties_lane(reader), permissions.quotas_lane(reader)]
    if year is not None:
        conditions.append(RareEarthQuota.year == year)
    if not history:
        conditions.append(RareEarthQuota.replaced_at.is_(None))
    return [
        _read(q, p) for q, p in repository.quotas(session, *conditions) if permissions.sees_class(reader, q.class_id)
    ]


def current_quota(session: Session, party: Party, year: int, kind: str) -> RareEarthQuota | None:
    return repository.current(session, party.id, year, kind)


def this_year() -> int:
    return utc_now().astimezone(BEIJING).year


def usage_of(session: Session, party_ids: Sequence[str] | None, years: Iterable[int] | None = None) -> list[Usage]:
    """Production and sales against the quotas of the producers in the regime among ``party_ids`` (None: all),
    in ``years`` (None: every year with a quota or with an event of theirs)."""
    ids = sorted(repository.regime(session, party_ids))
    if not ids:
        return []
    if years is None:
        found = repository.quota_years(session, ids)
        first, last = repository.event_span(session, ids)
        if first is not None and last is not None:
            found |= set(range(first.astimezone(BEIJING).year, last.astimezone(BEIJING).year + 1))
        years = found
    return usage(session, ids, years)


def usage_rows(session: Session, *, reader: Party | None, year: int | None = None) -> list[UsageRow]:
    """The quota used per producer and kind in ``year`` (default: this year, Beijing), in the reader's lane."""
    chosen = year if year is not None else this_year()
    visible = repository.parties(session, repository.regime(session), permissions.parties_lane(reader))
    rows = []
    for u in usage_of(session, sorted(visible), [chosen]):
        party = visible[u.party_id]
        class_id = u.quota.class_id if u.quota else KIND_CLASSES[u.kind]
        if not permissions.sees_class(reader, class_id):
            continue
        rows.append(row_of(u, party))
    return sorted(rows, key=lambda r: (r.party, r.kind))


def row_of(u: Usage, party: Party) -> UsageRow:
    produced, sold = round(u.amount(u.produced), 6), round(u.amount(u.sold), 6)
    quota = u.quota
    return UsageRow(
        party_id=party.id,
        party=party.name,
        region=party.region,
        year=u.year,
        kind=u.kind,
        quota_id=quota.id if quota else None,
        document_number=quota.document_number if quota else None,
        class_id=quota.class_id if quota else None,
        product=quota.product if quota else None,
        quota=quota.quantity if quota else None,
        uom=quota.uom if quota else "TNE",
        basis=quota.basis if quota else "reo",
        produced=produced,
        sold=sold,
        unquoted=round(u.amount(u.unquoted), 6),
        used_percent=round(produced / quota.quantity * 100, 2) if quota else None,
        remaining=round(quota.quantity - produced, 6) if quota else None,
        sales_percent=round(sold / quota.quantity * 100, 2) if quota else None,
        production_events=len({line.pk for line in u.produced}),
        sales_events=len({line.pk for line in u.sold}),
    )


def above(amount: float, quota: float) -> bool:
    return amount > quota + EPSILON
