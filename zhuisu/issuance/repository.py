"""Queries of the issuance domain, and the one write that must be atomic: taking a range from a counter.

``allocate`` makes sure the counter row exists (``INSERT … ON CONFLICT DO NOTHING``), then moves it with one
``UPDATE … SET next_serial = next_serial + n … RETURNING next_serial``. The UPDATE takes the row lock on
PostgreSQL (the write lock on SQLite) until the transaction ends, so a concurrent issuer of the same counter
waits, then reads the committed value: ranges never overlap, and since the counter lives in the database,
nothing is lost or repeated across restarts. A rolled-back issue rolls its counter move back with it.
"""

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from zhuisu.kit.time import utc_now
from zhuisu.models import CodeBatch, CodeCounter, CodeIssuer


def allocate(session: Session, *, key: str, count: int, party_id: str | None) -> int:
    """Reserve ``count`` serials of counter ``key`` (created at 1 on first use); return the first of them."""
    dialect = session.get_bind().dialect.name
    values = {"key": key, "party_id": party_id, "next_serial": 1, "updated_at": utc_now()}
    if dialect == "postgresql":
        session.execute(postgresql.insert(CodeCounter).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(CodeCounter).values(values).on_conflict_do_nothing())
    after = session.execute(
        update(CodeCounter)
        .where(CodeCounter.key == key)
        .values(next_serial=CodeCounter.next_serial + count, updated_at=utc_now())
        .returning(CodeCounter.next_serial)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(after) - count


def find_issuer(session: Session, party_id: str) -> CodeIssuer | None:
    return session.get(CodeIssuer, party_id)


def find_issuer_by_prefix(session: Session, prefix: str) -> CodeIssuer | None:
    return session.scalar(select(CodeIssuer).where(CodeIssuer.gs1_company_prefix == prefix))


def overlapping_prefixes(session: Session, prefix: str, party_id: str) -> list[str]:
    """Company prefixes of other parties that are a prefix of ``prefix`` or have it as a prefix."""
    rows = session.scalars(
        select(CodeIssuer.gs1_company_prefix).where(
            CodeIssuer.party_id != party_id, CodeIssuer.gs1_company_prefix.is_not(None)
        )
    )
    return [p for p in rows if p and (p.startswith(prefix) or prefix.startswith(p))]


def find_issuer_by_number(session: Session, region: str, party_number: str) -> CodeIssuer | None:
    return session.scalar(
        select(CodeIssuer).where(CodeIssuer.region == region, CodeIssuer.party_number == party_number)
    )


def find_batch(session: Session, batch_id: str) -> CodeBatch | None:
    return session.get(CodeBatch, batch_id)


def find_batch_by_serial(session: Session, *, counter: str, serial: int) -> CodeBatch | None:
    """The batch of ``counter`` whose range holds ``serial``."""
    return session.scalar(
        select(CodeBatch)
        .where(CodeBatch.counter == counter, CodeBatch.first_serial <= serial, CodeBatch.last_serial >= serial)
        .limit(1)
    )


def find_lot_batch(session: Session, *, party_id: str, scheme: str, product: str, lot: str) -> CodeBatch | None:
    """The earliest batch of a party's product (GTIN or internal code) and lot."""
    product_column = CodeBatch.gtin if scheme == "gs1" else CodeBatch.product_code
    return session.scalar(
        select(CodeBatch)
        .where(
            CodeBatch.party_id == party_id,
            CodeBatch.scheme == scheme,
            product_column == product,
            CodeBatch.lot == lot,
        )
        .order_by(CodeBatch.created_at, CodeBatch.id)
        .limit(1)
    )


def find_batch_by_lot_code(session: Session, lot_code: str) -> CodeBatch | None:
    return session.scalar(
        select(CodeBatch).where(CodeBatch.lot_code == lot_code).order_by(CodeBatch.created_at).limit(1)
    )


def list_batches(session: Session, *, party_id: str, limit: int) -> list[CodeBatch]:
    return list(
        session.scalars(
            select(CodeBatch)
            .where(CodeBatch.party_id == party_id)
            .order_by(CodeBatch.created_at.desc(), CodeBatch.id)
            .limit(limit)
        )
    )
