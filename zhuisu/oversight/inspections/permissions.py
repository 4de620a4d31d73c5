"""Who records inspections and certificates, who confirms licences, and whose reports each caller sees.

- An inspection report or a certificate: an inspection body (``inspector``, of anyone's products), a regulator
  supervising the product's producer (jurisdiction ∩ mandate: ``auth.roles``; a product nobody registered here
  has no producer to be outside of), or the admin; anyone else 403 ``not_an_inspector``, a regulator outside its
  lane 403 ``not_supervised``.
- A licence's confirmation: the issuing authority, a regulator supervising the party (its jurisdiction covers the
  party's region, its mandate the party's class and every class confirmed), or the admin; else 403
  ``not_issuing_authority``.
- Reading (``GET /inspections``, ``/certificates``, one report): the admin all; an inspection body what it
  recorded; a regulator what it recorded and what concerns the parties it supervises; an enterprise what concerns
  its own products and what it recorded. Outside the lane a report is 404 (in SQL: ``readable``).
"""

from sqlalchemy import ColumnElement, or_, select, true

from zhuisu.auth.roles import covers, is_admin, supervised, supervises
from zhuisu.errors import PermissionDenied
from zhuisu.models import Certificate, Inspection, Party


class NotAnInspector(PermissionDenied):
    code = "not_an_inspector"


class NotSupervised(PermissionDenied):
    code = "not_supervised"


class NotIssuingAuthority(PermissionDenied):
    code = "not_issuing_authority"


def check_record(actor: Party, producer: Party | None, class_id: str | None) -> None:
    """Raises NotAnInspector or NotSupervised unless ``actor`` may record a report or certificate of a product of
    ``producer`` (None: not registered here) in ``class_id``."""
    if is_admin(actor) or actor.actor == "inspector":
        return
    if actor.actor != "regulator":
        raise NotAnInspector(
            "仅检验检测机构、监管部门或节点管理员可以登记检验报告和证书",
            message_en="only an inspection body, a regulator or the admin may record inspection reports and "
            "certificates",
        )
    if producer is not None and not supervises(actor, producer.region, class_id or producer.product_class):
        raise NotSupervised(
            f"该产品的生产者 {producer.name} 不在本部门的辖区或职责范围内",
            message_en=f"the product's producer {producer.name} is outside this regulator's jurisdiction or mandate",
        )


def check_confirm(actor: Party, party: Party, classes: list[str] | None) -> None:
    """Raises NotIssuingAuthority unless ``actor`` may confirm a licence of ``party`` covering ``classes``."""
    if is_admin(actor):
        return
    if supervises(actor, party.region, party.product_class):
        if all(covers(actor.mandate, c) for c in classes or ()):
            return
    raise NotIssuingAuthority(
        "仅监管该主体的发证机关（监管部门）可以确认其许可证",
        message_en="only an issuing authority supervising the party (a regulator) may confirm its licences",
    )


def readable(reader: Party, table: type[Inspection] | type[Certificate]) -> ColumnElement[bool]:
    """The condition on ``table`` of what ``reader`` sees (see the module docstring)."""
    if is_admin(reader):
        return true()
    mine = table.recorded_by_id == reader.id
    if reader.actor == "inspector":
        return mine
    if reader.actor == "regulator":
        parties = select(Party.id).where(*supervised(reader.jurisdiction, reader.mandate))
        return or_(mine, table.producer_id.in_(parties))
    return or_(mine, table.producer_id == reader.id)
