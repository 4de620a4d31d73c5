"""Queries of the portal's own tables: complaints and reports, the story read model, the verified-event memo."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, bindparam, delete, join, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from zhuisu.models import (
    Certificate,
    Complaint,
    Inspection,
    LedgerHead,
    Party,
    PortalStory,
    PortalStoryClock,
    PortalStoryThing,
    PortalVerifiedEvent,
)

CLOCK_ID = 1
HEAD_ID = 1
_CHUNK = 500
_PAGE_COLUMN = {"zh": PortalStory.page_zh, "en": PortalStory.page_en, "json": PortalStory.story}


def find_by_reference(session: Session, reference: str) -> Complaint | None:
    return session.scalar(select(Complaint).where(Complaint.reference == reference))


def list_complaints(session: Session, *, status: str | None, region_prefix: str, limit: int) -> list[Complaint]:
    stmt = select(Complaint).order_by(Complaint.created_at.desc(), Complaint.id).limit(limit)
    if status:
        stmt = stmt.where(Complaint.status == status)
    if region_prefix:
        stmt = stmt.where(
            or_(
                Complaint.region.startswith(region_prefix),
                Complaint.place_region.startswith(region_prefix),
                and_(Complaint.region.is_(None), Complaint.place_region.is_(None)),
            )
        )
    return list(session.scalars(stmt))


def regulators_within(session: Session, region_prefix: str) -> list[Party]:
    stmt = select(Party).where(Party.actor == "regulator").order_by(Party.name, Party.id)
    if region_prefix:
        stmt = stmt.where(Party.jurisdiction.startswith(region_prefix, autoescape=True))
    return list(session.scalars(stmt))


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _read_statement(column: Any) -> Select[Any]:
    return (
        select(
            column,
            PortalStory.etag,
            PortalStory.stale,
            PortalStory.built_at,
            PortalStoryClock.tree_size.label("seen"),
            LedgerHead.size.label("size"),
        )
        .select_from(
            join(PortalStory, PortalStoryClock, PortalStoryClock.id == CLOCK_ID).join(
                LedgerHead, LedgerHead.id == HEAD_ID
            )
        )
        .where(PortalStory.code == bindparam("code"))
    )


#: The hot path of the public pages, one statement per kind, built once. It reads the ledger head's size too
#: (the one read of another domain's table here, to keep a page one indexed read): a ledger larger than the
#: clock's ``seen`` size means a capture ran without the portal's hook.
_READ = {kind: _read_statement(column) for kind, column in _PAGE_COLUMN.items()}


def read_story(connection: Connection, code: str, kind: str) -> Row[Any] | None:
    """(body, etag, stale, built_at, seen, size) of a stored story: ``kind`` is ``zh`` / ``en`` (gzip page) or
    ``json``; ``seen`` is the ledger size the capture hook last saw, ``size`` the ledger's size now."""
    return connection.execute(_READ[kind], {"code": code}).one_or_none()


def read_clock(session: Session, *, lock: bool = False) -> tuple[int, int]:
    """(version, tree_size) of the story clock; ``lock`` holds it against captures until the transaction ends
    (``FOR SHARE``; SQLite serialises writers anyway)."""
    statement = select(PortalStoryClock.version, PortalStoryClock.tree_size).where(PortalStoryClock.id == CLOCK_ID)
    row = session.execute(statement.with_for_update(read=True) if lock else statement).one_or_none()
    return (int(row.version), int(row.tree_size)) if row else (0, 0)


def bump_clock(session: Session) -> None:
    """One more capture seen (an upsert: the row may not exist yet); on PostgreSQL this locks the clock row
    until the transaction ends, so builds storing meanwhile wait and see the new version."""
    insert = _insert(session)
    statement = insert(PortalStoryClock).values(id=CLOCK_ID, version=1, tree_size=0)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[PortalStoryClock.id], set_={"version": PortalStoryClock.version + 1}
        )
    )


def set_clock_size(session: Session, size: int) -> None:
    session.execute(update(PortalStoryClock).where(PortalStoryClock.id == CLOCK_ID).values(tree_size=size))


def mark_stale(session: Session, things: Iterable[str]) -> None:
    """Every story whose trace walked one of ``things`` is stale."""
    values = sorted(set(things))
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        codes = select(PortalStoryThing.code).where(PortalStoryThing.thing.in_(chunk))
        session.execute(
            update(PortalStory)
            .where(PortalStory.code.in_(codes), PortalStory.stale.is_(False))
            .values(stale=True)
            .execution_options(synchronize_session=False)
        )


def mark_checked_between_stale(session: Session, *, above: int, upto: int) -> None:
    """Every story whose proofs were checked against a checkpoint of size in (``above``, ``upto``] is stale."""
    session.execute(
        update(PortalStory)
        .where(PortalStory.tree_size > above, PortalStory.tree_size <= upto, PortalStory.stale.is_(False))
        .values(stale=True)
        .execution_options(synchronize_session=False)
    )


def mark_all_stale(session: Session) -> None:
    session.execute(
        update(PortalStory)
        .where(PortalStory.stale.is_(False))
        .values(stale=True)
        .execution_options(synchronize_session=False)
    )


def save_story(session: Session, values: dict[str, Any], things: Sequence[str]) -> None:
    """Insert or replace a story and the things it depends on."""
    insert = _insert(session)
    statement = insert(PortalStory).values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[PortalStory.code],
            set_={k: getattr(statement.excluded, k) for k in values if k != "code"},
        )
    )
    session.execute(delete(PortalStoryThing).where(PortalStoryThing.code == values["code"]))
    rows = [{"code": values["code"], "thing": t} for t in sorted(set(things))]
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(PortalStoryThing).values(rows[start : start + _CHUNK]).on_conflict_do_nothing())


def verified_events(session: Session, event_ids: Sequence[str]) -> dict[str, tuple[int, str | None]]:
    """eventID → (checkpoint size, body digest checked), for those of ``event_ids`` whose proof checked out."""
    found: dict[str, tuple[int, str | None]] = {}
    ids = sorted(set(event_ids))
    columns = (PortalVerifiedEvent.event_id, PortalVerifiedEvent.tree_size, PortalVerifiedEvent.digest)
    for start in range(0, len(ids), _CHUNK):
        statement = select(*columns).where(PortalVerifiedEvent.event_id.in_(ids[start : start + _CHUNK]))
        found.update((row.event_id, (int(row.tree_size), row.digest)) for row in session.execute(statement))
    return found


def add_verified(session: Session, verified: dict[str, tuple[int, str]]) -> None:
    """Remember events whose proof checked out (a memo of an earlier body is replaced)."""
    rows = [{"event_id": e, "tree_size": size, "digest": digest} for e, (size, digest) in sorted(verified.items())]
    insert = _insert(session)
    for start in range(0, len(rows), _CHUNK):
        statement = insert(PortalVerifiedEvent).values(rows[start : start + _CHUNK])
        excluded = statement.excluded
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["event_id"], set_={"tree_size": excluded.tree_size, "digest": excluded.digest}
            )
        )


def mark_product_stale(session: Session, codes: Iterable[str], gtins: Iterable[str]) -> None:
    """Every story of ``codes`` or walking one, and every story of a code of one of ``gtins`` (its items, lots and
    the product: a finding on a lot concerns each item of it), is stale."""
    mark_stale(session, codes)
    for gtin in sorted(set(gtins)):
        session.execute(
            update(PortalStory)
            .where(PortalStory.code.startswith(f"https://id.gs1.org/01/{gtin}", autoescape=True))
            .where(PortalStory.stale.is_(False))
            .values(stale=True)
            .execution_options(synchronize_session=False)
        )


def _concerning(table: type[Inspection] | type[Certificate], code: str, gtin: str | None, lot: str | None) -> Any:
    """What concerns a story's code: recorded on the code itself, on its lot, or (a GTIN alone) on its product."""
    found = [table.code == code]
    if gtin is not None:
        found.append(table.code == f"https://id.gs1.org/01/{gtin}")
        if lot is not None:
            found.append(and_(table.gtin == gtin, table.lot == lot))
    return or_(*found)


def registered_inspections(session: Session, code: str, gtin: str | None, lot: str | None) -> list[Inspection]:
    """The inspection reports that concern a code (``oversight.inspections``), newest first."""
    stmt = select(Inspection).where(_concerning(Inspection, code, gtin, lot))
    order = (Inspection.inspected_on.desc(), Inspection.recorded_at.desc(), Inspection.id)
    return list(session.scalars(stmt.order_by(*order)))


def registered_certificates(session: Session, code: str, gtin: str | None, lot: str | None) -> list[Certificate]:
    stmt = select(Certificate).where(_concerning(Certificate, code, gtin, lot))
    return list(session.scalars(stmt.order_by(Certificate.valid_from.desc(), Certificate.id)))


def ensure_clock(session: Session) -> None:
    """The clock row exists (the first capture's hook or a reconcile makes it; a builder may come first)."""
    session.execute(
        _insert(session)(PortalStoryClock).values(id=CLOCK_ID, version=0, tree_size=0).on_conflict_do_nothing()
    )


def claim_builder(session: Session, holder: str, *, now: datetime, until: datetime) -> bool:
    """Take or renew the story builder's lease: free, ours, or expired; whether ``holder`` holds it now."""
    free = or_(
        PortalStoryClock.builder.is_(None),
        PortalStoryClock.builder == holder,
        PortalStoryClock.builder_until.is_(None),
        PortalStoryClock.builder_until < now,
    )
    statement = update(PortalStoryClock).where(PortalStoryClock.id == CLOCK_ID, free)
    result = session.execute(statement.values(builder=holder, builder_until=until))
    return bool(getattr(result, "rowcount", 0) == 1)


def release_builder(session: Session, holder: str) -> None:
    statement = update(PortalStoryClock).where(PortalStoryClock.id == CLOCK_ID, PortalStoryClock.builder == holder)
    session.execute(statement.values(builder=None, builder_until=None))


def builder_cursor(session: Session) -> int:
    return int(session.scalar(select(PortalStoryClock.built_through).where(PortalStoryClock.id == CLOCK_ID)) or 0)


def set_builder_cursor(session: Session, value: int) -> None:
    session.execute(update(PortalStoryClock).where(PortalStoryClock.id == CLOCK_ID).values(built_through=value))


def stale_codes(session: Session, limit: int) -> list[str]:
    """Codes of stale stories (a capture, a finding or a notice touched them), at most ``limit``."""
    statement = select(PortalStory.code).where(PortalStory.stale.is_(True)).order_by(PortalStory.code).limit(limit)
    return list(session.scalars(statement))


def other_format_codes(session: Session, prefix: str, limit: int) -> list[str]:
    """Codes of stories built by another format (``etag`` not starting with ``prefix``), at most ``limit``."""
    statement = select(PortalStory.code).where(~PortalStory.etag.startswith(prefix, autoescape=True))
    return list(session.scalars(statement.order_by(PortalStory.code).limit(limit)))


def fresh_codes(session: Session, codes: Sequence[str], prefix: str) -> set[str]:
    """Those of ``codes`` with a stored story that is not stale, of format ``prefix``."""
    found: set[str] = set()
    for start in range(0, len(codes), _CHUNK):
        statement = select(PortalStory.code).where(
            PortalStory.code.in_(codes[start : start + _CHUNK]),
            PortalStory.stale.is_(False),
            PortalStory.etag.startswith(prefix, autoescape=True),
        )
        found.update(session.scalars(statement))
    return found
