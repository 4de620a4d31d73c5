"""The cold chain (冷链): logger files imported as EPCIS sensor events, the temperature range of each product class,
and the excursions outside it (``docs/coldchain.md``).

``import_log`` is the one write: it reads the file (``logfile``), builds the readings' EPCIS document
(``documents``), has capture record it (``sectors.recording``: all of its events or none), and keeps the
file as submitted with what it derived (``coldchain_logs``) and its audit row, in the caller's transaction. The risk
rule (``oversight.rules.temperature_excursion``) and the product page (``summary``) read the ranges through
``policy``. A reader of None is the local operator (the command line): every file.
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from zhuisu.catalog import service as catalog_service
from zhuisu.catalog.rules import for_class
from zhuisu.codes.canonical import canonical_code
from zhuisu.db.engine import node_settings
from zhuisu.epcis.identifiers import named_codes
from zhuisu.errors import InvalidInput, NotFound, PermissionDenied, TooLarge
from zhuisu.kit.time import format_iso, utc_now
from zhuisu.models import AuditEntry, Event, LoggerFile, Party
from zhuisu.sectors import recording as sector_recording
from zhuisu.sectors.coldchain import documents, logfile, permissions, repository
from zhuisu.sectors.coldchain.readings import (
    Range,
    Reading,
    allowed_range,
    celsius,
    excursions,
    in_order,
    readings_of,
)
from zhuisu.sectors.coldchain.schemas import ExcursionRead, LogRead

MAX_BYTES = 20 * 1024 * 1024
MAX_CODES = 100
_SPLIT = re.compile(r"[\s,;，；、]+")
_GTIN = re.compile(r"^https://id\.gs1\.org/01/(\d{14})")


def _invalid(field_name: str, *, zh: str, en: str) -> InvalidInput:
    return InvalidInput(f"{field_name}：{zh}", message_en=f"{field_name}: {en}", field=field_name)


# ranges


@dataclass(frozen=True)
class Policy:
    """The ranges the catalog gives its classes, the node's overrides, and the excursion tolerances (minutes)."""

    catalog: Mapping[str, Range]
    overrides: Mapping[str, Range]
    tolerances: Mapping[str, float]

    def range(self, class_id: str | None) -> Range | None:
        return allowed_range(class_id, catalog=self.catalog, overrides=self.overrides)

    def tolerance(self, class_id: str | None) -> float:
        return float(for_class(self.tolerances, class_id) or 0.0)


def policy(session: Session, overrides: Mapping[str, Range] | None = None) -> Policy:
    """The ranges in effect today: the catalog's classes' ``temperature`` and the node's ``risk_temperature_ranges``
    (or ``overrides``, what a scan was configured with), and ``risk_temperature_tolerance_minutes``."""
    settings = node_settings(session)
    catalog = catalog_service.catalog_on(session)
    if overrides is None:
        overrides = (
            {k: (float(v[0]), float(v[1])) for k, v in settings.risk_temperature_ranges.items()} if settings else {}
        )
    tolerances = dict(settings.risk_temperature_tolerance_minutes) if settings else {"*": 0.0}
    return Policy(
        {c.id: c.temperature for c in catalog.classes.values() if c.temperature is not None},
        dict(overrides),
        tolerances,
    )


def gtin_of(code: str) -> str | None:
    match = _GTIN.match(code)
    return match.group(1) if match else None


def class_of(session: Session, codes: list[str], party: Party | None) -> str | None:
    """The registered class of the first of ``codes`` naming a registered product, else the party's."""
    known = repository.product_classes(session, [g for c in codes if (g := gtin_of(c))])
    found = next((known[g] for c in codes if (g := gtin_of(c)) and g in known), None)
    return found or (party.product_class if party else None)


# import


def _codes(text: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for part in _SPLIT.split(text.strip()):
        if not part:
            continue
        code = canonical_code(part)
        if not code.startswith(("https://id.gs1.org/", "urn:")):
            raise _invalid("codes", zh=f"“{part}”不是追溯码", en=f"{part!r} is not a trace code")
        found[code] = None
    if not found:
        raise _invalid(
            "codes",
            zh="请给出记录仪随附的货物：追溯码、批次码（GTIN + 批号）或物流单元 SSCC",
            en="name what the logger accompanied: item codes, a lot (GTIN + lot) or an SSCC",
        )
    if len(found) > MAX_CODES:
        raise _invalid("codes", zh=f"最多 {MAX_CODES} 个码", en=f"at most {MAX_CODES} codes")
    return tuple(found)


def _site(session: Session, actor: Party, text: str) -> tuple[str, str | None]:
    value = text.strip()
    gln = value.rsplit("/414/", 1)[1].split("/")[0] if "/414/" in value else value
    site = repository.location_by_gln(session, gln) if gln.isdigit() else None
    if site is None or site.party_id != actor.id:
        raise _invalid(
            "location",
            zh=f"{value} 不是本企业登记的位置（GLN）",
            en=f"{value} is not a site (GLN) registered to this enterprise",
        )
    return documents.SITE + gln, site.region


def leg_of(
    session: Session, actor: Party, *, codes: str, location: str = "", shipment: str = "", step: str = ""
) -> tuple[documents.Leg, str | None]:
    """What an import says about the logger's leg, checked; and the leg's region (the site's, else the actor's).
    Raises InvalidInput naming the field."""
    chosen = step.strip() or "sensor_reporting"
    if chosen not in documents.STEPS:
        raise _invalid(
            "step", zh=f"应为 {'、'.join(documents.STEPS)} 之一", en=f"must be one of {', '.join(documents.STEPS)}"
        )
    named = _codes(codes)
    site, region = _site(session, actor, location) if location.strip() else (None, None)
    number = shipment.strip()
    if len(number) > 64 or any(not c.isprintable() for c in number):
        raise _invalid("shipment", zh="运单号至多 64 个可打印字符", en="at most 64 printable characters")
    if site is None and not number:
        raise _invalid(
            "location",
            zh="请给出记录仪所在的位置（GLN），或在途时的运单号",
            en="give the site (GLN) the logger was at, or the shipment's number on the road",
        )
    return documents.Leg(named, site, number or None, chosen), region or actor.region


def import_log(
    session: Session,
    data: bytes,
    *,
    filename: str,
    actor: Party,
    codes: str,
    location: str = "",
    shipment: str = "",
    device: str = "",
    step: str = "",
) -> LogRead:
    """Record a logger's CSV export as ``actor``'s sensor events (see the module docstring). The same file imported
    again by the same party changes nothing and answers the first import (``duplicate``). Raises PermissionDenied
    (not an enterprise), TooLarge, InvalidInput naming the field — for a row: its line and column — with nothing
    stored."""
    if not permissions.may_import(actor):
        raise PermissionDenied(
            "仅企业可以导入自己的温度记录仪数据", message_en="only an enterprise imports its own loggers' data"
        )
    if len(data) > MAX_BYTES:
        raise TooLarge(f"文件超过 {MAX_BYTES // 1024 // 1024} MB", message_en="the file is too large", field="file")
    digest = hashlib.sha256(data).hexdigest()
    known = repository.find_file(session, actor.id, digest)
    if known is not None:
        return read(known, actor.name, duplicate=True)
    leg, region = leg_of(session, actor, codes=codes, location=location, shipment=shipment, step=step)
    log = logfile.parse(data, default_device=device)
    document = documents.document(log, leg, party_id=actor.id, digest=digest, created=format_iso(utc_now()))
    recording = sector_recording.record(
        session, sector_recording.Recording(document, actor, source=f"coldchain:{filename}"[:200])
    )
    events = document["epcisBody"]["eventList"]
    if recording.errors or recording.captured + recording.duplicates != len(events):
        first = recording.errors[0] if recording.errors else None
        raise InvalidInput(
            f"读数未能记录：{first.message_zh if first else '捕获被拒绝'}",
            message_en=f"the readings were not recorded: {first.message_en if first else 'capture refused them'}",
            field="codes" if first and ("/epcList/" in first.pointer or "/quantityList/" in first.pointer) else "file",
            errors=[{"pointer": e.pointer, "code": e.code, "message": e.message_en} for e in recording.errors[:20]],
        )
    row = _store(session, actor, log, leg, region, filename=filename, digest=digest, data=data)
    row.event_ids, row.capture_id = [e["eventID"] for e in events], recording.capture_id
    session.flush()
    session.add(
        AuditEntry(
            actor_id=actor.id,
            action="coldchain_log_imported",
            subject=row.id,
            payload={"sha256": digest, "readings": row.readings, "events": row.event_ids, "codes": row.codes},
        )
    )
    return read(row, actor.name)


def _store(
    session: Session,
    actor: Party,
    log: logfile.LogFile,
    leg: documents.Leg,
    region: str | None,
    *,
    filename: str,
    digest: str,
    data: bytes,
) -> LoggerFile:
    values = in_order(Reading(r.time, celsius(r.temperature, log.uom), r.line) for r in log.rows)
    class_id = class_of(session, list(leg.codes), actor)
    allowed = policy(session).range(class_id)
    found = excursions(values, allowed) if allowed else []
    row = LoggerFile(
        party_id=actor.id,
        filename=filename[:200],
        sha256=digest,
        content=data,
        encoding=log.encoding,
        device_id=", ".join(sorted({documents.device_uri(r.device) for r in log.rows}))[:500],
        codes=list(leg.codes),
        location=leg.location,
        shipment=leg.shipment,
        biz_step=leg.biz_step,
        region=region,
        class_id=class_id,
        readings=len(values),
        first_time=values[0].time,
        last_time=values[-1].time,
        min_celsius=min(v.celsius for v in values),
        max_celsius=max(v.celsius for v in values),
        allowed=list(allowed) if allowed else None,
        excursions=[e.to_json() for e in found],
        event_ids=[],
    )
    session.add(row)
    session.flush()
    return row


def read(row: LoggerFile, party_name: str, *, duplicate: bool = False) -> LogRead:
    found = [ExcursionRead.model_validate(e) for e in row.excursions]
    return LogRead(
        id=row.id,
        party_id=row.party_id,
        party=party_name,
        created_at=row.created_at,
        filename=row.filename,
        sha256=row.sha256,
        encoding=row.encoding,
        device_id=row.device_id,
        codes=list(row.codes),
        location=row.location,
        shipment=row.shipment,
        biz_step=row.biz_step,
        region=row.region,
        class_id=row.class_id,
        readings=row.readings,
        first_time=row.first_time,
        last_time=row.last_time,
        min_celsius=row.min_celsius,
        max_celsius=row.max_celsius,
        allowed=list(row.allowed) if row.allowed else None,
        excursions=found,
        minutes_outside=round(sum(e.minutes for e in found), 2),
        event_ids=list(row.event_ids),
        capture_id=row.capture_id,
        duplicate=duplicate,
    )


# reads


def list_logs(session: Session, *, reader: Party | None, limit: int = 200) -> list[LogRead]:
    """The logger files in the reader's lane (``permissions.lane``), newest first."""
    return [read(row, name) for row, name in repository.files(session, permissions.lane(reader), limit=limit)]


def get_log(session: Session, log_id: str, *, reader: Party | None) -> tuple[LoggerFile, str]:
    """One logger file in the reader's lane, with its importer's name. Raises NotFound (also outside the lane)."""
    found = repository.files(session, permissions.lane(reader), LoggerFile.id == log_id, limit=1)
    if not found:
        raise NotFound(f"没有记录仪文件 {log_id}", message_en=f"no logger file {log_id}")
    return found[0]


def get_log_read(session: Session, log_id: str, *, reader: Party | None) -> LogRead:
    row, name = get_log(session, log_id, reader=reader)
    return read(row, name)


def thing_readings(session: Session, codes: list[str]) -> dict[str, tuple[list[Reading], dict[int, Event]]]:
    """Per code, the temperature readings of the stored events naming it (in time order across events and loggers,
    each reading's ``ref`` its event's pk), with those events by pk (the risk rule's input)."""
    wanted = set(codes)
    found: dict[str, tuple[list[Reading], dict[int, Event]]] = {}
    for event in repository.sensor_events_naming(session, codes):
        values = readings_of(event.body, event.id)
        if not values:
            continue
        for code in named_codes(event.body):
            if code in wanted:
                entry = found.setdefault(code, ([], {}))
                entry[0].extend(values)
                entry[1][event.id] = event
    return {code: (in_order(values), events) for code, (values, events) in found.items()}
