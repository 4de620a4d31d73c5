"""What the public sees: schemas designed for consumers, without commercial secrets.

No prices, no quantities shipped between partners, no purchase orders or invoices, no contact details of the
person who filed a complaint: a public schema holds only what a label, a certificate or a licence would show.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from zhuisu.sectors.coldchain.schemas import PublicColdChainRead


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RegionRead(Schema):
    code: str = Field(description="GB/T 2260 code (6 digits).")
    province: str | None
    name: str | None = Field(description="Name of the prefecture or county, when known.")


class PublicLicenceRead(Schema):
    """A licence the producer holds, valid today and confirmed by its issuing authority."""

    kind: str = Field(description="Licence type (``parties.vocabulary.LICENCE_TYPES``).")
    kind_zh: str
    kind_en: str
    number: str
    valid_to: str | None = Field(description="Last day it is valid (YYYY-MM-DD); None: open-ended.")


class PublicPartyRead(Schema):
    name: str
    region: RegionRead | None
    roles: list[str] = Field(default_factory=list)
    licences: list[PublicLicenceRead] = Field(default_factory=list, description="The producer's: valid, confirmed.")


class PublicProductInfo(Schema):
    name: str
    spec: str
    class_id: str
    class_name: str | None
    gtin: str | None


class PublicStepRead(Schema):
    """One step of the journey, as a consumer reads it."""

    time: str = Field(description="eventTime, RFC 3339 UTC.")
    local_time: str = Field(description="eventTime in the portal's time zone, with the UTC offset.")
    event_id: str
    biz_step: str | None = Field(description="CBV business step (short name).")
    step_zh: str
    step_en: str
    disposition: str | None
    place: str | None = Field(description="Name of the party or site where it happened.")
    region: RegionRead | None
    verified: bool = Field(description="The event's inclusion in the node's signed log was checked.")


class PublicCertificateRead(Schema):
    """A certificate or inspection record an event carries (合格证, 检疫证明, 检验报告 …)."""

    kind: str = Field(description="The business-transaction or certification type.")
    kind_zh: str
    kind_en: str
    number: str
    time: str
    event_id: str


class PublicInspectionRead(Schema):
    time: str
    event_id: str
    place: str | None
    result: str | None = Field(description="conformant / non_conformant (CBV disposition) or the stated result.")
    inspector: str | None


class PublicTestItemRead(Schema):
    name: str
    value: str
    unit: str
    limit: str
    result: str = Field(description="pass or fail.")


class PublicReportRead(Schema):
    """An inspection or test report registered for the code, its lot or its product (``oversight.inspections``)."""

    lab: str
    report_number: str
    sample: str
    inspected_on: str = Field(description="YYYY-MM-DD.")
    result: str = Field(description="pass (合格) or fail (不合格).")
    scope: str = Field(description="What it was recorded on: lot (every item of it), product, or code (that one).")
    failed_items: list[PublicTestItemRead] = Field(description="The items that failed: name, value, limit.")
    items: list[PublicTestItemRead]


class PublicRegisteredCertificateRead(Schema):
    """A certificate registered for the code, its lot or its product, with its validity."""

    kind: str
    kind_zh: str
    kind_en: str
    number: str
    issuer: str
    valid_from: str
    valid_to: str | None
    valid: bool = Field(description="Valid on the day the story was built.")


class PublicRecallNotice(Schema):
    """召回公告: a recall order that reached this code — what, why, what the consumer should do."""

    id: str
    kind: str = Field(description="voluntary (主动召回) or ordered (责令召回).")
    level: int = Field(description="1, 2 or 3 (一级/二级/三级召回).")
    status: str = Field(description="open, or closed (the recall is over).")
    code: str = Field(description="The code recalled (this one, or one upstream of it).")
    reason: str
    advice: str = Field(description="What the consumer should do.")
    issuer: str
    issued: str = Field(description="When it was issued, local time with the UTC offset.")


class WitnessRead(Schema):
    """A witness of this node's log (another platform, such as the province above this city): the size of the
    latest checkpoint it cosigned, and when; ``covers``: that checkpoint holds every record of this story."""

    name: str = Field(description="The witness: the parent node's name, else its cosigner key's name.")
    size: int
    cosigned_at: str
    covers: bool


class VerificationRead(Schema):
    """The ledger check behind the "verified" badge: inclusion proofs checked server-side, per event."""

    verified: bool = Field(description="Every event of the journey is in the signed log, unchanged.")
    checked: int
    total: int
    tree_size: int | None = Field(description="Size of the signed checkpoint the proofs are against.")
    origin: str | None = Field(description="The log's origin (its identity).")
    failures: list[str] = Field(default_factory=list, description="eventIDs whose proof did not check out.")
    witnesses: list[WitnessRead] = Field(default_factory=list, description="Who witnesses this node's log.")


class PublicProductRead(Schema):
    """The story of one code, for the public."""

    code: str = Field(description="The code, canonical (a GS1 Digital Link for GS1 keys).")
    code_text: str = Field("", description="The code as its label prints it (GS1 HRI, hyphen-grouped zhuisu code).")
    input: str = Field(description="What was scanned or typed.")
    scheme: str
    product: PublicProductInfo | None
    producer: PublicPartyRead | None
    origin: RegionRead | None
    origin_country: str | None = Field(None, description="An import's country of origin (ISO 3166-1 alpha-2).")
    origin_country_zh: str | None = None
    origin_country_en: str | None = None
    lot: str | None
    serial: str | None
    production_date: str | None
    expiry_date: str | None
    recalled: bool
    recall_events: list[str] = Field(default_factory=list)
    recall_notices: list[PublicRecallNotice] = Field(
        default_factory=list, description="The recall orders that reached this code (召回公告), oldest first."
    )
    journey: list[PublicStepRead]
    regions: list[RegionRead] = Field(description="Regions the journey passed through, in order of first visit.")
    certificates: list[PublicCertificateRead]
    inspections: list[PublicInspectionRead]
    latest_inspection: PublicReportRead | None = Field(
        default=None, description="The newest registered inspection report; a failed one is shown in red."
    )
    inspection_reports: list[PublicReportRead] = Field(default_factory=list, description="Newest first.")
    registered_certificates: list[PublicRegisteredCertificateRead] = Field(default_factory=list)
    cold_chain: PublicColdChainRead | None = Field(
        default=None, description="冷链温度: the temperature readings on the journey, when there are any."
    )
    verification: VerificationRead
    timezone: str = Field(description="IANA time zone of the local times (``portal_timezone``).")


class SuggestionRead(Schema):
    code: str
    label: str


class SearchRead(Schema):
    query: str
    scheme: str
    valid: bool
    code: str | None = Field(description="The canonical code when the query resolved to something recorded.")
    message_zh: str | None
    message_en: str | None


class ComplaintCreate(BaseModel):
    kind: Literal["complaint", "report"] = "complaint"
    code: str = Field(default="", max_length=500)
    message: str = Field(min_length=1, max_length=4000)
    contact: str = Field(default="", max_length=200)
    anonymous: bool = Field(default=False, description="File anonymously (匿名): no contact is kept.")
    reward: bool = Field(default=False, description="A report (举报) asking to be considered for a reward.")


class ComplaintHandle(BaseModel):
    """A regulator's step on a complaint: any of a new status, an internal note, the answer to the person who
    filed, the regulator it is assigned to (its party id)."""

    status: Literal["in_progress", "closed"] | None = None
    note: str | None = Field(default=None, max_length=4000)
    answer: str | None = Field(default=None, max_length=4000)
    assign_to: str | None = Field(default=None, max_length=32)


class ComplaintAck(Schema):
    """The acknowledgement shown to the person who filed: the reference number to quote later."""

    reference: str
    kind: str
    status: str
    created_at: str
    code: str = Field(default="", description="The code it is about (canonical), if any.")
    answer: str = Field(default="", description="The regulator's answer (答复), once given.")
    answered_at: str | None = None
    anonymous: bool = False
    reward: bool = False


class ComplaintRead(Schema):
    """A complaint as the regulator's desk shows it (contact included: only regulators see this)."""

    reference: str
    kind: str
    code: str
    product_name: str
    message: str
    contact: str
    language: str
    region: str | None = Field(description="GB/T 2260 region of the product's producer.")
    place_region: str | None = Field(description="GB/T 2260 region of the last place the product was recorded at.")
    status: str
    note: str
    answer: str
    answered_at: str | None
    assigned_to: str | None = Field(description="The regulator it is assigned to (party id).")
    anonymous: bool
    reward: bool
    created_at: str
    handled_at: str | None
    created_local: str = Field(description="created_at in the node's time zone, with the UTC offset.")
    handled_local: str | None
