"""Check the portal's cached stories against the events (a receiver of the ledger's replay).

A story served as fresh (not ``stale``) is what a consumer sees when scanning a code: it must say what the events
say now. At the end of a replay (``ledger.signals.replay_finished``) each fresh story is built again from the
store — the trace walk, the events and their inclusion proofs checked anew — and compared with the stored JSON;
its entity tag must be the digest of that JSON and each language's page the rendering of it. A story that differs
is reported (``derived``) and the replay's caller marks every story stale (``records_mismatched``), so the next
scan builds it afresh from the true rows. A sampled replay checks the same share of the fresh stories (at least
one). Reads only.
"""

import gzip
import random
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.db.engine import node_settings
from zhuisu.ledger.signals import DerivedCheck
from zhuisu.models import PortalStory
from zhuisu.portal import service
from zhuisu.portal.errors import UnknownCode
from zhuisu.portal.schemas import PublicProductRead
from zhuisu.portal.stories import StoredPage, render_pages

#: Fields of a story that depend on the moment and the reader, not on the records: the code as the first
#: reader typed it, and the checkpoint the proofs were checked against (a later one is as good).
_VOLATILE = ("input",)


def check_stories(session: Session, check: DerivedCheck) -> None:
    """Receiver of ``replay_finished``: report each fresh story that is not what the store gives now."""
    settings = node_settings(session)
    zone = settings.portal_timezone if settings is not None else "Asia/Shanghai"
    key = service.LedgerKey(check.origin, check.vkey, zone)
    codes = list(session.scalars(select(PortalStory.code).where(PortalStory.stale.is_(False)).order_by("code")))
    if check.sample_rate is not None and codes:
        codes = sorted(
            random.SystemRandom().sample(codes, max(1, min(len(codes), round(len(codes) * check.sample_rate))))
        )
    for code in codes:
        row = session.get(PortalStory, code)
        if row is None:
            continue
        problem = _problem(session, row, key)
        if problem is not None:
            check.mismatch(None, f"portal story of {code}: {problem}")
        session.expunge(row)


def _problem(session: Session, row: PortalStory, key: service.LedgerKey) -> str | None:
    try:
        stored = orjson.loads(bytes(row.story))
    except orjson.JSONDecodeError:
        return "its JSON cannot be read"
    pages = _rendered(stored)
    if pages is None:
        return "its JSON is not a story"
    if row.etag != pages["json"].etag:
        return "entity tag is not the digest of its JSON"
    for lang, body in (("zh", row.page_zh), ("en", row.page_en)):
        if _gunzip(bytes(body)) != _gunzip(pages[lang].body):
            return f"{lang} page is not the rendering of its JSON"
    try:
        built = service.build_story(session, stored.get("input") or row.code, key=key)
    except UnknownCode:
        return "nothing is recorded about the code any more"
    fresh = built.story.model_dump(mode="json")
    differing = sorted(
        k for k in set(fresh) | set(stored) if k not in _VOLATILE and _comparable(k, fresh) != _comparable(k, stored)
    )
    if differing:
        return f"{', '.join(differing)} differ from the records"
    return None


def _rendered(stored: dict[str, Any]) -> dict[str, StoredPage] | None:
    try:
        return render_pages(PublicProductRead.model_validate(stored))
    except ValueError:
        return None


def _comparable(key: str, story: dict[str, Any]) -> Any:
    value = story.get(key)
    if key == "verification" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "tree_size"}
    return value


def _gunzip(data: bytes) -> bytes | None:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError):
        return None
