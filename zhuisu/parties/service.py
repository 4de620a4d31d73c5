"""Parties and their API tokens: create, issue, revoke (``zhuisu.auth`` resolves a token to its party).

Tokens are random 32-byte secrets shown once; only their SHA-256 digest is stored, so a stolen database does not
yield working tokens.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from stdnum import ean
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

from zhuisu.auth import service as auth_service
from zhuisu.catalog import service as catalog_service
from zhuisu.codes import epc_urn
from zhuisu.errors import AlreadyExists, InvalidInput, NotFound
from zhuisu.kit.time import utc_now
from zhuisu.models import ApiToken, AuditEntry, Party
from zhuisu.parties import permissions, vocabulary
from zhuisu.parties.errors import InvalidUscc

TOKEN_PREFIX = "zs_"


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued token: ``secret`` is the only copy of the bearer token and is never stored."""

    token: ApiToken
    secret: str


def create_party(
    session: Session,
    *,
    name: str,
    uscc: str | None = None,
    gln: str | None = None,
    region: str | None = None,
    actor: Party | None = None,
    party_type: str | None = None,
    roles: Sequence[str] = (),
    product_class: str | None = None,
    address: str | None = None,
) -> Party:
    """Register a party; a 统一社会信用代码 is validated (check character included) and stored compact.

    Raises InvalidUscc for a malformed code, InvalidInput for a malformed GLN or region code, an unknown party
    type or role, UnknownClass for a product class the catalog in effect does not know, AlreadyExists for a code or
    GLN another party has; AdminOnly unless ``actor`` is the admin (None: the local operator).
    """
    permissions.check_register(actor)
    check_profile(session, party_type=party_type, roles=roles, product_class=product_class)
    code = None
    if uscc:
        try:
            code = stdnum_uscc.validate(uscc)
        except ValidationError as exc:
            raise InvalidUscc(
                f"统一社会信用代码 {uscc!r} 无效：{exc}",
                message_en=f"invalid unified social credit code {uscc!r}: {exc}",
            ) from exc
    if gln is not None and not (len(gln) == 13 and ean.is_valid(gln)):
        raise InvalidInput(
            f"GLN {gln!r} 无效：应为 13 位数字且校验位正确",
            message_en=f"invalid GLN {gln!r}: 13 digits with a valid check digit",
        )
    if region is not None and not (len(region) == 6 and region.isdigit()):
        raise InvalidInput(
            f"行政区划代码 {region!r} 无效：应为 6 位数字（GB/T 2260）",
            message_en=f"invalid region code {region!r}: 6 digits (GB/T 2260)",
        )
    if code is not None and session.scalar(select(Party.id).where(Party.uscc == code)) is not None:
        raise AlreadyExists(
            f"统一社会信用代码 {code} 已登记", message_en=f"unified social credit code {code} is registered"
        )
    if gln is not None and session.scalar(select(Party.id).where(Party.gln == gln)) is not None:
        raise AlreadyExists(f"GLN {gln} 已登记为其他主体", message_en=f"GLN {gln} is registered to another party")
    party = Party(
        name=name,
        uscc=code,
        gln=gln,
        region=region,
        party_type=party_type,
        roles=list(roles) or None,
        product_class=product_class,
        address=address,
    )
    try:
        with session.begin_nested():  # a concurrent registration of the same code wins the unique index: 409
            session.add(party)
            session.flush()
    except IntegrityError:
        names = [f"统一社会信用代码 {code}" if code else "", f"GLN {gln}" if gln else ""]
        names_en = [f"unified social credit code {code}" if code else "", f"GLN {gln}" if gln else ""]
        raise AlreadyExists(
            f"{' 或 '.join(n for n in names if n)} 已由同时提交的登记占用",
            message_en=f"{' or '.join(n for n in names_en if n)} was registered by a registration made meanwhile",
        ) from None
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            action="party_created",
            subject=party.id,
            payload={
                "name": name,
                "uscc": code,
                "gln": gln,
                "region": region,
                "party_type": party_type,
                "roles": list(roles),
                "product_class": product_class,
            },
        )
    )
    return party


def check_profile(session: Session, *, party_type: str | None, roles: Sequence[str], product_class: str | None) -> None:
    """Check a party's type, roles and catalog class against the vocabularies and the catalog in effect."""
    if party_type is not None and party_type not in vocabulary.PARTY_TYPES:
        raise InvalidInput(
            f"主体类型 {party_type!r} 无效，应为 {'、'.join(vocabulary.PARTY_TYPES)} 之一",
            message_en=f"invalid party type {party_type!r}: one of {', '.join(vocabulary.PARTY_TYPES)}",
        )
    unknown = [r for r in roles if r not in vocabulary.ROLES]
    if unknown:
        raise InvalidInput(
            f"角色 {'、'.join(unknown)} 无效，应为 {'、'.join(vocabulary.ROLES)} 之一",
            message_en=f"invalid roles {', '.join(unknown)}: each one of {', '.join(vocabulary.ROLES)}",
        )
    if product_class is not None:
        catalog_service.check_class(session, product_class)


def find_party_by_identifier(session: Session, value: str) -> Party | None:
    """The party an identifier names: its id, 统一社会信用代码, GLN, or PGLN Digital Link (…/417/{gln}) /
    ``urn:epc:id:pgln:`` URN as events carry it."""
    value = value.strip()
    if "/417/" in value:
        value = value.rsplit("/417/", 1)[1].split("/")[0].split("?")[0]
    elif value.startswith("urn:epc:id:pgln:"):
        try:
            value = epc_urn.parse(value).key
        except epc_urn.InvalidEpcUrn:
            return None
    return session.scalar(select(Party).where(or_(Party.id == value, Party.uscc == value, Party.gln == value)))


def get_party(session: Session, party_id: str) -> Party:
    party = session.get(Party, party_id)
    if party is None:
        party = session.scalar(select(Party).where(Party.uscc == party_id))
    if party is None:
        raise NotFound(f"没有编号为 {party_id} 的主体", message_en=f"no party {party_id}")
    return party


def find_party_by_name(session: Session, name: str) -> Party | None:
    return session.scalar(select(Party).where(Party.name == name).order_by(Party.created_at).limit(1))


def node_party(session: Session, *, name: str) -> Party:
    """This node's own party (created on first use): the recorder of what the CLI imports."""
    return find_party_by_name(session, name) or create_party(session, name=name)


def list_parties(session: Session, *, reader: Party | None = None) -> list[Party]:
    """The parties ``reader`` may read (``permissions.readable``; None: the local operator, every party)."""
    return list(
        session.scalars(select(Party).where(*permissions.readable(reader)).order_by(Party.created_at, Party.id))
    )


def issue_token(
    session: Session,
    *,
    party: Party,
    label: str = "",
    secret: str | None = None,
    expires_at: datetime | None = None,
    scopes: Sequence[str] | None = None,
) -> IssuedToken:
    """Issue a bearer token to ``party``; ``secret`` may be given to provision a known token (demo, tests). It expires
    at ``expires_at`` (None: never) and serves ``scopes`` (``auth.service.SCOPES``; None: all). Raises InvalidInput
    for an unknown scope or an expiry in the past."""
    if scopes is not None and (unknown := sorted(set(scopes) - set(auth_service.SCOPES))):
        raise InvalidInput(
            f"未知的令牌权限 {'、'.join(unknown)}：应为 read、capture、admin",
            message_en=f"unknown token scopes {', '.join(unknown)}: read, capture or admin",
            parameter="scope",
        )
    if expires_at is not None and expires_at <= utc_now():
        raise InvalidInput("令牌的过期时间已过", message_en="the token's expiry is in the past", parameter="expires_at")
    secret = secret or TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        party_id=party.id,
        token_hash=auth_service.token_digest(secret),
        prefix=secret[:10],
        label=label,
        expires_at=expires_at,
        scopes=sorted(set(scopes)) if scopes is not None else None,
    )
    session.add(token)
    session.flush()
    payload = {"label": label, "expires_at": expires_at.isoformat() if expires_at else None, "scopes": token.scopes}
    session.add(AuditEntry(actor_id=party.id, action="token_issued", subject=token.id, payload=payload))
    return IssuedToken(token=token, secret=secret)


def revoke_token(session: Session, *, token_id: str) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"没有编号为 {token_id} 的令牌", message_en=f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utc_now()
        session.add(AuditEntry(actor_id=token.party_id, action="token_revoked", subject=token.id, payload={}))
    return token


def list_tokens(session: Session, *, party: Party) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.party_id == party.id).order_by(ApiToken.created_at)))


def grant(
    session: Session,
    party: Party,
    *,
    actor_role: str,
    jurisdiction: str | None = None,
    mandate: Sequence[str] | None = None,
    actor: Party | None = None,
) -> Party:
    """Set what ``party`` may do on this node (``vocabulary.ACTORS``) and, for a regulator, its jurisdiction (a GB/T
    2260 prefix of 2, 4 or 6 digits; None: national) and mandate (catalog class prefixes; None: every class).

    Only the admin (or the local operator, ``actor=None``) grants, and nobody grants to themselves: AdminOnly
    otherwise. Raises InvalidInput for an unknown role, a malformed jurisdiction, or a jurisdiction or mandate given
    to anyone but a regulator. Writes an audit entry.
    """
    permissions.check_register(actor)
    if actor is not None and actor.id == party.id:
        raise permissions.ReservedProfile("不能更改自己的角色", message_en="nobody changes their own role")
    if actor_role not in vocabulary.ACTORS:
        raise InvalidInput(
            f"角色 {actor_role!r} 无效：应为 {'、'.join(vocabulary.ACTORS)} 之一",
            message_en=f"unknown role {actor_role!r}: one of {', '.join(vocabulary.ACTORS)}",
            parameter="role",
        )
    if actor_role != "regulator" and (jurisdiction is not None or mandate is not None):
        raise InvalidInput(
            "只有监管部门有辖区和职责范围", message_en="only a regulator has a jurisdiction and a mandate"
        )
    if jurisdiction is not None and not (len(jurisdiction) in (2, 4, 6) and jurisdiction.isdigit()):
        raise InvalidInput(
            f"辖区 {jurisdiction!r} 无效：应为 2、4 或 6 位行政区划代码前缀",
            message_en=f"invalid jurisdiction {jurisdiction!r}: a GB/T 2260 prefix of 2, 4 or 6 digits",
            parameter="jurisdiction",
        )
    for class_id in mandate or ():
        catalog_service.check_class(session, class_id)
    before = {"actor": party.actor, "jurisdiction": party.jurisdiction, "mandate": party.mandate}
    party.actor, party.jurisdiction = actor_role, jurisdiction
    party.mandate = list(mandate) if mandate is not None else None
    after = {"actor": party.actor, "jurisdiction": party.jurisdiction, "mandate": party.mandate}
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            action="role_granted",
            subject=party.id,
            payload={"before": before, "after": after},
        )
    )
    session.flush()
    return party
