"""Code issuance (赋码): a party issues serialised codes for its products and lots, and the node records it.

A party with a GS1 company prefix issues SGTINs of its GTINs (GS1 Digital Link URIs); any party issues codes
of the ``zhuisu`` scheme for its internal product codes (region and party number from its issuer profile, the
party number allocated by the platform on first use). Serials come from database counters in contiguous
ranges (``repository.allocate``), so they are never reused, under concurrent issuers or across restarts.

Each issue writes, in the caller's transaction: the counter move, one ``CodeBatch`` (who, when, product, lot,
range), an audit entry, and the EPCIS commissioning events of the codes, captured with the issuing party as
recorder (``zhuisu.capture.service.capture_document``).
"""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from zhuisu.capture import service as capture_service
from zhuisu.codes import gtin as gtin_scheme
from zhuisu.codes._regions import PROVINCES
from zhuisu.codes.errors import InvalidCode
from zhuisu.codes.recognize import Recognition, recognize
from zhuisu.config import Settings
from zhuisu.errors import NotFound, ZhuisuError
from zhuisu.issuance import codespace, labelling, permissions, repository
from zhuisu.issuance.commissioning import commissioning_document, epc_of
from zhuisu.issuance.errors import InvalidIssueField, PrefixTaken
from zhuisu.kit.time import format_iso, utc_now
from zhuisu.labels.sheet import Symbology
from zhuisu.models import AuditEntry, CodeBatch, CodeIssuer, Party


@dataclass(frozen=True)
class Limits:
    """How much one issue may ask for, and how many codes one commissioning event may carry."""

    max_count: int = 100_000
    event_epc_limit: int = 1000


@dataclass(frozen=True)
class IssuedBatch:
    batch: CodeBatch
    codes: list[str]


@dataclass(frozen=True)
class CodeCheck:
    """A code as recognised, and the batch of this node it was issued in (None: not issued here)."""

    recognition: Recognition
    batch: CodeBatch | None


def set_gs1_prefix(session: Session, *, party: Party, prefix: str) -> CodeIssuer:
    """Register the GS1 company prefix licensed to ``party`` (6–12 digits); GTIN-based issuance needs it.

    Raises InvalidIssueField (``gs1_company_prefix``) for a malformed prefix and PrefixTaken when it, or a
    prefix overlapping it, belongs to another party.
    """
    prefix = prefix.strip()
    if not (prefix.isascii() and prefix.isdigit() and 6 <= len(prefix) <= 12):
        raise InvalidIssueField(
            "gs1_company_prefix",
            f"GS1 厂商识别代码 {prefix!r} 无效：应为 6–12 位数字",
            message_en=f"invalid GS1 company prefix {prefix!r}: 6 to 12 digits",
        )
    taken = repository.overlapping_prefixes(session, prefix, party.id)
    if taken:
        raise PrefixTaken(
            f"GS1 厂商识别代码 {prefix} 与其他主体的 {taken[0]} 冲突",
            message_en=f"GS1 company prefix {prefix} overlaps {taken[0]} of another party",
            field="gs1_company_prefix",
        )
    issuer = _locked_issuer(session, party)
    issuer.gs1_company_prefix = prefix
    session.add(AuditEntry(actor_id=party.id, action="gs1_prefix_set", subject=party.id, payload={"prefix": prefix}))
    session.flush()
    return issuer


def issue_codes(
    session: Session,
    *,
    party: Party,
    actor: Party | None = None,
    gtin: str | None = None,
    product_code: str | None = None,
    product_name: str | None = None,
    lot: str | None = None,
    count: int,
    limits: Limits | None = None,
    production_date: date | None = None,
    expiry: date | None = None,
) -> IssuedBatch:
    """Issue ``count`` item codes of ``party``'s product (``gtin`` xor ``product_code``), optionally of a lot, with
    the production and expiry dates the commissioning records (the catalog's rules may ask for them).

    Locks the counter row until the transaction ends. Raises InvalidIssueField naming the field at fault — also
    when the commissioning lacks a data element the product's class requires (``production_date``, ``expiry``,
    ``lot``), and then nothing is issued.
    """
    actor, limits = actor or party, limits or Limits()
    _check_request(gtin=gtin, product_code=product_code, product_name=product_name, lot=lot, count=count, limits=limits)
    if gtin is not None:
        batch = _gs1_batch(session, party, gtin, count)
    else:
        batch = _zhuisu_batch(session, party, str(product_code), lot, count)
    batch.party_id, batch.issued_by_id, batch.lot = party.id, actor.id, lot
    batch.product_code, batch.product_name = product_code, product_name
    if batch.gtin is not None and lot is not None:
        batch.lot_code = codespace.gs1_lot_code(batch.gtin, lot)
    session.add(batch)
    session.flush()
    codes = codespace.codes_of(batch.counter, batch.first_serial, batch.count)
    dates = {"production_date": production_date, "expiry": expiry}
    _record_commissioning(session, party, batch, codes, limits.event_epc_limit, **dates)
    session.add(
        AuditEntry(
            actor_id=actor.id,
            action="codes_issued",
            subject=batch.id,
            payload={
                "party": party.id,
                "counter": batch.counter,
                "first": batch.first_serial,
                "count": count,
                "lot": lot,
            },
        )
    )
    return IssuedBatch(batch=batch, codes=codes)


def _check_request(
    *,
    gtin: str | None,
    product_code: str | None,
    product_name: str | None,
    lot: str | None,
    count: int,
    limits: Limits,
) -> None:
    if (gtin is None) == (product_code is None):
        raise InvalidIssueField(
            "gtin",
            "请给出 GTIN 或企业内部产品编码之一（不能同时给出）",
            message_en="give either a GTIN or an internal product code, not both",
        )
    if not 1 <= count <= limits.max_count:
        raise InvalidIssueField(
            "count",
            f"数量应在 1 到 {limits.max_count} 之间，实际为 {count}",
            message_en=f"count must be between 1 and {limits.max_count}, got {count}",
        )
    if lot is not None and not codespace.LOT_PATTERN.fullmatch(lot):
        raise InvalidIssueField(
            "lot",
            f"批号 {lot!r} 无效：1–20 位字母、数字或 . _ -",
            message_en=f"invalid lot {lot!r}: 1 to 20 letters, digits or . _ -",
        )
    if product_code is not None and not 1 <= len(product_code.strip()) <= 64:
        raise InvalidIssueField("product", "产品编码应为 1–64 个字符", message_en="product code: 1 to 64 characters")
    if product_name is not None and len(product_name) > 200:
        raise InvalidIssueField(
            "product_name", "产品名称最多 200 个字符", message_en="product name: at most 200 characters"
        )


def _gs1_batch(session: Session, party: Party, gtin: str, count: int) -> CodeBatch:
    try:
        gtin14 = gtin_scheme.to_gtin14(gtin_scheme.validate(gtin))
    except InvalidCode as exc:
        raise InvalidIssueField(
            "gtin", f"GTIN {gtin!r} 无效：{exc.message_zh}", message_en=f"invalid GTIN {gtin!r}: {exc}"
        ) from exc
    issuer = repository.find_issuer(session, party.id)
    prefix = issuer.gs1_company_prefix if issuer else None
    if prefix is None:
        raise InvalidIssueField(
            "gtin",
            "该主体未登记 GS1 厂商识别代码，不能按 GTIN 赋码；请按企业内部产品编码赋码",
            message_en="the party has no GS1 company prefix registered; issue by internal product code instead",
        )
    if gtin14[1 : 1 + len(prefix)] != prefix:
        raise InvalidIssueField(
            "gtin",
            f"GTIN {gtin14} 不属于该主体的厂商识别代码 {prefix}",
            message_en=f"GTIN {gtin14} is not under the party's company prefix {prefix}",
        )
    key = codespace.gs1_counter(gtin14)
    first = repository.allocate(session, key=key, count=count, party_id=party.id)
    return CodeBatch(
        scheme="gs1", counter=key, first_serial=first, last_serial=first + count - 1, count=count, gtin=gtin14
    )


def _zhuisu_batch(session: Session, party: Party, product_code: str, lot: str | None, count: int) -> CodeBatch:
    issuer = _numbered_issuer(session, party)
    region, number = str(issuer.region), str(issuer.party_number)
    key = codespace.zhuisu_counter(region, number, codespace.ITEM)
    first = repository.allocate(session, key=key, count=count, party_id=party.id)
    lot_code = _zhuisu_lot_code(session, party, product_code, lot, region, number) if lot else None
    return CodeBatch(
        scheme="zhuisu",
        counter=key,
        first_serial=first,
        last_serial=first + count - 1,
        count=count,
        lot_code=lot_code,
    )


def _zhuisu_lot_code(session: Session, party: Party, product_code: str, lot: str, region: str, number: str) -> str:
    """The lot's kind-2 code: the one an earlier batch of the same product and lot got, else a new one."""
    earlier = repository.find_lot_batch(session, party_id=party.id, scheme="zhuisu", product=product_code, lot=lot)
    if earlier is not None and earlier.lot_code:
        return earlier.lot_code
    key = codespace.zhuisu_counter(region, number, codespace.LOT)
    serial = repository.allocate(session, key=key, count=1, party_id=party.id)
    return codespace.zhuisu_code_of(region, number, codespace.LOT, serial)


def _locked_issuer(session: Session, party: Party) -> CodeIssuer:
    """The party's issuer profile, created if missing, locked until the transaction ends (PostgreSQL)."""
    values = {"party_id": party.id, "created_at": utc_now()}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(CodeIssuer).values(values).on_conflict_do_nothing())
    return session.execute(
        select(CodeIssuer)
        .where(CodeIssuer.party_id == party.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _numbered_issuer(session: Session, party: Party) -> CodeIssuer:
    """The issuer profile with its ``zhuisu`` region and party number, allocating the number on first use."""
    issuer = repository.find_issuer(session, party.id)
    if issuer is not None and issuer.party_number is not None:
        return issuer
    issuer = _locked_issuer(session, party)
    if issuer.party_number is not None:  # another transaction numbered it while we waited for the lock
        return issuer
    region = _region_of(party)
    serial = repository.allocate(session, key=codespace.region_counter(region), count=1, party_id=None)
    issuer.region, issuer.party_number = region, codespace.to_base36(serial, codespace.PARTY_WIDTH)
    session.flush()
    return issuer


def _region_of(party: Party) -> str:
    """The party's GB/T 2260 region: as registered, else the one in its 统一社会信用代码 (characters 3–8)."""
    region = party.region or (party.uscc[2:8] if party.uscc else None)
    if region is None:
        raise InvalidIssueField(
            "region",
            "该主体没有行政区划代码，无法生成本平台追溯码；请登记其行政区划或统一社会信用代码",
            message_en="the party has no region code, which zhuisu codes need; register its "
            "region or unified social credit code",
        )
    if region[:2] not in PROVINCES:
        raise InvalidIssueField(
            "region",
            f"行政区划代码 {region} 的省级代码不存在",
            message_en=f"region code {region} names no province",
        )
    return region


def _rule(message: str) -> str:
    """The rule a missing-element message cites: ``规则 food.production：…`` / ``rule food.production: …``."""
    found = re.search(r"[（(]((?:规则|rule) .+)[）)]$", message)
    return found.group(1) if found else ""


#: The issue fields that carry the data elements a catalog rule may ask of a commissioning.
_ELEMENT_FIELDS = {"production_date": "production_date", "expiry": "expiry", "batch": "lot"}


def _record_commissioning(
    session: Session,
    party: Party,
    batch: CodeBatch,
    codes: list[str],
    epc_limit: int,
    *,
    production_date: date | None,
    expiry: date | None,
) -> None:
    document = commissioning_document(
        [epc_of(c) for c in codes],
        event_time=format_iso(utc_now()),
        lot=batch.lot,
        epc_limit=epc_limit,
        production_date=production_date,
        expiry=expiry,
    )
    result = capture_service.capture_document(session, document, actor=party, source=f"issuance:{batch.id}")
    missing = [e for e in result.job.errors if e.get("code") == "missing_data_element"]
    if missing:
        elements = list(dict.fromkeys(str(e.get("expected", "")).split(":", 1)[0] for e in missing))
        names_zh = list(dict.fromkeys(m for e in missing for m in re.findall(r"「(.+?)」", str(e["message_zh"]))))
        names_en = list(dict.fromkeys(m for e in missing for m in re.findall(r"'(.+?)'", str(e["message_en"]))))
        raise InvalidIssueField(
            _ELEMENT_FIELDS.get(elements[0], elements[0]),
            f"该产品类别的规则要求赋码时记录：{'、'.join(names_zh)}（{_rule(str(missing[0]['message_zh']))}）",
            message_en=f"the product's class requires the commissioning to record: {', '.join(names_en)} "
            f"({_rule(str(missing[0]['message_en']))})",
        )
    if not result.job.success:
        raise ZhuisuError(
            f"赋码批次 {batch.id} 的启用事件未能记录：{result.job.errors[:3]}",
            message_en=f"the commissioning events of batch {batch.id} were not recorded: {result.job.errors[:3]}",
        )
    batch.capture_id, batch.event_count = result.job.id, result.job.captured


def get_batch(session: Session, batch_id: str, *, actor: Party | None) -> CodeBatch:
    """A batch the actor may read (``permissions.may_read_batch``; any batch for ``None``: the node operator, as the
    CLI acts). Raises NotFound, or NotYourBatch for another party's batch."""
    batch = repository.find_batch(session, batch_id)
    if batch is None:
        raise NotFound(f"没有赋码批次 {batch_id}", message_en=f"no code batch {batch_id}")
    permissions.check_batch(actor, batch)
    return batch


def batch_codes(batch: CodeBatch) -> list[str]:
    return codespace.codes_of(batch.counter, batch.first_serial, batch.count)


def list_batches(session: Session, *, party: Party, limit: int = 100) -> list[CodeBatch]:
    return repository.list_batches(session, party_id=party.id, limit=limit)


def check_code(session: Session, text: str | bytes) -> CodeCheck:
    """Recognise a code and find the batch of this node that issued it (item or lot code), if any."""
    recognition = recognize(text)
    if not recognition.valid:
        return CodeCheck(recognition, None)
    parts = recognition.parts
    if recognition.scheme == "epc-urn" and parts.get("digital_link"):
        parts = recognize(str(parts["digital_link"])).parts
        scheme = "gs1-digital-link"
    else:
        scheme = recognition.scheme
    if scheme == "zhuisu" and parts.get("kind") == codespace.LOT:
        return CodeCheck(recognition, repository.find_batch_by_lot_code(session, recognition.value))
    if scheme.startswith("gs1-") and "gtin" in parts and "batch" in parts and "serial" not in parts:
        lot_code = codespace.gs1_lot_code(str(parts["gtin"]), str(parts["batch"]))
        return CodeCheck(recognition, repository.find_batch_by_lot_code(session, lot_code))
    located = codespace.locate(scheme, parts)
    if located is None:
        return CodeCheck(recognition, None)
    counter, serial = located
    return CodeCheck(recognition, repository.find_batch_by_serial(session, counter=counter, serial=serial))


def batch_labels_pdf(
    session: Session,
    batch_id: str,
    *,
    actor: Party | None,
    settings: Settings,
    symbology: Symbology = "qr",
) -> bytes:
    """The label sheet of a batch the actor may read (see ``get_batch``), one label per code in serial order, each
    QR Code carrying the code's page on this node (``base_url``; GS1 codes on ``id.gs1.org`` with
    ``labels_gs1_resolver``)."""
    batch = get_batch(session, batch_id, actor=actor)
    party = session.get_one(Party, batch.party_id)
    return labelling.codes_pdf(
        batch_codes(batch),
        title=labelling.batch_title(batch, party),
        symbology=symbology,
        max_labels=settings.labels_max_per_pdf,
        node=settings.base_url,
        gs1_domain=settings.labels_gs1_resolver,
    )
