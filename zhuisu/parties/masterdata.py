"""Master data beside the parties: profiles (type, roles, class), licences, locations and products.

Every change is validated (统一社会信用代码, GLN and GTIN check digits, GB/T 2260 region, licence numbers where
a scheme exists, catalog classes against the catalog in effect) and audited in the caller's transaction.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from stdnum import ean

from zhuisu.auth.roles import is_admin
from zhuisu.catalog import service as catalog_service
from zhuisu.codes import registry
from zhuisu.codes.errors import InvalidCode
from zhuisu.errors import AlreadyExists, InvalidInput, NotFound
from zhuisu.models import AuditEntry, Event, EventEpc, Licence, Location, Party, Product
from zhuisu.parties import permissions, signals, vocabulary
from zhuisu.parties import service as parties_service


def _audit(session: Session, actor: Party | None, action: str, subject: str, payload: dict[str, Any]) -> None:
    session.add(AuditEntry(actor_id=actor.id if actor else None, action=action, subject=subject, payload=payload))


def check_gln(gln: str | None) -> str | None:
    if gln is not None and not (len(gln) == 13 and gln.isdigit() and ean.is_valid(gln)):
        raise InvalidInput(
            f"GLN {gln!r} 无效：应为 13 位数字且校验位正确",
            message_en=f"invalid GLN {gln!r}: 13 digits with a valid check digit",
        )
    return gln


def check_region(region: str | None) -> str | None:
    if region is not None and not (len(region) == 6 and region.isdigit()):
        raise InvalidInput(
            f"行政区划代码 {region!r} 无效：应为 6 位数字（GB/T 2260）",
            message_en=f"invalid region code {region!r}: 6 digits (GB/T 2260)",
        )
    return region


def check_gtin(gtin: str | None) -> str | None:
    """The GTIN as GTIN-14 (left-padded), or None. Raises InvalidInput."""
    if gtin is None:
        return None
    if not (gtin.isdigit() and len(gtin) in (8, 12, 13, 14) and ean.is_valid(gtin)):
        raise InvalidInput(
            f"GTIN {gtin!r} 无效：应为 8/12/13/14 位数字且校验位正确",
            message_en=f"invalid GTIN {gtin!r}: 8, 12, 13 or 14 digits with a valid check digit",
        )
    return gtin.zfill(14)


def update_profile(
    session: Session,
    party: Party,
    *,
    actor: Party | None = None,
    party_type: str | None = None,
    roles: Sequence[str] | None = None,
    product_class: str | None = None,
    address: str | None = None,
    region: str | None = None,
) -> Party:
    """Set the given profile fields of a party (None leaves a field as it is). Raises NotYourParty unless ``actor``
    is the party or the admin, ReservedProfile for a government type or an authority's role set by anyone else."""
    permissions.check_manage(actor, party)
    permissions.check_profile(actor, party_type=party_type, roles=roles)
    parties_service.check_profile(session, party_type=party_type, roles=roles or (), product_class=product_class)
    changes = {
        "party_type": party_type,
        "roles": list(roles) if roles is not None else None,
        "product_class": product_class,
        "address": address,
        "region": check_region(region),
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    for key, value in changes.items():
        setattr(party, key, value)
    _audit(session, actor, "party_updated", party.id, changes)
    return party


def add_licence(
    session: Session,
    party: Party,
    *,
    licence_type: str,
    number: str,
    valid_from: date,
    valid_to: date | None = None,
    issuer: str = "",
    scope: str = "",
    actor: Party | None = None,
) -> Licence:
    """Record a licence of ``party``. Raises InvalidInput (type, number, dates) or AlreadyExists (already recorded);
    NotYourParty unless ``actor`` is the party or the admin."""
    permissions.check_manage(actor, party)
    if licence_type not in vocabulary.LICENCE_TYPES:
        raise InvalidInput(
            f"许可证类型 {licence_type!r} 无效",
            message_en=f"invalid licence type {licence_type!r}",
            allowed=sorted(vocabulary.LICENCE_TYPES),
        )
    number = number.strip()
    scheme = vocabulary.LICENCE_TYPES[licence_type][2]
    if scheme is not None:
        try:
            number = registry.validate(scheme, number)
        except InvalidCode as exc:
            raise InvalidInput(
                f"许可证号 {number!r} 无效：{exc}", message_en=f"invalid licence number {number!r}: {exc}"
            ) from exc
    if not number:
        raise InvalidInput("许可证号不能为空", message_en="the licence number is empty")
    if valid_to is not None and valid_to < valid_from:
        raise InvalidInput("有效期至早于有效期起", message_en="valid_to is before valid_from")
    if session.scalar(select(Licence.id).where(Licence.licence_type == licence_type, Licence.number == number)):
        raise AlreadyExists(f"许可证 {number} 已登记", message_en=f"licence {number} is already recorded")
    licence = Licence(
        party_id=party.id,
        licence_type=licence_type,
        number=number,
        issuer=issuer,
        valid_from=valid_from,
        valid_to=valid_to,
        scope=scope,
    )
    session.add(licence)
    session.flush()
    _audit(session, actor, "licence_added", licence.id, {"party": party.id, "type": licence_type, "number": number})
    return licence


def add_location(
    session: Session,
    party: Party,
    *,
    name: str,
    gln: str | None = None,
    code: str | None = None,
    address: str = "",
    region: str | None = None,
    actor: Party | None = None,
) -> Location:
    """Register a site of ``party``, named by a GLN and/or a zhuisu code. Raises InvalidInput or AlreadyExists;
    NotYourParty unless ``actor`` is the party or the admin."""
    permissions.check_manage(actor, party)
    check_gln(gln)
    check_region(region)
    if code is not None:
        try:
            code = registry.validate("zhuisu", code)
        except InvalidCode as exc:
            raise InvalidInput(
                f"位置编码 {code!r} 无效：{exc}", message_en=f"invalid location code {code!r}: {exc}"
            ) from exc
    if gln is None and code is None:
        raise InvalidInput("位置须有 GLN 或 zhuisu 编码", message_en="a location needs a GLN or a zhuisu code")
    if gln and session.scalar(select(Location.id).where(Location.gln == gln)):
        raise AlreadyExists(f"GLN {gln} 已登记为其他位置", message_en=f"GLN {gln} is already registered")
    if code and session.scalar(select(Location.id).where(Location.code == code)):
        raise AlreadyExists(
            f"位置编码 {code} 已登记为其他位置", message_en=f"location code {code} is already registered"
        )
    location = Location(party_id=party.id, name=name, gln=gln, code=code, address=address, region=region)
    session.add(location)
    session.flush()
    _audit(session, actor, "location_added", location.id, {"party": party.id, "gln": gln, "code": code})
    return location


def register_product(
    session: Session,
    *,
    name: str,
    class_id: str,
    producer: Party | None = None,
    gtin: str | None = None,
    code_scheme: str | None = None,
    code: str | None = None,
    spec: str = "",
    actor: Party | None = None,
) -> Product:
    """Register a product with its catalog class. Raises InvalidInput, UnknownClass or AlreadyExists. A caller other
    than the admin registers its own products: the producer is the caller (NotYourParty for another)."""
    if actor is not None and not is_admin(actor):
        if producer is None:
            producer = actor
        permissions.check_manage(actor, producer)
    catalog_service.check_class(session, class_id)
    gtin = check_gtin(gtin)
    if (code is None) != (code_scheme is None):
        raise InvalidInput("产品代码与代码体系须同时给出", message_en="give both the product code and its scheme")
    if code_scheme is not None and code_scheme not in registry.SCHEMES:
        raise InvalidInput(f"代码体系 {code_scheme!r} 无效", message_en=f"unknown code scheme {code_scheme!r}")
    if gtin is None and code is None:
        raise InvalidInput("产品须有 GTIN 或产品代码", message_en="a product needs a GTIN or a product code")
    if gtin and session.scalar(select(Product.id).where(Product.gtin == gtin)):
        raise AlreadyExists(f"GTIN {gtin} 已登记", message_en=f"GTIN {gtin} is already registered")
    if gtin and actor is not None and not is_admin(actor) and producer is not None:
        _check_gtin_is_theirs(session, gtin, producer)
    if code and session.scalar(select(Product.id).where(Product.code_scheme == code_scheme, Product.code == code)):
        raise AlreadyExists(f"产品代码 {code} 已登记", message_en=f"product code {code} is already registered")
    product = Product(
        producer_id=producer.id if producer else None,
        name=name,
        gtin=gtin,
        code_scheme=code_scheme,
        code=code,
        spec=spec,
        class_id=class_id,
    )
    session.add(product)
    session.flush()
    _audit(session, actor, "product_registered", product.id, {"gtin": gtin, "code": code, "class": class_id})
    if gtin:
        signals.product_registered.send(session, gtin)
    return product


def _check_gtin_is_theirs(session: Session, gtin: str, producer: Party) -> None:
    """An enterprise registers a GTIN others' records already name only if its own records name it too: the product
    register names the product and producer on every consumer page of the GTIN's codes, so another enterprise's
    unregistered GTIN is not its to claim (the admin registers for a producer that has recorded nothing yet).

    Reads the identifier rows by prefix (no index: registering a product is rare)."""
    key = f"https://id.gs1.org/01/{gtin}"
    named = or_(EventEpc.value == key, EventEpc.value.startswith(key + "/", autoescape=True))
    recorders = set(
        session.scalars(select(Event.recorder_id).join(EventEpc, EventEpc.event_pk == Event.id).where(named).distinct())
    )
    if recorders and producer.id not in recorders:
        raise permissions.NotYourParty(
            f"GTIN {gtin} 已出现在其他主体的追溯记录中，而本主体（{producer.name}）没有记录过它："
            "请由其生产者登记，或联系管理员",
            message_en=f"GTIN {gtin} is named by other enterprises' records and none of {producer.name}'s: "
            "its producer registers it, or the admin",
        )


def list_licences(session: Session, *, party: Party | None = None) -> list[Licence]:
    stmt = select(Licence).order_by(Licence.created_at, Licence.id)
    return list(session.scalars(stmt.where(Licence.party_id == party.id) if party else stmt))


def list_locations(session: Session, *, party: Party | None = None) -> list[Location]:
    stmt = select(Location).order_by(Location.created_at, Location.id)
    return list(session.scalars(stmt.where(Location.party_id == party.id) if party else stmt))


def list_products(session: Session, *, class_prefix: str | None = None, actor: Party | None = None) -> list[Product]:
    """The products ``actor`` may list (``permissions.readable_products``; None: the local operator, all)."""
    stmt = select(Product).where(*permissions.readable_products(actor)).order_by(Product.created_at, Product.id)
    if class_prefix:
        stmt = stmt.where((Product.class_id == class_prefix) | Product.class_id.startswith(class_prefix + "."))
    return list(session.scalars(stmt))


def get_product(session: Session, product_id: str) -> Product:
    product = session.get(Product, product_id) or session.scalar(select(Product).where(Product.gtin == product_id))
    if product is None:
        raise NotFound(f"没有产品 {product_id}", message_en=f"no product {product_id}")
    return product


def licences_valid_on(session: Session, party: Party, on: date) -> list[Licence]:
    """The party's licences valid on ``on``."""
    return [
        lic
        for lic in list_licences(session, party=party)
        if lic.valid_from <= on and (lic.valid_to is None or lic.valid_to >= on)
    ]
