"""Parties (enterprises, platforms, regulators), the API tokens they authenticate with, and the delegations by which
an enterprise lets a platform record for it."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zhuisu.db.base import Base
from zhuisu.db.types import JsonDocument, UTCDateTime
from zhuisu.models.base import IdMixin, TimestampMixin


class Party(IdMixin, TimestampMixin, Base):
    __tablename__ = "parties"

    name: Mapped[str] = mapped_column(String(200))
    #: 统一社会信用代码 (unified social credit code), validated on entry; optional for foreign parties.
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    #: GS1 Global Location Number of the party (its PGLN), as events name it: https://id.gs1.org/417/{gln}.
    gln: Mapped[str | None] = mapped_column(String(13), unique=True)
    #: GB/T 2260 administrative division code (6 digits) of the party's registered seat.
    region: Mapped[str | None] = mapped_column(String(6), index=True)
    #: enterprise, individual, institution, government or platform (``zhuisu.parties.vocabulary.PARTY_TYPES``).
    party_type: Mapped[str | None] = mapped_column(String(32))
    #: Roles in the chain (producer, market, hospital …; ``zhuisu.parties.vocabulary.ROLES``); None means none.
    roles: Mapped[list[str] | None] = mapped_column(JsonDocument)
    #: Catalog class the party is registered (备案) under, e.g. ``drug.preparation``: coverage counts it there.
    product_class: Mapped[str | None] = mapped_column(String(100), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    #: What the party may do on this node (``zhuisu.parties.vocabulary.ACTORS``): enterprise, platform, regulator,
    #: inspector, node or admin. Granted by an admin only; nobody changes their own.
    actor: Mapped[str] = mapped_column(String(16), default="enterprise", server_default="enterprise", index=True)
    #: A regulator's jurisdiction: a GB/T 2260 code prefix (``52`` a province, ``5224`` a city, ``522401`` a
    #: district). None: national.
    jurisdiction: Mapped[str | None] = mapped_column(String(6))
    #: A regulator's mandate: the catalog classes (prefixes, e.g. ``food``, ``drug.preparation``) it supervises.
    #: None: every class.
    mandate: Mapped[list[str] | None] = mapped_column(JsonDocument)

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="party", lazy="raise")


class ApiToken(IdMixin, TimestampMixin, Base):
    """A bearer token issued to a party. Only its SHA-256 digest is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the token, to tell tokens apart in listings without revealing them.
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: After this instant the token is refused (None: it does not expire).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: What the token may be used for: ``read`` (GET), ``capture`` (every other write), ``admin`` (the admin's
    #: operations); None: all three (tokens issued before scopes existed).
    scopes: Mapped[list[str] | None] = mapped_column(JsonDocument)

    party: Mapped[Party] = relationship(back_populates="tokens", lazy="raise")


class Delegation(IdMixin, TimestampMixin, Base):
    """An enterprise lets a platform (第三方平台) record events on its behalf: events the platform captures for it are
    the enterprise's (``recorder_id``) with the platform as recording agent (``CaptureJob.agent_id``). Made and
    revoked by the node's admin; never updated otherwise."""

    __tablename__ = "delegations"

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    platform_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The catalog classes (prefixes) the platform may record for; None: every class.
    classes: Mapped[list[str] | None] = mapped_column(JsonDocument)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    #: None: until revoked.
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    granted_by_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
