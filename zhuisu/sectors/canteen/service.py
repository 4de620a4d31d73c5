"""The canteen procurement ledger (电子采购台账 / 索证索票): a receipt (进货验收) checked and recorded as a
``receiving`` event at the canteen's site, its row in the ledger derived from that event, the invoice photos kept
byte for byte, the daily ledger and its exports in the reader's lane (``permissions``), and what the risk rules
(``zhuisu.oversight.rules.canteen_*``) read.

Nothing here writes but ``record_receipt`` and ``store_photo``, each with its audit row in the same transaction. A
reader of None is the local operator (the command line, the demo): it sees everything.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

from zhuisu.auth.roles import covers, is_admin
from zhuisu.codes.canonical import canonical_code
from zhuisu.config import Settings
from zhuisu.errors import InvalidInput, NotFound, PermissionDenied, TooLarge, ZhuisuError
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import AuditEntry, CanteenPhoto, CanteenReceipt, Event, Inspection, Location, Party
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.sectors import recording
from zhuisu.sectors.canteen import permissions, repository
from zhuisu.sectors.canteen import vocabulary as voc
from zhuisu.sectors.canteen.receipts import Certificate, Receipt, Supplier, event, item_urn, lot_code, row_of
from zhuisu.sectors.canteen.schemas import LedgerRead, LicenceCheck, PhotoRead, ProductHint, ReceiptCreate, ReceiptRead

SOURCE = "canteen ledger (进货验收)"
#: The content types an invoice photo may have (a scan as PDF too).
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/gif", "application/pdf")
#: The longest range one read or export covers.
MAX_DAYS = 366
#: How far ahead of the node's clock a receipt may be dated (clocks differ a little).
SKEW = timedelta(minutes=5)
#: A data element capture found missing (its catalog name, as capture's message quotes it) → the form's field that
#: supplies it.
_ELEMENT_NAMES = {
    "批号": "lot",
    "生产日期": "production_date",
    "有效期（保质期）": "expiry",
    "产地": "origin",
    "承诺达标合格证号": "certificate_number",
    "动物检疫合格证号": "certificate_number",
    "检验报告编号": "certificate_number",
}


def _invalid(field_name: str, *, zh: str, en: str) -> InvalidInput:
    return InvalidInput(f"{field_name}：{zh}", message_en=f"{field_name}: {en}", field=field_name)


def _audit(session: Session, actor: Party | None, action: str, subject: str, payload: dict[str, Any]) -> None:
    session.add(AuditEntry(actor_id=actor.id if actor else None, action=action, subject=subject, payload=payload))


def beijing_today(now: datetime | None = None) -> date:
    return (now or utc_now()).astimezone(BEIJING).date()


def canteen_class(party: Party) -> str:
    """The class a canteen is supervised under: its registered class, else ``food``."""
    return party.product_class or voc.DEFAULT_CLASS


def _check_canteen(actor: Party) -> None:
    if not permissions.may_record(actor):
        raise PermissionDenied(
            "仅食堂（角色 canteen）可以记录进货验收", message_en="only a canteen (role canteen) records receipts"
        )


# photos


@dataclass(frozen=True)
class Upload:
    """An invoice photo as the form or the API received it."""

    data: bytes
    content_type: str
    filename: str = ""


def store_photo(session: Session, settings: Settings, upload: Upload, *, actor: Party) -> PhotoRead:
    """Keep an invoice photo byte for byte under its SHA-256 (the same photo again is the same row). Raises
    PermissionDenied (not a canteen), TooLarge (over ``canteen_photo_max_bytes``), InvalidInput (empty, or not an
    image or PDF)."""
    _check_canteen(actor)
    limit = settings.canteen_photo_max_bytes
    if len(upload.data) > limit:
        raise TooLarge(
            f"票据照片 {len(upload.data)} 字节，超过上限 {limit} 字节",
            message_en=f"the invoice photo of {len(upload.data)} bytes exceeds {limit} bytes",
            field="invoice_photo",
        )
    if not upload.data:
        raise _invalid("invoice_photo", zh="票据照片为空文件", en="the invoice photo is an empty file")
    content_type = upload.content_type.split(";")[0].strip().lower()
    if content_type not in PHOTO_TYPES:
        raise _invalid(
            "invoice_photo",
            zh=f"票据照片应为图片（JPEG、PNG、WebP、HEIC、GIF）或 PDF，收到 {content_type or '未知类型'}",
            en=f"the invoice photo must be an image (JPEG, PNG, WebP, HEIC, GIF) or a PDF, not {content_type or '?'}",
        )
    digest = hashlib.sha256(upload.data).hexdigest()
    found = repository.photo(session, digest)
    if found is None:
        found = CanteenPhoto(
            sha256=digest,
            content_type=content_type,
            size=len(upload.data),
            filename=upload.filename[:200],
            data=upload.data,
            uploaded_by_id=actor.id,
            uploaded_at=utc_now(),
        )
        session.add(found)
        session.flush()
        _audit(session, actor, "canteen_photo_stored", digest, {"size": found.size, "content_type": content_type})
    return PhotoRead(sha256=found.sha256, content_type=found.content_type, size=found.size, filename=found.filename)


def get_photo(session: Session, sha256: str, *, reader: Party | None) -> CanteenPhoto:
    """An invoice photo its reader may see (its uploader, or a reader of a row naming it); else NotFound."""
    found = repository.photo(session, sha256.strip().lower())
    visible = found is not None and (
        reader is None
        or is_admin(reader)
        or found.uploaded_by_id == reader.id
        or repository.photo_visible(session, found.sha256, permissions.lane(reader))
    )
    if found is None or not visible:
        raise NotFound(f"没有票据照片 {sha256}", message_en=f"no invoice photo {sha256}")
    return found


# products and suppliers


def lookup(session: Session, code: str) -> ProductHint:
    """What a scanned or typed code tells of the product: a registered GTIN's name, spec and class, the lot a lot
    code names, a zhuisu batch code's product and lot, and the lot's registered inspection report. Raises
    InvalidInput (field ``code``) for an empty code."""
    if not code.strip():
        raise _invalid("code", zh="请提供产品码", en="a code is required")
    canonical = canonical_code(code)
    hint = ProductHint(code=canonical)
    if canonical.startswith(voc.GTIN_PREFIX):
        rest = canonical[len(voc.GTIN_PREFIX) :]
        hint.gtin = rest[:14]
        parts = rest.split("/")
        if "10" in parts[1::2]:
            hint.lot = unquote(parts[parts.index("10", 1) + 1])
    else:
        batch = repository.batch_by_lot_code(session, canonical)
        if batch is not None:
            hint.gtin, hint.lot, hint.product_name = batch.gtin, batch.lot or "", batch.product_name or ""
    if hint.gtin:
        product = repository.product_by_gtin(session, hint.gtin)
        if product is not None:
            hint.product_name, hint.spec, hint.class_id = product.name, product.spec, product.class_id
    report = repository.latest_report(session, canonical, hint.gtin, hint.lot or None)
    if report is not None:
        hint.inspection = f"{report.lab} {report.report_number}"
        hint.inspection_result = report.result
    return hint


def supplier_choices(session: Session) -> list[Party]:
    """The registered enterprises of food and edible agricultural products, for the form's list."""
    return repository.suppliers(session, voc.FOOD_ROOTS)


def _clean_uscc(value: str, field_name: str) -> str:
    try:
        return str(stdnum_uscc.validate(value.strip()))
    except ValidationError as exc:
        raise _invalid(
            field_name,
            zh=f"统一社会信用代码 {value.strip()} 无效：{exc}",
            en=f"invalid unified social credit code {value.strip()!r}: {exc}",
        ) from None


def _party_uri(party: Party) -> str:
    if party.gln:
        return voc.PGLN + party.gln
    if party.uscc:
        return voc.USCC_URN + party.uscc
    return f"urn:zhuisu:party:{party.id}"


def _supplier(session: Session, body: ReceiptCreate) -> tuple[Supplier, Party | None]:
    text = body.supplier.strip()
    if text:
        found = parties_service.find_party_by_identifier(session, text) or parties_service.find_party_by_name(
            session, text
        )
        if found is None:
            raise _invalid(
                "supplier",
                zh=f"本节点没有供货者 {text}；未登记的供货者请填写名称和统一社会信用代码",
                en=f"no supplier {text} on this node; for one not registered give its name and unified social "
                "credit code",
            )
        return Supplier(found.id, found.name, found.uscc, _party_uri(found)), found
    name = body.supplier_name.strip()
    if not name:
        raise _invalid("supplier", zh="请选择或填写供货者", en="choose or enter the supplier")
    if not body.supplier_uscc.strip():
        raise _invalid(
            "supplier_uscc",
            zh="未登记的供货者须填写统一社会信用代码",
            en="a supplier not registered here needs its unified social credit code",
        )
    code = _clean_uscc(body.supplier_uscc, "supplier_uscc")
    found = parties_service.find_party_by_identifier(session, code)
    if found is not None:  # registered after all: the party's own record
        return Supplier(found.id, found.name, found.uscc, _party_uri(found)), found
    return Supplier(None, name, code, voc.USCC_URN + code), None


def check_licence(session: Session, supplier: Party | None, class_id: str, day: date) -> LicenceCheck:
    """The supplier's licence on ``day``: a confirmed food business or food production (SC) licence valid that day
    whose classes cover ``class_id`` (``verified``), else ``unverified`` with the reason."""

    def unverified(zh: str) -> LicenceCheck:
        return LicenceCheck(
            status=voc.UNVERIFIED,
            status_name=voc.STATUS_NAMES[voc.UNVERIFIED][0],
            licence_type=None,
            licence_number=None,
            class_id=class_id,
            checked_on=day,
            reason=zh,
        )

    if supplier is None:
        return unverified("供货者未在本节点登记，无法核验许可证")
    held = repository.licences(session, supplier.id, voc.LICENCE_TYPES)
    for lic in held:
        if (
            lic.confirmed_at is not None
            and lic.valid_from <= day
            and (lic.valid_to is None or day <= lic.valid_to)
            and covers(lic.classes, class_id)
        ):
            return LicenceCheck(
                status=voc.VERIFIED,
                status_name=voc.STATUS_NAMES[voc.VERIFIED][0],
                licence_type=lic.licence_type,
                licence_number=lic.number,
                valid_to=lic.valid_to,
                issuer=lic.issuer,
                class_id=class_id,
                checked_on=day,
            )
    if not held:
        return unverified("无食品经营或食品生产许可证")
    return unverified("无当日有效、经确认且覆盖该类别的许可证")


def _licence_class(hint_class: str | None, supplier: Party | None) -> str:
    for candidate in (hint_class, supplier.product_class if supplier else None):
        if candidate and candidate.split(".")[0] in voc.FOOD_ROOTS:
            return candidate
    return voc.DEFAULT_CLASS


def _site(session: Session, canteen: Party, wanted: str) -> Location:
    sites = [loc for loc in masterdata.list_locations(session, party=canteen) if loc.gln]
    text = wanted.strip().removeprefix(voc.SITE)
    chosen = next((s for s in sites if s.gln == text), None) if text else (sites[0] if sites else None)
    if chosen is None:
        raise _invalid(
            "site",
            zh="食堂没有登记这个场所（GLN）" if text else "食堂尚未登记场所（GLN），请先登记",
            en="the canteen has no such site (GLN)" if text else "the canteen has no site (GLN) registered yet",
        )
    return chosen


def _when(value: datetime | None) -> datetime:
    now = utc_now()
    if value is None:
        return now
    when = value if value.tzinfo is not None else value.replace(tzinfo=BEIJING)
    if when > now + SKEW:
        raise _invalid("received_at", zh="验收时间晚于当前时间", en="the receipt is dated in the future")
    return when


def _product(session: Session, body: ReceiptCreate) -> ProductHint:
    hint = lookup(session, body.code) if body.code.strip() else ProductHint(code="")
    lot = body.lot.strip()
    if hint.lot and lot and lot != hint.lot:
        raise _invalid(
            "lot",
            zh=f"批号 {lot} 与产品码中的批号 {hint.lot} 不一致",
            en=f"the lot {lot} differs from the code's lot {hint.lot}",
        )
    hint.lot = hint.lot or lot
    hint.product_name = body.product_name.strip() or hint.product_name
    hint.spec = body.spec.strip() or hint.spec
    if not hint.product_name:
        raise _invalid(
            "product_name", zh="缺少品名（或可识别的产品码）", en="the product name (or a code known here) is missing"
        )
    return hint


def _certificate(session: Session, body: ReceiptCreate, hint: ProductHint) -> Certificate | None:
    if body.certificate_number.strip():
        return Certificate(body.certificate_kind, body.certificate_number.strip(), "entered")
    if not hint.code:
        return None
    report = repository.latest_report(session, hint.code, hint.gtin, hint.lot or None)
    if report is None:
        return None
    return Certificate("inspection_report", f"{report.lab} {report.report_number}", "registered", report.result)


def _photo(session: Session, body: ReceiptCreate, actor: Party) -> dict[str, Any] | None:
    digest = body.invoice_photo.strip().lower()
    if not digest:
        return None
    found = repository.photo(session, digest)
    if found is None or found.uploaded_by_id != actor.id:
        raise _invalid("invoice_photo", zh=f"没有上传过票据照片 {digest}", en=f"no invoice photo {digest} was uploaded")
    return {"sha256": found.sha256, "contentType": found.content_type, "size": found.size}


def record_receipt(
    session: Session,
    settings: Settings,
    body: ReceiptCreate,
    *,
    actor: Party,
    photo: Upload | None = None,
    event_id: str | None = None,
) -> ReceiptRead:
    """进货验收: check the receipt, record its ``receiving`` event at the canteen's site (capture) and its ledger row.
    ``photo``: an invoice photo uploaded with the form (kept as ``store_photo`` keeps it). Raises PermissionDenied
    (not a canteen), InvalidInput naming the field (nothing recorded), TooLarge (the photo)."""
    _check_canteen(actor)
    unit = body.unit.strip().upper()
    if unit not in voc.UNITS:
        raise _invalid(
            "unit", zh=f"单位 {body.unit} 无效，应为 {'、'.join(voc.UNITS)} 之一", en=f"unknown unit {body.unit!r}"
        )
    receiver = body.receiver.strip()
    if not receiver:
        raise _invalid("receiver", zh="请填写验收人", en="the receiving person is required")
    location = _site(session, actor, body.site)
    when = _when(body.received_at)
    supplier, supplier_party = _supplier(session, body)
    hint = _product(session, body)
    if body.production_date and body.expiry and body.expiry < body.production_date:
        raise _invalid("expiry", zh="保质期早于生产日期", en="the expiry is before the production date")
    if not body.invoice_number.strip() and not body.invoice_photo.strip() and photo is None:
        raise _invalid("invoice_number", zh="请填写票据号或上传票据照片", en="give the invoice number or its photo")
    photo_ref = _photo(session, body, actor)
    if photo is not None:
        stored = store_photo(session, settings, photo, actor=actor)
        photo_ref = {"sha256": stored.sha256, "contentType": stored.content_type, "size": stored.size}
    day = when.astimezone(BEIJING).date()
    licence = check_licence(session, supplier_party, _licence_class(hint.class_id, supplier_party), day)
    if hint.gtin:
        code = lot_code(hint.gtin, hint.lot)
    else:
        code = hint.code or item_urn(supplier, hint.product_name)
    receipt = Receipt(
        event_id=event_id or f"urn:uuid:{uuid.uuid4()}",
        when=when,
        site=voc.SITE + str(location.gln),
        canteen_uri=_party_uri(actor) if actor.gln or actor.uscc else None,
        supplier=supplier,
        code=code,
        gtin=hint.gtin,
        product_name=hint.product_name,
        spec=hint.spec,
        product_class=hint.class_id,
        quantity=body.quantity,
        uom=unit,
        lot=hint.lot,
        production_date=body.production_date,
        expiry=body.expiry,
        origin=body.origin.strip(),
        licence=_licence_member(licence),
        invoice_number=body.invoice_number.strip(),
        photo=photo_ref,
        certificate=_certificate(session, body, hint),
        receiver=receiver,
    )
    document = event(receipt)
    pk = _capture(session, actor, document)
    row = row_of(
        document,
        event_pk=pk,
        canteen_id=actor.id,
        supplier_id=supplier.party_id,
        region=location.region or actor.region,
        class_id=canteen_class(actor),
        recorded_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    _audit(
        session,
        actor,
        "canteen_receipt_recorded",
        row.id,
        {"event": row.event_id, "supplier": supplier.name, "product": row.product_name, "licence": row.licence_status},
    )
    return _read(row, actor.name)


def _licence_member(check: LicenceCheck) -> dict[str, Any]:
    out: dict[str, Any] = {"status": check.status, "class": check.class_id, "checkedOn": check.checked_on.isoformat()}
    if check.licence_number:
        out.update(type=check.licence_type, number=check.licence_number, issuer=check.issuer)
        if check.valid_to:
            out["validTo"] = check.valid_to.isoformat()
    if check.reason:
        out["reason"] = check.reason
    return out


def _capture(session: Session, actor: Party, body: dict[str, Any]) -> int:
    """Capture the receipt's event as ``actor``'s (``sectors.recording``: capture imports the sectors, so the
    application connects it); its pk. A refused event is InvalidInput naming the form's field that supplies what
    capture missed (``_ELEMENT_FIELDS``), nothing stored."""
    try:
        stored = recording.record_event(session, body, actor=actor, source=SOURCE)
    except InvalidInput as exc:
        field_name = next((f for name, f in _ELEMENT_NAMES.items() if f"「{name}」" in exc.message), "receipt")
        raise InvalidInput(exc.message, message_en=exc.message_en, field=field_name) from None
    pk = session.scalar(select(Event.id).where(Event.event_id == body["eventID"]))
    if not stored or pk is None or repository.receipt_by_event(session, pk) is not None:
        raise InvalidInput(
            f"事件 {body['eventID']} 已记录", message_en=f"event {body['eventID']} is already recorded", field="receipt"
        )
    return int(pk)


# reading


def _read(row: CanteenReceipt, canteen: str) -> ReceiptRead:
    return ReceiptRead(
        id=row.id,
        event_id=row.event_id,
        canteen_id=row.canteen_id,
        canteen=canteen,
        region=row.region,
        day=row.day,
        received_at=row.received_at,
        supplier_id=row.supplier_id,
        supplier_name=row.supplier_name,
        supplier_uscc=row.supplier_uscc,
        product_name=row.product_name,
        spec=row.spec,
        code=row.code,
        gtin=row.gtin,
        lot=row.lot,
        quantity=row.quantity,
        uom=row.uom,
        unit_name=voc.UNITS.get(row.uom, (row.uom, row.uom))[0],
        production_date=row.production_date,
        expiry=row.expiry,
        origin=row.origin,
        licence_status=row.licence_status,
        licence_status_name=voc.STATUS_NAMES.get(row.licence_status, (row.licence_status, ""))[0],
        licence_type=row.licence_type,
        licence_number=row.licence_number,
        invoice_number=row.invoice_number,
        invoice_photo=row.invoice_photo,
        certificate_kind=row.certificate_kind,
        certificate_number=row.certificate_number,
        certificate_source=row.certificate_source,
        certificate_result=row.certificate_result,
        receiver=row.receiver,
    )


def day_range(
    day: date | None, since: date | None, until: date | None, *, today: date | None = None
) -> tuple[date, date]:
    """The Beijing days a read covers: ``day``, or ``since``…``until`` (either alone: one day), else today. Raises
    InvalidInput for a range that ends before it starts or spans more than ``MAX_DAYS``."""
    if day is not None:
        return day, day
    if since is None and until is None:
        found = today or beijing_today()
        return found, found
    first, last = since or until, until or since
    assert first is not None
    assert last is not None
    if last < first:
        raise _invalid("until", zh="结束日期早于开始日期", en="the range ends before it starts")
    if (last - first).days >= MAX_DAYS:
        raise _invalid("until", zh=f"日期范围超过 {MAX_DAYS} 天", en=f"the range spans more than {MAX_DAYS} days")
    return first, last


def ledger(session: Session, *, reader: Party | None, since: date, until: date, canteen: str = "") -> LedgerRead:
    """The ledger rows ``reader`` sees (``permissions.lane``) of the Beijing days ``since``…``until``, by time;
    ``canteen`` (a party id) narrows them to one canteen."""
    conditions = [CanteenReceipt.canteen_id == canteen.strip()] if canteen.strip() else []
    rows = repository.receipts(session, permissions.lane(reader), since, until, *conditions)
    return LedgerRead(since=since, until=until, rows=[_read(row, name) for row, name in rows])


def sites(session: Session, canteen: Party) -> list[Location]:
    return [loc for loc in masterdata.list_locations(session, party=canteen) if loc.gln]


# what the risk rules read


def unlicensed_receipts(session: Session) -> list[CanteenReceipt]:
    """Every receipt whose supplier's licence was not verified on its day."""
    return repository.unlicensed(session)


def failed_reports(session: Session) -> list[tuple[CanteenReceipt, Inspection]]:
    """Receipts of lots with a registered failed inspection report (registered before or after the receipt)."""
    return repository.failed_reports(session)


def all_receipts(session: Session) -> list[CanteenReceipt]:
    return repository.receipts_of_codes(session)


def tests_naming(session: Session, codes: list[str], steps: tuple[str, ...]) -> list[tuple[str, int, Any, Any]]:
    """(code, event pk, disposition, body) of the test events of ``steps`` naming ``codes``."""
    return repository.tests_naming(session, codes, steps)


def find_error(exc: ZhuisuError) -> str | None:
    """The field an error names, if any (the form marks it)."""
    value = exc.extra.get("field")
    return str(value) if value else None
