"""The story read model: stored once, served by one read, stale as soon as a capture touching it commits."""

import gzip
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.portal.conftest import DEMO_TOKEN, LOT, SGTIN, SSCC
from tests.support.epcis import object_event
from zhuisu.app import wiring
from zhuisu.capture import service as capture_service
from zhuisu.capture import signals as capture_signals
from zhuisu.db.session import unit_of_work
from zhuisu.demo.service import DemoLoad
from zhuisu.epcis import identifiers
from zhuisu.kit.time import utc_now
from zhuisu.ledger import service as ledger_service
from zhuisu.ledger import signals as ledger_signals
from zhuisu.models import Event, EventEpc, PortalStory, PortalStoryClock, PortalStoryThing, PortalVerifiedEvent
from zhuisu.portal import repository, stories
from zhuisu.portal.service import LedgerKey

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
LOT_PATH = "/01/06901234222227/10/L20261001"
AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}


def _recall(n: int = 1) -> dict[str, Any]:
    event = object_event(
        n, epcList=[], quantityList=[{"epcClass": LOT, "quantity": 1, "uom": "KGM"}], bizStep="holding"
    )
    return {"@context": EPCIS_CONTEXT, **event, "disposition": "recalled"}


def _row(session: Session, code: str) -> PortalStory | None:
    session.expire_all()
    return session.get(PortalStory, code)


@pytest.mark.usefixtures("demo")
class TestStored:
    def test_first_read_stores_story_and_things(self, client: TestClient, session: Session) -> None:
        response = client.get(LOT_PATH)
        row = _row(session, LOT)
        assert response.status_code == 200
        assert row is not None
        assert (row.stale, row.version, row.etag.startswith("s3-"), len(row.etag)) == (False, 1, True, 27)
        assert response.headers["etag"] == f'W/"{row.etag}-zh"'
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["content-encoding"] == "gzip"
        things = set(session.scalars(select(PortalStoryThing.thing).where(PortalStoryThing.code == LOT)))
        assert LOT in things
        assert SGTIN in things

    def test_events_verified_once(self, client: TestClient, session: Session) -> None:
        client.get("/00/069012340000000016")
        verified = session.scalar(select(func.count()).select_from(PortalVerifiedEvent))
        size = ledger_service.tree_size(session)
        client.get("/01/06901234123456/21/1001")
        assert verified == 9
        assert session.scalar(select(func.count()).select_from(PortalVerifiedEvent)) == 9
        assert set(session.scalars(select(PortalVerifiedEvent.tree_size))) == {size}

    def test_second_read_is_the_stored_page(self, client: TestClient, session: Session) -> None:
        first = client.get(LOT_PATH)
        built_at = _row(session, LOT).built_at  # type: ignore[union-attr]
        second = client.get(LOT_PATH)
        assert second.text == first.text
        assert _row(session, LOT).built_at == built_at  # type: ignore[union-attr]

    def test_if_none_match_is_304(self, client: TestClient) -> None:
        etag = client.get(LOT_PATH).headers["etag"]
        again = client.get(LOT_PATH, headers={"If-None-Match": etag})
        other_language = client.get(LOT_PATH + "?lang=en", headers={"If-None-Match": etag})
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
        assert other_language.status_code == 200
        assert other_language.headers["etag"] == etag.replace("-zh", "-en")

    def test_without_gzip_the_page_is_plain(self, client: TestClient) -> None:
        response = client.get(LOT_PATH, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in response.headers
        assert response.text.startswith("<!doctype html>")

    def test_json_twin_from_the_same_row(self, client: TestClient, session: Session) -> None:
        response = client.get("/api/v1/portal/products/01/06901234222227/10/L20261001")
        row = _row(session, LOT)
        assert response.status_code == 200
        assert response.headers["etag"] == f'W/"{row.etag}-json"'  # type: ignore[union-attr]
        assert response.json()["code"] == LOT
        assert response.json()["timezone"] == "Asia/Shanghai"

    def test_local_time_with_offset(self, client: TestClient) -> None:
        story = client.get("/api/v1/portal/products/01/06901234123456/21/1001").json()
        step = story["journey"][0]
        assert (step["time"], step["local_time"]) == ("2026-04-06T22:00:00.000Z", "2026-04-07 06:00 UTC+08:00")
        assert (
            '<time datetime="2026-04-06T22:00:00.000Z">2026-04-07 06:00 UTC+08:00</time>'
            in client.get("/01/06901234123456/21/1001").text
        )

    def test_unknown_code_stores_nothing(self, client: TestClient, session: Session) -> None:
        assert client.get("/01/06901234000016").status_code == 404
        assert session.scalar(select(func.count()).select_from(PortalStory)) == 0


@pytest.mark.usefixtures("demo")
class TestNeverStale:
    def test_recall_capture_shows_banner_on_next_read(self, client: TestClient, session: Session) -> None:
        before = client.get(LOT_PATH)
        captured = client.post("/events", json=_recall(), headers=AUTH)
        after = client.get(LOT_PATH)
        assert 'id="recall"' not in before.text
        assert captured.status_code == 201
        assert 'id="recall"' in after.text
        assert after.headers["etag"] != before.headers["etag"]
        assert _row(session, LOT).stale is False  # type: ignore[union-attr]

    def test_capture_marks_only_stories_it_touches(self, client: TestClient, session: Session) -> None:
        client.get(LOT_PATH)
        client.get("/c/" + "urn%3Aepc%3Aid%3Asgtin%3A6901234.012345.9999")  # unknown: not stored
        client.post("/events", json=object_event(7), headers=AUTH)  # names none of the lot's things
        assert _row(session, LOT).stale is False  # type: ignore[union-attr]
        client.post("/events", json=_recall(), headers=AUTH)
        assert _row(session, LOT).stale is True  # type: ignore[union-attr]

    def test_capture_without_the_hook_is_caught(
        self, client: TestClient, session: Session, maker: sessionmaker[Session], demo: DemoLoad
    ) -> None:
        client.get(LOT_PATH)
        without = [r for r in capture_signals.events_recorded.receivers if r is not stories.mark_stale]
        capture_signals.events_recorded.connect(without)
        try:
            with unit_of_work(maker) as s:
                capture_service.capture_single_event(s, _recall(), actor=demo.party)
        finally:
            wiring.connect()
        assert 'id="recall"' in client.get(LOT_PATH).text
        clock = session.get_one(PortalStoryClock, 1)
        session.refresh(clock)
        assert clock.tree_size == ledger_service.tree_size(session)

    def test_build_racing_a_capture_is_stored_stale(
        self, session: Session, maker: sessionmaker[Session], demo: DemoLoad, client: TestClient
    ) -> None:
        key = _key(client)
        real = stories.portal_service.build_story

        def build_then_capture(s: Session, text: str, *, key: LedgerKey) -> Any:
            built = real(s, text, key=key)
            with unit_of_work(maker) as other:
                capture_service.capture_single_event(other, _recall(2), actor=demo.party)
            return built

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(stories.portal_service, "build_story", build_then_capture)
            pages = stories.build(maker, LOT, key=key)
        assert b'id="recall"' not in gzip.decompress(pages["zh"].body)
        assert _row(session, LOT).stale is True  # type: ignore[union-attr]
        assert 'id="recall"' in client.get(LOT_PATH).text


def _key(client: TestClient) -> LedgerKey:
    client.get("/portal")
    return client.app.state.portal.key  # type: ignore[attr-defined]


def test_mark_stale_by_things(session: Session) -> None:
    values = {
        "story": b"{}",
        "page_zh": b"",
        "page_en": b"",
        "etag": "s1-x",
        "version": 0,
        "tree_size": None,
        "stale": False,
    }
    repository.save_story(session, {"code": "a", **values, "built_at": _now()}, ["t1", "t2"])
    repository.save_story(session, {"code": "b", **values, "built_at": _now()}, ["t3"])
    repository.mark_stale(session, {"t2", "t9"})
    stale = {code: flag for code, flag in session.execute(select(PortalStory.code, PortalStory.stale))}
    assert stale == {"a": True, "b": False}


def _now() -> datetime:
    return utc_now()


def test_named_codes_canonical() -> None:
    event: dict[str, object] = {
        "epcList": ["urn:epc:id:sgtin:6901234.012345.1001"],
        "parentID": "urn:epc:id:sscc:6901234.0000000001",
        "quantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.022222.L20261001", "quantity": 1}],
        "inputEPCList": "not a list",
    }
    assert set(identifiers.named_codes(event)) == {SGTIN, SSCC, LOT}


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("tampered", ["column", "body"])
def test_a_row_changed_behind_the_log_never_shows_as_verified(
    client: TestClient, session: Session, maker: sessionmaker[Session], tampered: str
) -> None:
    # given the lot's page, verified
    assert 'id="verified"' in client.get(LOT_PATH).text
    # when one of its events is changed in SQL — a column the page reads, or the body the log commits to — and the
    # verifier reports it
    with unit_of_work(maker) as s:
        row = s.scalars(
            select(Event).join(EventEpc, EventEpc.event_pk == Event.id).where(EventEpc.value == LOT).limit(1)
        ).one()
        if tampered == "column":
            s.execute(update(Event).where(Event.id == row.id).values(disposition="recalled"))
        else:
            s.execute(update(Event).where(Event.id == row.id).values(body={**row.body, "disposition": "recalled"}))
        event_id = row.event_id
        ledger_signals.records_mismatched.send(s, [event_id])
    # then the page is built again and says the records failed verification
    page = client.get(LOT_PATH).text
    assert 'id="verified"' not in page
    assert 'id="verify-failed"' in page
    assert "记录校验失败" in page
    story = client.get(f"/api/v1/portal/products/{LOT}").json()
    assert (story["verification"]["verified"], story["verification"]["failures"]) == (False, [event_id])
    # and a recall is what the bodies say: a column changed to "recalled" raises none (a changed body shows its
    # claim beside the failure, for the consumer to see both)
    assert story["recalled"] is (tampered == "body")
