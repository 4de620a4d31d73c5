"""The story read model: each code's public story built once and served by one indexed read.

A built story is stored (``portal_stories``) with its JSON, its page in each language (gzip) and the things its trace
walked (``portal_story_things``). ``mark_stale`` runs in the capture transaction (it receives capture's
``events_recorded`` signal, sent after the ledger's append): every story whose trace walked a thing the new events name
becomes stale, and the story clock moves on. A stale, missing or too old story is rebuilt by the next read. So a story
is never stale once the capture that changed it (a recall, say) has committed:

- a build reads the clock version first and stores ``stale`` when the clock moved before it stored (under a
  shared lock of the clock row, which every capture's ``mark_stale`` updates), so a capture racing a build is never
  lost;
- the clock also keeps the ledger size the hook last saw: a ledger larger than that means events were written
  by some path other than capture (a restore, a bulk load), and every story is marked stale (``reconcile``).

Transactions are opened here (``unit_of_work``) since one read may take several: the read, a checkpoint signed
when the log grew, the build (read-only), and storing the result.
"""

import gzip
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import Engine, Row
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.codes.canonical import canonical_code
from zhuisu.db.session import unit_of_work
from zhuisu.epcis import identifiers
from zhuisu.events.stored import StoredEvent
from zhuisu.kit.time import utc_now
from zhuisu.ledger import service as ledger_service
from zhuisu.portal import repository
from zhuisu.portal import service as portal_service
from zhuisu.portal.schemas import PublicProductRead

log = logging.getLogger(__name__)

#: Bumped when the story or its page changes shape: rows built by another format are rebuilt.
FORMAT = "s3"
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class StoredPage:
    """What a read serves: the body (gzip HTML, or JSON) and the entity tag."""

    body: bytes
    etag: str


@dataclass(frozen=True)
class Freshness:
    """How old a story may be, and how to build one."""

    key: portal_service.LedgerKey
    max_age_seconds: float


def mark_stale(session: Session, stored: Sequence[StoredEvent]) -> None:
    """Receiver of capture's ``events_recorded`` signal: the stories the new events touch are stale; the clock moves on.

    Runs after the ledger's hook, so the log head is locked and holds this batch. If the ledger grew by more than
    this batch since the hook last ran, some capture ran without it: every story is marked stale.
    """
    if not stored:
        return
    repository.bump_clock(session)
    _, seen = repository.read_clock(session)
    size = ledger_service.tree_size(session)
    if seen != size - len(stored):
        repository.mark_all_stale(session)
    repository.set_clock_size(session, size)
    repository.mark_stale(session, {thing for event in stored for thing in identifiers.named_codes(event.event)})


def mark_findings_stale(session: Session, codes: Sequence[str], gtins: Sequence[str]) -> None:
    """Receiver of ``oversight.inspections.signals.findings_recorded``: the stories of the codes and of every code of
    the GTINs (a report on a lot concerns its items) are stale; the clock moves on, so a racing build stores stale."""
    repository.bump_clock(session)
    repository.mark_product_stale(session, codes, gtins)


def mark_notices(session: Session, things: Sequence[str]) -> None:
    """Receiver of recall's ``notices_changed`` signal: a recall notice was published or closed on the product
    pages of ``things``; their stories are stale and the clock moves on (a build racing it stores stale)."""
    if not things:
        return
    repository.bump_clock(session)
    repository.mark_stale(session, things)


def mark_product_registered(session: Session, gtin: str) -> None:
    """Receiver of the parties' ``product_registered``: the stories of the GTIN's codes (items, lots, the product)
    were built without its name and producer: stale, as after a finding on the GTIN."""
    mark_findings_stale(session, [], [gtin])


def mark_witnessed(session: Session, witness: str, before: int, size: int) -> None:
    """Receiver of the ledger's ``log_cosigned``: a witness now covers checkpoints up to ``size`` (``before``: what it
    covered until now). The stories checked against a checkpoint it covers for the first time (``before`` <
    tree size ≤ ``size``) must say who witnessed their records: stale, and the clock moves on (a build racing it
    stores stale). A story it covered already keeps its page until something else changes it."""
    if size <= before:
        return
    repository.bump_clock(session)
    repository.mark_checked_between_stale(session, above=before, upto=size)


def mark_mismatched(session: Session, event_ids: Sequence[str]) -> None:
    """Receiver of the ledger's ``records_mismatched``: rows changed behind the log's back (``event_ids``, maybe
    none when only a derived row was wrong), whose codes may be changed too, so every story is stale; the next
    build re-checks each event and shows the failure."""
    repository.mark_all_stale(session)


def reconcile(maker: sessionmaker[Session]) -> None:
    """Every story is stale, and the clock catches up with the ledger (after captures the hook did not see)."""
    with unit_of_work(maker) as session:
        repository.bump_clock(session)
        repository.set_clock_size(session, ledger_service.tree_size(session))
        repository.mark_all_stale(session)


def read(maker: sessionmaker[Session], code: str, kind: str, *, max_age_seconds: float) -> StoredPage | None:
    """The stored page (``zh``/``en``, gzip) or story JSON (``json``) of a canonical code, when fresh. Reads
    only (the web pages call it on the event loop)."""
    row = _read_row(maker, code, kind)
    if row is None or row.stale or not row.etag.startswith(FORMAT):
        return None
    if max_age_seconds > 0 and row.built_at < utc_now() - timedelta(seconds=max_age_seconds):
        return None
    if row.seen < row.size:  # a capture the hook did not see: the build catches up first (``prepare``)
        return None
    return StoredPage(bytes(row[0]), row.etag)


def _read_row(maker: sessionmaker[Session], code: str, kind: str) -> Row[Any] | None:
    """The one read of the hot path, on a plain connection (an ORM session costs more than the read)."""
    bind = maker.kw.get("bind")
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return repository.read_story(connection, code, kind)
    with unit_of_work(maker, write=False) as session:
        return repository.read_story(session.connection(), code, kind)


def load(maker: sessionmaker[Session], text: str, kind: str, *, freshness: Freshness) -> StoredPage:
    """The page or JSON of ``text`` (any code), from the read model, else built and stored.

    Raises ``UnknownCode`` when nothing is recorded about the code (nothing is stored then).
    """
    code = canonical_code(text)
    found = read(maker, code, kind, max_age_seconds=freshness.max_age_seconds)
    if found is not None:
        return found
    pages = build(maker, text, key=freshness.key)
    return pages[kind]


def story(maker: sessionmaker[Session], text: str, *, freshness: Freshness) -> PublicProductRead:
    """The story of ``text`` as a schema (for the linkset and redirects)."""
    return PublicProductRead.model_validate_json(load(maker, text, "json", freshness=freshness).body)


def build(
    maker: sessionmaker[Session], text: str, *, key: portal_service.LedgerKey, prepared: bool = False
) -> dict[str, StoredPage]:
    """Build the story of ``text`` and store it; the JSON and the pages, by kind. ``prepared``: the caller ran
    ``prepare`` already (the story builder, once per batch)."""
    if not prepared:
        prepare(maker)
    with unit_of_work(maker, write=False) as session:
        version, _ = repository.read_clock(session)
        built = portal_service.build_story(session, text, key=key)
    pages = render_pages(built.story)
    _store(maker, built, pages, version)
    return pages


def prepare(maker: sessionmaker[Session]) -> None:
    """Before a build: catch up with captures the clock did not see (``reconcile``), so the build itself only
    reads. (Checkpoints are signed by the writers: see ``ledger.service``.)"""
    with unit_of_work(maker, write=False) as session:
        size = ledger_service.tree_size(session)
        _, seen = repository.read_clock(session)
    if seen < size:
        reconcile(maker)


def render_pages(story: PublicProductRead) -> dict[str, StoredPage]:
    # the templates (Jinja2, the pages' environment) are loaded by the first page built, not by every capture that
    # marks stories stale (zhuisu import starts without them)
    from zhuisu.web.rendering import render_text

    data = story.model_dump(mode="json")
    body = orjson.dumps(data)
    etag = f"{FORMAT}-{hashlib.sha256(body).hexdigest()[:24]}"
    pages = {"json": StoredPage(body, etag)}
    for lang in LANGUAGES:
        html = render_text("portal/product.html", lang, {"story": story, "story_json": data})
        pages[lang] = StoredPage(gzip.compress(html.encode(), compresslevel=6, mtime=0), etag)
    return pages


def _store(
    maker: sessionmaker[Session], built: portal_service.BuiltStory, pages: dict[str, StoredPage], version: int
) -> None:
    """Store the story; stale at once if a capture moved the clock since the build began. Best effort: a story
    not stored (a conflicting write) is built again by the next read."""
    try:
        with unit_of_work(maker) as session:
            now, _ = repository.read_clock(session, lock=True)
            repository.add_verified(session, built.verified)
            values = {
                "code": built.story.code,
                "story": pages["json"].body,
                "page_zh": pages["zh"].body,
                "page_en": pages["en"].body,
                "etag": pages["json"].etag,
                "version": version,
                "tree_size": built.story.verification.tree_size,
                "stale": now != version,
                "built_at": utc_now(),
            }
            repository.save_story(session, values, built.things)
    except (IntegrityError, DBAPIError) as exc:
        log.warning("portal story of %s not stored: %s", built.story.code, exc)
