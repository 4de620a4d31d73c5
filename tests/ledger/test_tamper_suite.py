"""The tamper suite: an attacker with the database changes, deletes or inserts one kind of row behind the service's
back, and the replay (``ledger.verify.verify_store``, what ``zhuisu ledger verify`` and the background verifier run)
names exactly what was touched — on both databases, over a hand-built chain with transformations (one shared
``transformationID``), aggregations, custody and a cached public story.

Each case is one attack; the expected findings are (kind, event name or None, what the report says of it). The
rewrite of the whole log (caught only by a checkpoint held elsewhere) is in ``test_ledger_cli.py``.
"""

import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.trace import chains
from tests.trace.chains import C1, I1, I3, eid
from zhuisu.ledger.verify import VerifyReport, verify_store
from zhuisu.models import (
    Event,
    EventEpc,
    EventKey,
    LedgerCheckpoint,
    LedgerHead,
    LedgerLeaf,
    LedgerNode,
    PortalStory,
    TraceCustody,
    TraceHolding,
    TraceLink,
    TraceTransformMember,
)
from zhuisu.portal import stories
from zhuisu.portal.schemas import PublicProductRead
from zhuisu.portal.service import LedgerKey

Found = tuple[str, str | None, str]
_T1 = "urn:zhuisu:tf:T1"


@dataclass(frozen=True)
class Case:
    attack: Callable[[Session], None]
    found: list[Found]
    story: bool = False


def pk(s: Session, name: str) -> int:
    found = s.scalar(select(Event.id).where(Event.event_id == eid(name)))
    assert found is not None
    return found


def _set(name: str, **values: Any) -> Callable[[Session], None]:
    def attack(s: Session) -> None:
        s.execute(update(Event).where(Event.id == pk(s, name)).values(**values))

    return attack


def _delete(table: Any, name: str) -> Callable[[Session], None]:
    def attack(s: Session) -> None:
        s.execute(delete(table).where(table.event_pk == pk(s, name)))

    return attack


def _body(s: Session) -> None:
    body = s.scalar(select(Event.body).where(Event.id == pk(s, "e3")))
    assert body is not None
    s.execute(
        update(Event).where(Event.id == pk(s, "e3")).values(body={**body, "epcList": [chains.sgtin("011111", 9)]})
    )


def _delete_event(s: Session) -> None:
    key = pk(s, "e23")
    for table in (EventEpc, EventKey, TraceHolding, TraceCustody, TraceLink):
        s.execute(delete(table).where(table.event_pk == key))
    s.execute(delete(Event).where(Event.id == key))


def _insert_event(s: Session) -> None:
    events = Event.metadata.tables["events"]
    row = dict(s.execute(select(events).where(events.c.event_id == eid("e23"))).mappings().one())
    del row["id"]
    s.execute(insert(events).values({**row, "event_id": "urn:uuid:forged", "event_hash": "ni:///sha-256;forged"}))


def _epc_value(s: Session) -> None:
    first = s.scalar(select(func.min(EventEpc.id)).where(EventEpc.event_pk == pk(s, "e4")))
    s.execute(update(EventEpc).where(EventEpc.id == first).values(value=chains.c(chains.sgtin("011111", 9)).pop()))


def _epc_insert(s: Session) -> None:
    s.execute(
        insert(EventEpc).values(event_pk=pk(s, "e5"), role="epc", value="https://id.gs1.org/00/069012340000000012")
    )


def _link_dst(s: Session) -> None:
    first = s.scalar(select(func.min(TraceLink.id)).where(TraceLink.event_pk == pk(s, "e9")))
    s.execute(update(TraceLink).where(TraceLink.id == first).values(dst=chains.c(I3).pop()))


def _forged_transform(s: Session) -> None:
    s.execute(
        insert(TraceLink).values(
            kind="transform",
            src=chains.c(chains.sgtin("011111", 9)).pop(),
            dst=chains.c(chains.A).pop(),
            event_pk=pk(s, "e7a"),
            event_time=datetime(2026, 4, 30, 20, tzinfo=UTC),
        )
    )


def _member(s: Session) -> None:
    s.execute(
        update(TraceTransformMember)
        .where(TraceTransformMember.event_pk == pk(s, "e7b"), TraceTransformMember.role == "output")
        .values(quantity=3000.0)
    )


def _custody(s: Session) -> None:
    s.execute(update(TraceCustody).where(TraceCustody.event_pk == pk(s, "e14")).values(destination="urn:evil"))


def _holding(s: Session) -> None:
    s.execute(update(TraceHolding).where(TraceHolding.event_pk == pk(s, "e19")).values(party="urn:evil"))


def _forged_holding(s: Session) -> None:
    s.execute(
        insert(TraceHolding).values(
            thing=chains.c(I1).pop(),
            event_time=datetime(2026, 6, 1, tzinfo=UTC),
            party="urn:evil",
            event_pk=pk(s, "e1"),
        )
    )


def _leaf(s: Session) -> None:
    leaf = s.scalar(select(LedgerLeaf.leaf).where(LedgerLeaf.event_pk == pk(s, "e6")))
    assert leaf is not None
    s.execute(
        update(LedgerLeaf).where(LedgerLeaf.event_pk == pk(s, "e6")).values(leaf=bytes(leaf).replace(b"\n", b"\n ", 1))
    )


def _leaf_deleted(s: Session) -> None:
    s.execute(delete(LedgerLeaf).where(LedgerLeaf.event_pk == pk(s, "e26")))


def _node(s: Session) -> None:
    key = s.scalar(select(func.min(LedgerNode.key)))
    s.execute(update(LedgerNode).where(LedgerNode.key == key).values(hash=b"\0" * 32))


def _checkpoint(s: Session) -> None:
    size = s.scalar(select(func.max(LedgerCheckpoint.size)))
    s.execute(update(LedgerCheckpoint).where(LedgerCheckpoint.size == size).values(root_hash=b"\1" * 32))


def _head(s: Session) -> None:
    s.execute(update(LedgerHead).values(size=LedgerHead.size - 1))


def _story_json(s: Session) -> None:
    """The story says 'recalled', consistently: its entity tag and both pages are made to match the forged JSON."""
    row = s.scalars(select(PortalStory)).one()
    story = PublicProductRead.model_validate_json(bytes(row.story)).model_copy(update={"recalled": True})
    pages = stories.render_pages(story)
    s.execute(
        update(PortalStory)
        .where(PortalStory.code == row.code)
        .values(story=pages["json"].body, etag=pages["json"].etag, page_zh=pages["zh"].body, page_en=pages["en"].body)
    )


def _story_page(s: Session) -> None:
    row = s.scalars(select(PortalStory)).one()
    html = gzip.decompress(bytes(row.page_zh)).replace("已召回".encode(), b"").replace(b"<main", b"<main data-x", 1)
    s.execute(update(PortalStory).where(PortalStory.code == row.code).values(page_zh=gzip.compress(html, mtime=0)))


def _story_etag(s: Session) -> None:
    row = s.scalars(select(PortalStory)).one()
    data = json.loads(bytes(row.story))
    data["verification"]["verified"] = not data["verification"]["verified"]
    body = orjson.dumps(data)
    s.execute(update(PortalStory).where(PortalStory.code == row.code).values(story=body))
    assert hashlib.sha256(body).hexdigest()[:24] not in row.etag


STORY_CODE = chains.c(I1).pop()

CASES: dict[str, Case] = {
    "event body": Case(_body, [("changed", "e3", "content (CBV event hash), body changed")]),
    "event deleted": Case(_delete_event, [("deleted", "e23", "event row {pk} is gone")]),
    "event inserted": Case(_insert_event, [("inserted", "forged", "stored event has no leaf in the ledger")]),
    "event hash column": Case(
        _set("e2", event_hash="ni:///sha-256;0"), [("changed", "e2", "event hash column changed")]
    ),
    "eventID column": Case(_set("e2", event_id="urn:uuid:renamed"), [("changed", "e2", "eventID changed")]),
    "recordTime": Case(
        _set("e8x", record_time=datetime(2020, 1, 1, tzinfo=UTC)), [("changed", "e8x", "recordTime changed")]
    ),
    "bizStep column": Case(_set("e18", biz_step="destroying"), [("changed", "e18", "biz_step changed")]),
    "eventTime column": Case(
        _set("e20", event_time=datetime(2020, 1, 1, tzinfo=UTC)), [("changed", "e20", "event_time changed")]
    ),
    "readPoint column": Case(_set("e21", read_point="urn:evil"), [("changed", "e21", "read_point changed")]),
    "disposition column": Case(_set("e24", disposition="recalled"), [("changed", "e24", "disposition changed")]),
    "bizLocation column": Case(_set("e25", biz_location="urn:evil"), [("changed", "e25", "biz_location changed")]),
    "action column": Case(_set("e1", action="DELETE"), [("changed", "e1", "action changed")]),
    "event_epcs value": Case(_epc_value, [("changed", "e4", "event_epcs changed")]),
    "event_epcs deleted": Case(
        _delete(EventEpc, "e13"),
        [("changed", "e13", "event_epcs changed")],
    ),
    "event_epcs inserted": Case(_epc_insert, [("changed", "e5", "event_epcs changed")]),
    "pack link changed": Case(_link_dst, [("changed", "e9", "trace_links changed")]),
    "unpack link deleted": Case(
        _delete(TraceLink, "e15"),
        [("changed", "e15", "trace_links changed")],
    ),
    "transform link forged": Case(
        _forged_transform,
        [
            ("changed", "e7a", f"trace_links (transformation {_T1}) changed"),
            ("changed", "e7b", f"trace_links (transformation {_T1}) changed"),
        ],
    ),
    "transformation member": Case(_member, [("changed", "e7b", "trace_transform_members changed")]),
    "custody": Case(_custody, [("changed", "e14", "trace_custody changed")]),
    "holding changed": Case(_holding, [("changed", "e19", "trace_holdings changed")]),
    "holding forged": Case(
        _forged_holding, [("derived", None, "trace_holdings holds {n} rows, the verified events give {m}")]
    ),
    "leaf changed": Case(_leaf, []),  # filled in by the test: the event and the tree above it
    "leaf deleted": Case(_leaf_deleted, []),
    "tree node": Case(_node, []),
    "signed checkpoint row": Case(_checkpoint, []),
    "log head": Case(_head, []),
    "story forged whole": Case(
        _story_json, [("derived", None, f"portal story of {STORY_CODE}: recalled differ from the records")], story=True
    ),
    "story page": Case(
        _story_page,
        [("derived", None, f"portal story of {STORY_CODE}: zh page is not the rendering of its JSON")],
        story=True,
    ),
    "story JSON": Case(
        _story_etag,
        [("derived", None, f"portal story of {STORY_CODE}: entity tag is not the digest of its JSON")],
        story=True,
    ),
}


def replay(maker: sessionmaker[Session], key: LedgerKey) -> VerifyReport:
    with maker() as s:
        return verify_store(s, log_keys=[key.vkey], origin=key.origin)


def test_the_untouched_chain_and_its_story_verify(maker: sessionmaker[Session], chain: LedgerKey) -> None:
    stories.build(maker, STORY_CODE, key=chain)
    stories.build(maker, chains.c(C1).pop(), key=chain)
    report = replay(maker, chain)
    assert (report.findings, report.leaves) == ([], 28)


@pytest.mark.parametrize("name", list(CASES))
def test_each_attack_is_named(maker: sessionmaker[Session], chain: LedgerKey, name: str) -> None:
    case = CASES[name]
    if case.story:
        stories.build(maker, STORY_CODE, key=chain)
    with maker() as s, s.begin():
        keys = {n: pk(s, n) for n in ("e23",)}
        holdings = s.scalar(select(func.count()).select_from(TraceHolding)) or 0
        case.attack(s)
    report = replay(maker, chain)
    found = [
        (f.kind, f.event_id, f.detail.split(": ", 1)[1] if f.kind == "changed" else f.detail) for f in report.findings
    ]
    expected = [
        (
            kind,
            None if who is None else "urn:uuid:forged" if who == "forged" else eid(who),
            what.format(pk=keys["e23"], n=holdings + 1, m=holdings),
        )
        for kind, who, what in case.found
    ]
    if name == "event deleted":
        found = [(k, e, d.split(": ", 1)[1]) for k, e, d in found]
    if name in TREE:
        assert found == TREE[name]
    else:
        assert found == expected
    assert not report.ok


def _nodes(*keys: tuple[int, int]) -> list[Found]:
    return [
        ("tree", None, f"stored hash of node (level {level}, index {index}) is wrong or missing")
        for level, index in keys
    ]


#: Attacks on the log itself: what each gives is fixed by the tree's shape (28 leaves; e6 is leaf 5, e26 the last).
TREE: dict[str, list[Found]] = {
    "leaf changed": [
        (
            "tree",
            eid("e6"),
            "leaf 5 is malformed: expected the event-hash line, got ' event-hash ni:///sha-256;057905fc6f636f'",
        ),
        *_nodes((0, 5), (1, 2), (2, 1), (3, 0), (4, 0)),
        ("tree", None, "the log head (size 28) does not match the 28 stored leaves"),
        ("tree", None, "checkpoint 28: the stored leaves give another root (history rewritten)"),
    ],
    "leaf deleted": [
        ("inserted", eid("e26"), "stored event has no leaf in the ledger"),
        ("tree", None, "the log head (size 28) does not match the 27 stored leaves"),
        ("tree", None, "checkpoint 28 is beyond the 27 stored leaves"),
    ],
    "tree node": _nodes((0, 0)),
    "signed checkpoint row": [("tree", None, "checkpoint 28: its row does not match its signed note")],
    "log head": [("tree", None, "the log head (size 27) does not match the 28 stored leaves")],
}
