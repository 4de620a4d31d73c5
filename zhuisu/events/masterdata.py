"""EPCIS master data (``epcisHeader.epcisMasterData`` vocabularies) kept for WD_ / HASATTR_ / EQ_ATTR_ queries."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.codes.canonical import canonical_id
from zhuisu.kit.time import utc_now
from zhuisu.models import VocabularyElement


def vocabularies_of(document: Any) -> list[dict[str, Any]]:
    """The vocabulary list a document's header carries (``[]`` when none)."""
    header = document.get("epcisHeader") if isinstance(document, dict) else None
    master = header.get("epcisMasterData") if isinstance(header, dict) else None
    vocabularies = master.get("vocabularyList") if isinstance(master, dict) else None
    return [v for v in vocabularies or [] if isinstance(v, dict)]


def record_vocabularies(session: Session, document: Any) -> int:
    """Store (or replace) every vocabulary element of ``document``'s header; returns how many were stored."""
    stored = 0
    for vocabulary in vocabularies_of(document):
        vtype = str(vocabulary.get("type", ""))
        for item in vocabulary.get("vocabularyElementList") or []:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            element_id = canonical_id(item["id"])
            row = session.scalar(
                select(VocabularyElement).where(
                    VocabularyElement.element_id == element_id, VocabularyElement.vocabulary_type == vtype
                )
            )
            if row is None:
                row = VocabularyElement(vocabulary_type=vtype, element_id=element_id)
                session.add(row)
            row.attributes = {
                str(a.get("id")): a.get("attribute") for a in item.get("attributes") or [] if isinstance(a, dict)
            }
            row.children = [canonical_id(c) for c in item.get("children") or [] if isinstance(c, str)]
            row.updated_at = utc_now()
            stored += 1
    session.flush()
    return stored
