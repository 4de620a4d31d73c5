"""The special equipment register: derived from the equipment's lifecycle events (``lifecycle``), never edited.

``record_events`` receives ``events_recorded``: the lifecycle events of a capture name some equipment, and each
one's row is worked out again from all of its lifecycle events (a late event with an earlier time lands in its
place). ``rebuild`` does it for every piece of equipment (``zhuisu equipment rebuild``; after a change of the
intervals). Reads: the register in a reader's lane (``permissions.lane``) with each piece's condition on the day,
the desk's workbook, and the public scan page.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, or_, select
from sqlalchemy.orm import Session

from zhuisu.catalog import service as catalog_service
from zhuisu.catalog.elements import prefixes
from zhuisu.codes._regions import region_label
from zhuisu.codes.canonical import canonical_code, canonical_id
from zhuisu.config import Settings
from zhuisu.db.engine import node_settings
from zhuisu.errors import InvalidInput, NotFound
from zhuisu.events.stored import StoredEvent
from zhuisu.kit.time import utc_now
from zhuisu.models import Equipment, Party
from zhuisu.parties import service as parties_service
from zhuisu.sectors.equipment import permissions, repository
from zhuisu.sectors.equipment.lifecycle import (
    CODE_URL,
    CONDITIONS,
    INSTALLING,
    REGISTERING,
    Intervals,
    State,
    Step,
    beijing_day,
    condition,
    fold,
    keys_of,
    step_of,
)
from zhuisu.sectors.equipment.schemas import EquipmentPage, EquipmentRead, PublicEquipment, UnitRef

#: Conditions a list may be filtered by.
FILTERS = ("", *CONDITIONS)


def intervals(settings: Settings | None) -> Intervals:
    s = settings if settings is not None else Settings.model_construct()
    return Intervals(dict(s.equipment_inspection_months), dict(s.equipment_maintenance_days))


def today() -> date:
    return beijing_day(utc_now())


def record_events(session: Session, stored: Sequence[StoredEvent]) -> None:
    """Receiver of ``events_recorded``: the register rows of the equipment the new lifecycle events name, worked
    out again. Costs nothing for a batch without lifecycle events (no query)."""
    named: set[str] = set()
    starting: set[str] = set()
    for s in stored:
        step = step_of(s.pk, s.recorder_id, s.event, {})
        if step is None:
            continue
        codes = [canonical_id(e) for e in s.event.get("epcList") or () if isinstance(e, str)]
        named.update(codes)
        if step.step in (INSTALLING, REGISTERING):
            starting.update(codes)
    if not named:
        return
    known = set(repository.registered(session, sorted(named)))
    wanted = sorted(starting | (named & known))
    if wanted:
        derive(session, wanted, intervals(node_settings(session)))


def rebuild(session: Session, settings: Settings | None = None) -> int:
    """Every register row worked out again from the events; returns how many pieces of equipment it holds."""
    session.execute(delete(Equipment))
    codes = repository.all_codes(session)
    derive(session, codes, intervals(settings or node_settings(session)))
    return len(codes)


def lifecycle_steps(session: Session, codes: Sequence[str]) -> dict[str, list[Step]]:
    """The stored lifecycle steps of ``codes``, each code's in time order."""
    steps: dict[str, list[Step]] = defaultdict(list)
    bound_by_context: dict[int, dict[str, str]] = {}
    for pk, code, recorder, body, context in repository.lifecycle_events(session, codes):
        key = id(context)
        if key not in bound_by_context:
            bound_by_context[key] = prefixes(context) if context is not None else {}
        step = step_of(pk, recorder, body, bound_by_context[key])
        if step is not None:
            steps[code].append(step)
    return steps


def derive(session: Session, codes: Sequence[str], spans: Intervals) -> dict[str, State]:
    """The states of ``codes`` from their lifecycle events, written to the register (rows replaced)."""
    steps = lifecycle_steps(session, codes)
    states = {code: state for code in codes if (state := fold(code, steps.get(code, ()), spans)) is not None}
    states = _product_classes(session, states)
    units = _units(session, states.values())
    wanted = sorted(set(codes))
    for start in range(0, len(wanted), repository.CHUNK):
        session.execute(delete(Equipment).where(Equipment.code.in_(wanted[start : start + repository.CHUNK])))
    rows = [_row(state, units) for state in states.values()]
    if rows:
        session.execute(insert(Equipment), rows)
    return states


def _product_classes(session: Session, states: dict[str, State]) -> dict[str, State]:
    """Equipment named by a GTIN serial (a GS1 Digital Link ``/01/…/21/…``) whose events did not tell its class:
    the class of its registered product, when that is special equipment's."""
    untold = {code: gtin for code, s in states.items() if s.class_id == "special_equipment" and (gtin := _gtin(code))}
    if not untold:
        return states
    found = repository.product_classes(session, sorted(set(untold.values())))
    out = dict(states)
    for code, gtin in untold.items():
        class_id = found.get(gtin)
        if class_id is not None and class_id.startswith("special_equipment."):
            out[code] = replace(states[code], class_id=class_id)
    return out


def _gtin(code: str) -> str | None:
    prefix = "https://id.gs1.org/01/"
    return code[len(prefix) : len(prefix) + 14] if code.startswith(prefix) else None


def _units(session: Session, states: Any) -> dict[str, Party | None]:
    """The parties the master data names (user and maintenance units), by what it names them with."""
    names = {
        str(s.master[k]) for s in states for k in ("userUnit", "maintenanceUnit") if isinstance(s.master.get(k), str)
    }
    found = {name: parties_service.find_party_by_identifier(session, name) for name in sorted(names)}
    for s in states:
        if s.installed_by_id and s.installed_by_id not in found:
            found[s.installed_by_id] = session.get(Party, s.installed_by_id)
    return found


def _row(state: State, units: dict[str, Party | None]) -> dict[str, Any]:
    master = state.master
    user = units.get(str(master.get("userUnit"))) if master.get("userUnit") else None
    keeper = units.get(str(master.get("maintenanceUnit"))) if master.get("maintenanceUnit") else None
    region = master.get("region")
    if not (isinstance(region, str) and len(region) == 6 and region.isdigit()):
        installer = units.get(state.installed_by_id) if state.installed_by_id else None
        region = user.region if user is not None else installer.region if installer is not None else None
    row = asdict(state)
    row["region"] = region
    row["registration_certificate"] = (
        str(master["registrationCertificate"])[:64] if master.get("registrationCertificate") else None
    )
    row["user_unit_id"] = user.id if user is not None else None
    row["maintenance_unit_id"] = keeper.id if keeper is not None else None
    row["updated_at"] = utc_now()
    return row


def classes_of(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """Code → class of the registered equipment among ``codes``."""
    return {code: row.class_id for code, row in repository.registered(session, codes).items()}


def find(session: Session, text: str) -> Equipment | None:
    """The register row of a scanned or typed code (bare 特种设备代码, its URL, a GIAI/GRAI), or None."""
    text = text.strip()
    if not text:
        return None
    keys = keys_of(text, canonical_code(text))
    found = repository.registered(session, keys)
    return next((found[k] for k in keys if k in found), None)


def list_equipment(
    session: Session,
    reader: Party | None,
    settings: Settings,
    *,
    region: str = "",
    class_id: str = "",
    condition_key: str = "",
    on: date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> EquipmentPage:
    """The equipment ``reader`` may see (``permissions.lane``), in ``region`` (a GB/T 2260 prefix) and ``class_id``
    (and the classes under it), each with its condition on ``on`` (today, Beijing); ``condition_key`` keeps those
    in one condition; ``limit``/``offset`` a page of them (by region, class, code). ``total`` counts them all, and
    ``counts`` every condition before the condition filter — both in SQL, so a province's register is not read
    whole to count it."""
    if condition_key not in FILTERS:
        raise InvalidInput(
            f"condition 应为 {'、'.join(FILTERS[1:])} 之一",
            message_en=f"condition must be one of {', '.join(FILTERS[1:])}",
        )
    day = on or today()
    where: list[ColumnElement[bool]] = []
    if region.strip():
        where.append(Equipment.region.startswith(region.strip(), autoescape=True))
    if class_id.strip():
        where.append(Equipment.class_id.startswith(class_id.strip(), autoescape=True))
    lane = permissions.lane(reader, settings)
    condition_sql = repository.condition_of(day, settings.equipment_warning_days)
    counts: dict[str, int] = dict.fromkeys(CONDITIONS, 0)
    counts.update(repository.condition_counts(session, condition_sql, lane, *where))
    if condition_key:
        where.append(condition_sql == condition_key)
    statement = repository.in_lane(lane, *where).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    items = _reads(session, list(session.scalars(statement)), day, settings)
    return EquipmentPage(
        today=day,
        region=region.strip(),
        class_id=class_id.strip(),
        condition=condition_key,
        total=counts[condition_key] if condition_key else sum(counts.values()),
        counts=counts,
        items=items,
    )


def get_equipment(
    session: Session, reader: Party | None, settings: Settings, code: str, *, on: date | None = None
) -> EquipmentRead:
    """One piece of equipment in ``reader``'s lane; NotFound outside it (as if it did not exist)."""
    row = find(session, code)
    if row is not None:
        visible = session.scalars(
            repository.in_lane(permissions.lane(reader, settings), Equipment.code == row.code)
        ).first()
        if visible is not None:
            return _reads(session, [visible], on or today(), settings)[0]
    raise NotFound(f"没有找到特种设备 {code}", message_en=f"no special equipment {code} here")


def public_view(session: Session, code: str, settings: Settings, *, on: date | None = None) -> PublicEquipment | None:
    """What a scan of ``code`` shows anybody, or None when it is not registered equipment here."""
    row = find(session, code)
    if row is None:
        return None
    read = _reads(session, [row], on or today(), settings)[0]
    return PublicEquipment(
        code=read.code,
        label=read.label,
        class_id=read.class_id,
        class_name=read.class_name,
        class_name_en=read.class_name_en,
        condition=read.condition,
        condition_name=read.condition_name,
        condition_name_en=read.condition_name_en,
        equipment_type=read.equipment_type,
        address=read.address,
        registration_certificate=read.registration_certificate,
        registered_at=read.registered_at,
        user_unit=read.user_unit.name if read.user_unit else None,
        maintenance_unit=read.maintenance_unit.name if read.maintenance_unit else None,
        last_inspection_at=read.last_inspection_at,
        last_inspection_result=read.last_inspection_result,
        next_inspection_due=read.next_inspection_due,
        last_maintenance_at=read.last_maintenance_at,
        next_maintenance_due=read.next_maintenance_due,
        last_filled_at=read.last_filled_at,
        status_since=read.status_since,
        today=on or today(),
    )


def _reads(session: Session, rows: Sequence[Equipment], day: date, settings: Settings) -> list[EquipmentRead]:
    ids = {
        i
        for r in rows
        for i in (r.user_unit_id, r.maintenance_unit_id, r.last_inspection_by_id, r.last_maintenance_by_id)
        if i is not None
    }
    names = repository.party_names(session, ids)
    classes = catalog_service.catalog_on(session).classes
    warn = settings.equipment_warning_days
    out: list[EquipmentRead] = []
    for r in rows:
        found = condition(r.status, r.next_inspection_due, r.next_maintenance_due, r.last_inspection_result, day, warn)
        cls = classes.get(r.class_id)
        master = r.master or {}
        zh, en = CONDITIONS[found.key]
        out.append(
            EquipmentRead(
                code=r.code,
                label=r.code.removeprefix(CODE_URL),
                class_id=r.class_id,
                class_name=cls.name if cls else r.class_id,
                class_name_en=cls.name_en if cls else r.class_id,
                status=r.status,
                condition=found.key,
                condition_name=zh,
                condition_name_en=en,
                inspection_overdue=found.inspection_overdue,
                maintenance_overdue=found.maintenance_overdue,
                inspection_failed=found.inspection_failed,
                equipment_type=_text(master.get("type")),
                model=_text(master.get("model")),
                manufacturer=_text(master.get("manufacturer")),
                address=_text(master.get("address")),
                region=r.region,
                region_name=region_label(r.region) if r.region else "",
                registration_certificate=r.registration_certificate,
                design_life_years=_int(master.get("designLifeYears")),
                user_unit=_unit(r.user_unit_id, names, master.get("userUnit")),
                maintenance_unit=_unit(r.maintenance_unit_id, names, master.get("maintenanceUnit")),
                installed_at=r.installed_at,
                registered_at=r.registered_at,
                status_since=r.status_since,
                last_inspection_at=r.last_inspection_at,
                last_inspection_result=r.last_inspection_result,
                last_inspection_by=_unit(r.last_inspection_by_id, names, None),
                last_inspection_report=r.last_inspection_report,
                next_inspection_due=r.next_inspection_due,
                last_maintenance_at=r.last_maintenance_at,
                last_maintenance_by=_unit(r.last_maintenance_by_id, names, None),
                next_maintenance_due=r.next_maintenance_due,
                last_filled_at=r.last_filled_at,
                fills=r.fills,
                events=r.events,
            )
        )
    return out


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _unit(party_id: str | None, names: dict[str, str], named_as: Any) -> UnitRef | None:
    if party_id is not None:
        return UnitRef(id=party_id, name=names.get(party_id, party_id))
    if isinstance(named_as, str) and named_as:
        return UnitRef(id=None, name=named_as)
    return None


@dataclass(frozen=True)
class Overdue:
    """A piece of live equipment past a date on ``day``: ``inspection`` (its periodic inspection), ``maintenance``
    (its maintenance visit) or ``failed`` (its last inspection failed; ``due`` is that inspection's day)."""

    equipment: Equipment
    kind: str
    due: date


def overdue(session: Session, day: date) -> list[Overdue]:
    """Every piece of live equipment overdue on ``day`` (Beijing), by code, then kind."""
    live = Equipment.status.in_(("in_service", "installed"))
    rows = session.scalars(
        select(Equipment)
        .where(
            live,
            or_(
                Equipment.next_inspection_due < day,
                Equipment.next_maintenance_due < day,
                Equipment.last_inspection_result == "fail",
            ),
        )
        .order_by(Equipment.code)
    )
    found: list[Overdue] = []
    for row in rows:
        if row.next_inspection_due is not None and row.next_inspection_due < day:
            found.append(Overdue(row, "inspection", row.next_inspection_due))
        if row.next_maintenance_due is not None and row.next_maintenance_due < day:
            found.append(Overdue(row, "maintenance", row.next_maintenance_due))
        if row.last_inspection_result == "fail" and row.last_inspection_at is not None:
            found.append(Overdue(row, "failed", beijing_day(row.last_inspection_at)))
    return found
