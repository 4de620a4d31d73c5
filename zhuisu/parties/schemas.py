"""Pydantic I/O of the master-data endpoints: parties' profiles, licences, locations, products, imports."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PartyProfileUpdate(Schema):
    party_type: str | None = Field(
        default=None, description="enterprise, individual, institution, government, platform."
    )
    roles: list[str] | None = Field(default=None, description="Roles in the chain (producer, market, pharmacy …).")
    product_class: str | None = Field(default=None, description="Catalog class the party is registered under.")
    address: str | None = None
    region: str | None = Field(default=None, description="GB/T 2260 code (6 digits).")


class PartyCreate(PartyProfileUpdate):
    name: str
    uscc: str | None = Field(default=None, description="统一社会信用代码 (validated).")
    gln: str | None = None


class PartyRead(Schema):
    id: str
    name: str
    uscc: str | None
    gln: str | None
    region: str | None
    party_type: str | None
    roles: list[str] | None
    product_class: str | None
    address: str | None
    actor: str = Field(
        description="What the party may do on this node: enterprise, platform, regulator, inspector, node, admin."
    )
    jurisdiction: str | None = Field(description="A regulator's GB/T 2260 prefix; null: national.")
    mandate: list[str] | None = Field(description="A regulator's catalog classes; null: every class.")


class LicenceCreate(Schema):
    licence_type: str = Field(description="A licence type code, e.g. sc_food_production, drug_distribution.")
    number: str
    valid_from: date
    valid_to: date | None = None
    issuer: str = ""
    scope: str = ""


class LicenceRead(LicenceCreate):
    id: str
    party_id: str
    classes: list[str] | None = Field(default=None, description="Its scope as catalog classes (null: not stated).")
    confirmed_by_id: str | None = Field(default=None, description="The issuing authority that confirmed it.")
    confirmed_at: datetime | None = Field(default=None, description="When; null: claimed, not confirmed.")


class LocationCreate(Schema):
    name: str
    gln: str | None = None
    code: str | None = Field(default=None, description="A zhuisu code (ZS…) when the site has no GLN.")
    address: str = ""
    region: str | None = None


class LocationRead(LocationCreate):
    id: str
    party_id: str


class ProductCreate(Schema):
    name: str
    class_id: str = Field(description="Catalog class, e.g. food.infant_formula.")
    producer: str | None = Field(default=None, description="Producer party id or 统一社会信用代码.")
    gtin: str | None = None
    code_scheme: str | None = None
    code: str | None = None
    spec: str = ""


class ProductRead(Schema):
    id: str
    name: str
    class_id: str
    producer_id: str | None
    gtin: str | None
    code_scheme: str | None
    code: str | None
    spec: str


class ImportReport(Schema):
    kind: str
    created: int


class DelegationCreate(Schema):
    enterprise: str = Field(description="The delegating enterprise: party id, 统一社会信用代码 or GLN.")
    platform: str = Field(description="The platform that records for it: party id, 统一社会信用代码 or GLN.")
    classes: list[str] | None = Field(default=None, description="Catalog classes (prefixes); null: every class.")
    valid_from: datetime | None = Field(default=None, description="From (RFC 3339); null: now.")
    valid_until: datetime | None = Field(default=None, description="Until (RFC 3339); null: until revoked.")


class DelegationRead(Schema):
    id: str
    enterprise_id: str
    platform_id: str
    classes: list[str] | None
    valid_from: datetime
    valid_until: datetime | None
    revoked_at: datetime | None
    created_at: datetime
