"""The public story of a code, composed from the domains below: trace, events, master data, ledger.

Nothing here queries a table of another domain directly: the journey comes from ``trace.service.trace``, event
bodies from ``events.service``, parties and products from ``parties``, the ledger check from ``ledger.service.prove``
and ``ledger.evidence.check_event_proof``. What is composed is filtered for the public (see ``schemas``): no
quantities, no purchase orders or invoices, no prices.

An event's inclusion proof is checked once: events that checked out are remembered with the checkpoint size and the
digest of the body checked (``repository.verified_events``), since a proof against a signed checkpoint stays valid
(every later checkpoint is signed only after a consistency check against it) — for that body: a row whose body is
no longer the one checked is checked again, and one whose indexed columns (what the trace and this page read) no
longer say what its body says fails, so a changed row never shows as verified. ``build_story`` returns what is new
to remember, and the things the trace walked (a capture naming one of them makes the story stale, see ``stories``).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from zhuisu.catalog import service as catalog_service
from zhuisu.codes._regions import region_info
from zhuisu.codes.canonical import canonical_code
from zhuisu.codes.recognize import recognize
from zhuisu.epcis.indexed import FIELDS, indexed_fields
from zhuisu.errors import NotFound, ZhuisuError
from zhuisu.events import service as events_service
from zhuisu.issuance import service as issuance_service
from zhuisu.kit.i18n import pair
from zhuisu.kit.time import BEIJING, format_iso, utc_now
from zhuisu.labels.payload import human_text
from zhuisu.ledger import evidence, witness_service
from zhuisu.ledger import service as ledger_service
from zhuisu.ledger.errors import NotYetSigned
from zhuisu.ledger.leaf import body_digest
from zhuisu.models import CodeBatch, Event, Inspection, Party, Product
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.parties.vocabulary import licence_type_name
from zhuisu.portal import federated, repository, vocabulary
from zhuisu.portal.errors import UnknownCode
from zhuisu.portal.schemas import (
    PublicCertificateRead,
    PublicInspectionRead,
    PublicLicenceRead,
    PublicPartyRead,
    PublicProductInfo,
    PublicProductRead,
    PublicRecallNotice,
    PublicRegisteredCertificateRead,
    PublicReportRead,
    PublicStepRead,
    PublicTestItemRead,
    RegionRead,
    SearchRead,
    VerificationRead,
    WitnessRead,
)
from zhuisu.recall import orders as recall_orders
from zhuisu.sectors.coldchain import summary as coldchain_summary
from zhuisu.sectors.imports.documents import ZS as ZS_NS
from zhuisu.sectors.imports.documents import country_name
from zhuisu.trace import service as trace_service
from zhuisu.trace.schemas import StepRead

_GTIN = re.compile(r"/01/([0-9]{14})(?:/|$)")
_QUALIFIER = {"lot": re.compile(r"/10/([^/?#]+)"), "serial": re.compile(r"/21/([^/?#]+)")}
_GLN = re.compile(r"/(?:414|417)/([0-9]{13})(?:/|$)")
_PRODUCTION_KEYS = frozenset({"productiondate", "productiondatetime", "manufacturedate", "harvestdate", "packdate"})
_EXPIRY_KEYS = frozenset(
    {
        "itemexpirationdate",
        "bestbefore",
        "bestbeforedate",
        "expirydate",
        "expirationdate",
        "sellbydate",
        "useby",
        "usebydate",
    }
)
_ORIGIN_KEYS = frozenset({"origin", "countryoforigin", "originregion", "placeoforigin"})
#: GS1 Digital Link primary keys the resolver answers for (the path's first segment).
PRIMARY_KEYS = ("01", "00", "414", "417", "8003", "8004", "8006", "8010", "8013", "8017", "8018", "253", "255")


@dataclass(frozen=True)
class LedgerKey:
    """What the server-side ledger check needs: the log's origin and verifier key; and the time zone the public
    reads times in."""

    origin: str
    vkey: str
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class BuiltStory:
    """A story with what its build learnt: the things its trace walked, and events newly verified."""

    story: PublicProductRead
    things: list[str]
    verified: dict[str, tuple[int, str]]


@dataclass
class _Places:
    """Party lookups by GLN or identifier, once per story."""

    session: Session
    seen: dict[str, Party | None] = field(default_factory=dict)

    def party(self, identifier: str | None) -> Party | None:
        if not identifier:
            return None
        if identifier not in self.seen:
            match = _GLN.search(identifier)
            key = match.group(1) if match else identifier
            self.seen[identifier] = parties_service.find_party_by_identifier(self.session, key)
        return self.seen[identifier]


def digital_link(path: str) -> str:
    """The Digital Link URI of a resolver path such as ``/01/06901234022229/10/L1`` (on id.gs1.org)."""
    return "https://id.gs1.org/" + path.lstrip("/")


@dataclass(frozen=True)
class Malformed:
    """What is wrong with a code a person typed or a camera read, in plain words."""

    title_zh: str
    title_en: str
    detail_zh: str
    detail_en: str


def malformed(text: str) -> Malformed | None:
    """Why ``text`` cannot be a code (a scheme fits its shape but it fails that scheme's check digit, length or
    format; or plain text no scheme fits), or None: a valid code, or an identifier of a scheme zhuisu does not
    know (a URN, a URL: never refused, 异构识别).

    >>> malformed("06901234567893").title_zh, malformed("ZS1110105A1B2C3000000001O").title_zh
    ('校验位错误', '长度不对')
    >>> malformed("hello").title_zh, malformed("urn:example:lot:1"), malformed("06901234567892")
    ('不是可识别的追溯码', None, None)
    """
    text = text.strip()
    found = recognize(text)
    if found.valid or not text:
        return None
    error, error_zh = found.error or "", found.error_zh or ""
    if not found.candidates or found.scheme == "unknown":
        if ":" in text or text.lower().startswith("http"):
            return None
        return Malformed(
            *pair("Not a code we recognise"), *pair("Check it and type it again, or scan the QR code on the package.")
        )
    if "check digit" in error:
        zh, en = pair("{error}: a digit may be mistyped.")
        return Malformed(*pair("Wrong check digit"), zh.format(error=error_zh), en.format(error=error))
    if "length" in error or "digits" in error:
        return Malformed(*pair("Wrong length"), error_zh, error)
    return Malformed(*pair("Malformed code"), error_zh, error)


def search(text: str) -> SearchRead:
    """What a search box query is: its scheme and canonical code (no database; the page says if it is known)."""
    wrong = malformed(text)
    if wrong is not None:
        return SearchRead(
            query=text, scheme=recognize(text).scheme, valid=False, code=None,
            message_zh=f"{wrong.title_zh}：{wrong.detail_zh}", message_en=f"{wrong.title_en}: {wrong.detail_en}",
        )  # fmt: skip
    found = recognize(text)
    try:
        code: str | None = canonical_code(text)
    except ZhuisuError:
        code = None
    if found.valid or (code and code.startswith("https://id.gs1.org/")):
        return SearchRead(query=text, scheme=found.scheme, valid=True, code=code, message_zh=None, message_en=None)
    return SearchRead(
        query=text,
        scheme=found.scheme,
        valid=False,
        code=code if text.strip() else None,
        message_zh=found.error_zh or "无法识别的追溯码",
        message_en=found.error or "unrecognised code",
    )


def product_story(session: Session, text: str, *, key: LedgerKey) -> PublicProductRead:
    """The public story of ``text`` (any code zhuisu recognises, a Digital Link on any domain).

    Reads only (the ledger check reads the latest signed checkpoint). Raises ``UnknownCode`` when nothing is
    recorded about the code.
    """
    return build_story(session, text, key=key).story


def build_story(session: Session, text: str, *, key: LedgerKey) -> BuiltStory:
    """``product_story`` with the things the trace walked and the events newly verified (to remember)."""
    code = canonical_code(text)
    traced = trace_service.trace(session, code, direction="both")
    timeline = traced.timeline
    product = find_product(session, code)
    batch = issuance_service.check_code(session, code).batch if product is None else None
    if not timeline and product is None and batch is None:  # a lot code issued here names no event: its batch
        raise UnknownCode(
            f"没有找到追溯码 {text.strip()} 的记录", message_en=f"nothing is recorded about {text.strip()}"
        )
    read = events_service.get_events(session, [step.event_id for step in timeline])
    events = {step.event_id: read[step.event_id] for step in timeline}
    places = _Places(session)
    verification, failures, verified = _verify(session, events.values(), key)
    zone = ZoneInfo(key.timezone)
    verification.witnesses = _witnesses(session, verification.tree_size, zone)
    journey = [_step(step, places, step.event_id not in failures, zone) for step in timeline]
    ilmd = _ilmd(events.values())
    producer = _producer(session, product, timeline, places)
    if batch is not None and producer is None:
        producer = _public_party(parties_service.get_party(session, batch.party_id))
    notices = recall_notices(session, code, zone)
    country = _origin_country(events.values())
    origin = _region(ilmd.get("origin")) or (producer.region if producer else None)
    if country.get("origin_country"):  # an import's 产地 is its 原产国: not the importer's region, not the code
        origin = _region(ilmd["origin"]) if ilmd.get("origin", "").isdigit() else None
    story = PublicProductRead(
        code=code,
        code_text=human_text(code),
        input=text,
        scheme=recognize(text).scheme,
        product=_product_info(session, product) or _issued_product(batch),
        producer=producer,
        origin=origin,
        **country,
        lot=_qualifier(code, "lot"),
        serial=_qualifier(code, "serial"),
        production_date=ilmd.get("production"),
        expiry_date=ilmd.get("expiry"),
        recalled=any(_is_recall(events[step.event_id]) for step in timeline)
        or any(n.status == "open" for n in notices),
        recall_events=[step.event_id for step in timeline if _is_recall(events[step.event_id])],
        recall_notices=notices,
        journey=journey,
        regions=_regions(journey),
        certificates=_certificates(timeline, events),
        inspections=_inspections(timeline, events, places),
        **_registered(session, code, timeline, events),
        cold_chain=coldchain_summary.public_summary(
            session, code, product.class_id if product else None, events.values()
        ),
        verification=verification,
        timezone=key.timezone,
    )
    return BuiltStory(story, sorted({code, *traced.things}), verified)


def recall_notices(session: Session, code: str, zone: ZoneInfo) -> list[PublicRecallNotice]:
    """The notices of the recall orders that reached ``code`` (``recall.orders``)."""
    return [
        PublicRecallNotice(
            id=r.id,
            kind=r.kind,
            level=r.level,
            status=r.status,
            code=r.code,
            reason=r.reason,
            advice=r.advice,
            issuer=parties_service.get_party(session, r.issuer_id).name,
            issued=local_time(format_iso(r.created_at), zone),
        )
        for r in recall_orders.notices_for(session, code)
    ]


def find_product(session: Session, code: str) -> Product | None:
    """The registered product a code names (by its GTIN), or None."""
    match = _GTIN.search(code)
    if match is None:
        return None
    try:
        return masterdata.get_product(session, match.group(1))
    except NotFound:
        return None


def producer_region(session: Session, product: Product | None) -> str | None:
    if product is None or product.producer_id is None:
        return None
    return parties_service.get_party(session, product.producer_id).region


def place_region(session: Session, code: str) -> str | None:
    """The GB/T 2260 region of the last place the code's journey was recorded at (where it was bought), or None."""
    try:
        timeline = trace_service.trace(session, code, direction="both").timeline
    except ZhuisuError:
        return None
    places = _Places(session)
    for step in reversed(timeline):
        party = places.party(step.location) or places.party(step.destination) or places.party(step.source)
        if party is not None and party.region:
            return party.region
    return None


def _product_info(session: Session, product: Product | None) -> PublicProductInfo | None:
    if product is None:
        return None
    try:
        class_name: str | None = catalog_service.get_class(session, product.class_id).name
    except ZhuisuError:
        class_name = None
    return PublicProductInfo(
        name=product.name, spec=product.spec, class_id=product.class_id, class_name=class_name, gtin=product.gtin
    )


def _issued_product(batch: CodeBatch | None) -> PublicProductInfo | None:
    """What the batch that issued a code here says of its product (a code with no registered GTIN)."""
    if batch is None or not (batch.product_name or batch.product_code):
        return None
    return PublicProductInfo(
        name=batch.product_name or batch.product_code or "", spec="", class_id="", class_name=None, gtin=batch.gtin
    )


def _producer(
    session: Session, product: Product | None, timeline: list[StepRead], places: _Places
) -> PublicPartyRead | None:
    party = parties_service.get_party(session, product.producer_id) if product and product.producer_id else None
    for step in timeline:
        if party is not None:
            break
        party = places.party(step.location) or places.party(step.source)
    if party is None:
        return None
    today = utc_now().astimezone(BEIJING).date()
    licences = [
        PublicLicenceRead(
            kind=lic.licence_type,
            kind_zh=licence_type_name(lic.licence_type)[0],
            kind_en=licence_type_name(lic.licence_type)[1],
            number=lic.number,
            valid_to=lic.valid_to.isoformat() if lic.valid_to else None,
        )
        for lic in masterdata.licences_valid_on(session, party, today)
        if lic.confirmed_at is not None
    ]
    return _public_party(party).model_copy(update={"licences": licences})


def _public_party(party: Party) -> PublicPartyRead:
    return PublicPartyRead(name=party.name, region=_region(party.region), roles=list(party.roles or []))


def _region(code: str | None) -> RegionRead | None:
    if not code:
        return None
    if len(code) == 6 and code.isdigit():
        return RegionRead(**region_info(code))
    return RegionRead(code=code, province=None, name=code)


def _qualifier(code: str, name: str) -> str | None:
    match = _QUALIFIER[name].search(code)
    return unquote(match.group(1)) if match else None


def _short(value: str | None) -> str | None:
    if not value:
        return None
    return re.split(r"[/:#]", value)[-1] or value


def local_time(text: str, zone: ZoneInfo) -> str:
    """An RFC 3339 UTC time as the public reads it: local date and time with the UTC offset.

    >>> local_time("2026-10-04T01:30:00.000Z", ZoneInfo("Asia/Shanghai"))
    '2026-10-04 09:30 UTC+08:00'
    """
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(zone)
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{moment:%Y-%m-%d %H:%M} UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _step(step: StepRead, places: _Places, verified: bool, zone: ZoneInfo) -> PublicStepRead:
    biz_step = _short(step.biz_step)
    zh, en = vocabulary.step_label(biz_step)
    party = places.party(step.location) or places.party(step.source)
    return PublicStepRead(
        time=step.time,
        local_time=local_time(step.time, zone),
        event_id=step.event_id,
        biz_step=biz_step,
        step_zh=zh,
        step_en=en,
        disposition=_short(step.disposition),
        place=party.name if party else None,
        region=_region(party.region) if party else None,
        verified=verified,
    )


def _is_recall(event: Event) -> bool:
    """Whether the event recalls, as its body says (the body is what the log commits to: a column changed behind
    the log's back neither raises a recall nor hides one)."""
    body = event.body
    return (
        _short(body.get("disposition")) in vocabulary.RECALL_DISPOSITIONS
        or _short(body.get("bizStep")) in vocabulary.RECALL_STEPS
    )


def _regions(journey: list[PublicStepRead]) -> list[RegionRead]:
    seen: dict[str, RegionRead] = {}
    for step in journey:
        if step.region is not None and step.region.code not in seen:
            seen[step.region.code] = step.region
    return list(seen.values())


def _ilmd(events: Iterable[Event]) -> dict[str, str]:
    """Production date, expiry and origin from the lot master data (ILMD) of the events, first found wins."""
    found: dict[str, str] = {}
    for event in events:
        ilmd = event.body.get("ilmd") if isinstance(event.body, dict) else None
        for key, value in (ilmd or {}).items():
            name = key.rsplit(":", 1)[-1].lower()
            for slot, keys in (("production", _PRODUCTION_KEYS), ("expiry", _EXPIRY_KEYS), ("origin", _ORIGIN_KEYS)):
                if name in keys and isinstance(value, str | int) and slot not in found:
                    found[slot] = str(value)
    return found


def _origin_country(events: Iterable[Event]) -> dict[str, str | None]:
    """An import's country of origin: ``cbvmda:countryOfOrigin`` in the ILMD, else ``zs:originCountry``."""
    for event in events:
        body = event.body if isinstance(event.body, dict) else {}
        ilmd = body.get("ilmd") or {}
        found = [v for k, v in ilmd.items() if k.rsplit(":", 1)[-1].lower() == "countryoforigin"]
        found += [v for k, v in body.items() if k in ("zs:originCountry", ZS_NS + "originCountry")]
        code = next((str(v).upper() for v in found if isinstance(v, str) and len(v) == 2), None)
        if code is not None:
            return {
                "origin_country": code,
                "origin_country_zh": country_name(code),
                "origin_country_en": country_name(code, "en"),
            }
    return {}


def _certificates(timeline: list[StepRead], events: dict[str, Event]) -> list[PublicCertificateRead]:
    found: list[PublicCertificateRead] = []
    seen: set[tuple[str, str]] = set()
    for step in timeline:
        body = events[step.event_id].body
        listed = body.get("bizTransactionList", [])
        entries = [(str(t.get("type", "")), str(t.get("bizTransaction", ""))) for t in listed if isinstance(t, dict)]
        info = body.get("certificationInfo")
        entries += [("certificationInfo", str(c)) for c in (info if isinstance(info, list) else [info] if info else [])]
        for kind, number in entries:
            label = vocabulary.certificate_kind(kind)
            if label is not None and number and (kind, number) not in seen:  # each document once, first named
                seen.add((kind, number))
                found.append(
                    PublicCertificateRead(
                        kind=_short(kind) or kind,
                        kind_zh=label[0],
                        kind_en=label[1],
                        number=_short(number) or number,
                        time=step.time,
                        event_id=step.event_id,
                    )
                )
    return found


def _inspections(timeline: list[StepRead], events: dict[str, Event], places: _Places) -> list[PublicInspectionRead]:
    found = []
    for step in timeline:
        if _short(step.biz_step) not in ("inspecting", "sampling"):
            continue
        body: dict[str, Any] = events[step.event_id].body
        party = places.party(step.location)
        result = body.get("zs:result") or _short(step.disposition)
        found.append(
            PublicInspectionRead(
                time=step.time,
                event_id=step.event_id,
                place=party.name if party else None,
                result=str(result) if result else None,
                inspector=body.get("zs:inspector"),
            )
        )
    return found


_LOT_KEYS = frozenset({"lotnumber", "batch", "batchnumber"})


def _own_lot(code: str, timeline: list[StepRead], events: dict[str, Event]) -> str | None:
    """The lot of ``code``: its AI 10, else the lot master data (ILMD) or batch of an event naming the code itself
    (an SGTIN's commissioning), so a report on the lot reaches each item of it."""
    lot = _qualifier(code, "lot")
    if lot is not None or _qualifier(code, "serial") is None:
        return lot
    for step in timeline:
        if code not in step.things:
            continue
        body = events[step.event_id].body
        ilmd = body.get("ilmd")
        # the lot master data, else a namespaced top-level batch (``zs:batch``: the catalog's batch element)
        for fields in (ilmd if isinstance(ilmd, dict) else {}, body):
            for key, value in fields.items():
                named = ":" in key and re.split(r"[:/#]", key)[-1].lower() in _LOT_KEYS
                if named and isinstance(value, str | int):
                    return str(value)
    return None


def _registered(session: Session, code: str, timeline: list[StepRead], events: dict[str, Event]) -> dict[str, Any]:
    """The inspection reports and certificates registered for the code, its lot or its product
    (``oversight.inspections``): the newest report first, a failed one with its failed items."""
    match = _GTIN.search(code)
    gtin = match.group(1) if match else None
    lot = _own_lot(code, timeline, events) if gtin else None
    reports = [_report(r) for r in repository.registered_inspections(session, code, gtin, lot)]
    on = utc_now().astimezone(BEIJING).date()
    certificates = [
        PublicRegisteredCertificateRead(
            kind=c.kind,
            kind_zh=vocabulary.REGISTERED_CERTIFICATES.get(c.kind, (c.kind, c.kind))[0],
            kind_en=vocabulary.REGISTERED_CERTIFICATES.get(c.kind, (c.kind, c.kind))[1],
            number=c.number,
            issuer=c.issuer,
            valid_from=c.valid_from.isoformat(),
            valid_to=c.valid_to.isoformat() if c.valid_to else None,
            valid=c.valid_from <= on and (c.valid_to is None or on <= c.valid_to),
        )
        for c in repository.registered_certificates(session, code, gtin, lot)
    ]
    return {
        "latest_inspection": reports[0] if reports else None,
        "inspection_reports": reports,
        "registered_certificates": certificates,
    }


def _report(report: Inspection) -> PublicReportRead:
    items = [
        PublicTestItemRead(
            name=str(i.get("name", "")),
            value=str(i.get("value", "")),
            unit=str(i.get("unit", "")),
            limit=str(i.get("limit", "")),
            result=str(i.get("result", "")),
        )
        for i in report.items
    ]
    return PublicReportRead(
        lab=report.lab,
        report_number=report.report_number,
        sample=report.sample,
        inspected_on=report.inspected_on.isoformat(),
        result=report.result,
        scope="lot" if report.lot else "product" if report.code == f"https://id.gs1.org/01/{report.gtin}" else "code",
        failed_items=[i for i in items if i.result == "fail"],
        items=items,
    )


def _columns_agree(event: Event) -> bool:
    """Whether the row's indexed columns say what its body says (``epcis.indexed``)."""
    try:
        derived = indexed_fields(event.body)
    except (ValueError, TypeError, KeyError):
        return False
    return all(getattr(event, name) == derived[name] for name in FIELDS)


def _witnesses(session: Session, tree_size: int | None, zone: ZoneInfo) -> list[WitnessRead]:
    """The witnesses of this node's log (``ledger``), named as the federation knows them (the parent node)."""
    names = federated.witness_names(session)
    return [
        WitnessRead(
            name=names.get(c.witness, c.witness),
            size=c.size,
            cosigned_at=c.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            covers=tree_size is not None and c.size >= tree_size,
        )
        for c in witness_service.cosigned(session)
    ]


def _verify(
    session: Session, events: Iterable[Event], key: LedgerKey
) -> tuple[VerificationRead, set[str], dict[str, tuple[int, str]]]:
    """Check each event's inclusion proof against the signed checkpoint, server-side, unless it already checked
    out once. Returns the verification, the events that failed and those newly verified (with the size)."""
    events = list(events)
    known = repository.verified_events(session, [e.event_id for e in events])
    failures: set[str] = set()
    fresh: dict[str, tuple[int, str]] = {}
    sizes: list[int] = []
    digests = {e.event_id: body_digest(e.body) for e in events}
    unproven = [e for e in events if known.get(e.event_id, (0, None))[1] != digests[e.event_id]]
    # the events not verified before: their proofs and contexts read together (one read each, not one per event)
    proofs = ledger_service.prove_many(session, [e.event_id for e in unproven]) if unproven else {}
    contexts = events_service.event_contexts(session, unproven)
    for event in events:
        if not _columns_agree(event):
            failures.add(event.event_id)
            continue
        digest = digests[event.event_id]
        size, memo = known.get(event.event_id, (0, None))
        if memo == digest:
            sizes.append(size)
            continue
        try:
            proof = proofs.get(event.event_id) or ledger_service.prove(session, event.event_id)
            document = events_service.query_document(session, [event], contexts=contexts)
            result = evidence.check_event_proof(proof, document, [key.vkey])
        except NotYetSigned:
            continue  # not failed: written by a path that does not sign; the worker signs it shortly
        except ZhuisuError:
            failures.add(event.event_id)
            continue
        fresh[event.event_id] = (result.proof.checkpoint.size, digest)
        sizes.append(result.proof.checkpoint.size)
    checked = len(sizes)
    total = checked + len(failures)
    return (
        VerificationRead(
            verified=total > 0 and not failures,
            checked=checked,
            total=total,
            tree_size=max(sizes) if sizes else None,
            origin=key.origin if sizes else None,
            failures=sorted(failures),
        ),
        failures,
        fresh,
    )
