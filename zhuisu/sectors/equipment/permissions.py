"""Who may read the special equipment register, and what of it.

- **The register** (``GET /api/v1/equipment``, ``.xlsx``, ``/api/v1/equipment/{code}``, the desk page): the admin every
  piece of equipment; a regulator the equipment in its jurisdiction (the equipment's registered region, a GB/T
  2260 prefix) under a class of its mandate; an inspection body what it inspected last; any other party the
  equipment it is the user unit (使用单位) or maintenance unit (维保单位) of, or last filled. Outside the lane a
  piece of equipment does not exist for the reader (404). In SQL: ``lane``.
- **The public scan page** (``GET /e/{code}``, ``GET /api/v1/portal/equipment/{code}``): anybody, the consumer
  view only (``schemas.PublicEquipment``: status, registration, last inspection and next due, maintenance unit and
  its last visit, no events, no people).
- **Recording** the lifecycle is capture's (``POST /capture``), under the catalog's rules and interlocks
  (``sectors.equipment.interlocks``): an inspection or de-functioning by an inspection body only.
"""

from sqlalchemy import ColumnElement, and_, false, or_, true

from zhuisu.auth.roles import in_class, is_admin, is_regulator
from zhuisu.config import Settings
from zhuisu.models import Equipment, Party


def lane(reader: Party | None, settings: Settings) -> ColumnElement[bool]:
    """The equipment ``reader`` may read, as a condition on ``sector_equipment`` (None: the local operator at the
    command line, every piece)."""
    if reader is None or is_admin(reader):
        return true()
    if is_regulator(reader, settings):
        found: list[ColumnElement[bool]] = []
        if reader.jurisdiction:
            found.append(Equipment.region.startswith(reader.jurisdiction, autoescape=True))
        if reader.mandate is not None:
            found.append(or_(false(), *(in_class(Equipment.class_id, c) for c in reader.mandate)))
        return and_(true(), *found)
    if reader.actor == "inspector":
        return Equipment.last_inspection_by_id == reader.id
    return or_(
        Equipment.user_unit_id == reader.id,
        Equipment.maintenance_unit_id == reader.id,
        Equipment.last_filled_by_id == reader.id,
    )
