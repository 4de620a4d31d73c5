"""The story builder: every recorded code's story built before its first read, stale ones rebuilt, one builder at a
time, a cut-short round resumed without losing a code; and in a real two-process server."""

import gzip
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.portal.conftest import DEMO_TOKEN, LOT
from tests.support import node
from tests.support.epcis import object_event
from zhuisu.cli import runtime
from zhuisu.codes.canonical import canonical_id
from zhuisu.db.session import unit_of_work
from zhuisu.demo import service as demo_service
from zhuisu.kit.time import utc_now
from zhuisu.ledger import signals as ledger_signals
from zhuisu.models import EventEpc, PortalStory, PortalStoryClock
from zhuisu.parties import masterdata
from zhuisu.portal import prebuild, repository, stories
from zhuisu.portal.service import LedgerKey

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}
LOT_PATH = "/01/06901234222227/10/L20261001"


def _key(client: TestClient) -> LedgerKey:
    client.get("/portal")
    return client.app.state.portal.key  # type: ignore[attr-defined]


def _codes(session: Session) -> set[str]:
    return set(session.scalars(select(EventEpc.value).distinct()))


def _stories(session: Session) -> dict[str, tuple[bool, str]]:
    session.expire_all()
    return {row.code: (row.stale, row.etag) for row in session.scalars(select(PortalStory))}


def _cursor(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(PortalStoryClock.built_through)) or 0)


def _recall() -> dict[str, Any]:
    event = object_event(
        1, epcList=[], quantityList=[{"epcClass": LOT, "quantity": 1, "uom": "KGM"}], bizStep="holding"
    )
    return {"@context": EPCIS_CONTEXT, **event, "disposition": "recalled"}


@pytest.mark.usefixtures("demo")
class TestRounds:
    def test_a_round_builds_every_recorded_code_and_reads_serve_it(
        self, client: TestClient, session: Session, maker: sessionmaker[Session]
    ) -> None:
        codes = _codes(session)
        done = prebuild.Prebuilder(maker, _key(client)).round_(600)
        built = _stories(session)
        assert (done.built, done.skipped, done.more) == (len(codes), 0, False)
        assert set(built) == codes
        assert {stale for stale, _ in built.values()} == {False}
        assert _cursor(session) == session.scalar(select(func.max(EventEpc.id)))
        # a first read is the stored page: nothing built, nothing written
        at = session.scalar(select(PortalStory.built_at).where(PortalStory.code == LOT))
        page = client.get(LOT_PATH)
        assert page.status_code == 200
        assert page.headers["etag"] == f'W/"{built[LOT][1]}-zh"'
        session.expire_all()
        assert session.scalar(select(PortalStory.built_at).where(PortalStory.code == LOT)) == at

    def test_a_second_round_finds_nothing(
        self, client: TestClient, session: Session, maker: sessionmaker[Session]
    ) -> None:
        builder = prebuild.Prebuilder(maker, _key(client))
        builder.round_(600)
        before = _stories(session)
        assert builder.round_(600) == prebuild.Round(0, 0, False)
        assert _stories(session) == before

    def test_stale_and_new_codes_are_built_by_the_next_round(
        self, client: TestClient, session: Session, maker: sessionmaker[Session]
    ) -> None:
        builder = prebuild.Prebuilder(maker, _key(client))
        builder.round_(600)
        assert client.post("/events", json=_recall(), headers=AUTH).status_code == 201
        stale = {code for code, (flag, _) in _stories(session).items() if flag}
        assert LOT in stale
        new = object_event(7)
        assert client.post("/events", json={"@context": EPCIS_CONTEXT, **new}, headers=AUTH).status_code == 201
        done = builder.round_(600)
        after = _stories(session)
        assert (done.built, done.skipped) == (len(stale) + 1, 0)
        assert set(after) == _codes(session)
        assert {flag for flag, _ in after.values()} == {False}
        assert 'id="recall"' in gzip.decompress(session.get_one(PortalStory, LOT).page_zh).decode()

    def test_one_builder_at_a_time(self, client: TestClient, session: Session, maker: sessionmaker[Session]) -> None:
        key = _key(client)
        first, second = prebuild.Prebuilder(maker, key), prebuild.Prebuilder(maker, key)
        assert first.round_(0) == prebuild.Round(0, 0, True)  # holds the lease, built nothing yet
        assert second.round_(600) == prebuild.Round(0, 0, False)
        assert _stories(session) == {}
        first.stop()  # gives the lease back
        assert second.round_(600).built == len(_codes(session))

    def test_an_expired_lease_is_taken_over(
        self, client: TestClient, session: Session, maker: sessionmaker[Session]
    ) -> None:
        key = _key(client)
        prebuild.Prebuilder(maker, key, lease_seconds=-1).round_(0)
        assert prebuild.Prebuilder(maker, key).round_(600).built == len(_codes(session))

    def test_a_round_cut_short_resumes_without_losing_a_code(
        self, client: TestClient, session: Session, maker: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        builder = prebuild.Prebuilder(maker, _key(client))
        real = stories.build
        calls: list[str] = []

        def build_three(*args: Any, **kwargs: Any) -> Any:
            calls.append(args[1])
            if len(calls) == 3:
                builder._stop.set()  # as at the end of the budget, mid-batch
            return real(*args, **kwargs)

        monkeypatch.setattr(stories, "build", build_three)
        done = builder.round_(600)
        assert (done.built, done.more, len(_stories(session)), _cursor(session)) == (3, True, 3, 0)
        monkeypatch.setattr(stories, "build", real)
        builder.stop()
        rest = prebuild.Prebuilder(maker, builder.key).round_(600)
        assert rest.built == len(_codes(session)) - 3
        assert set(_stories(session)) == _codes(session)

    def test_a_failing_build_is_skipped_once_not_retried_forever(
        self, client: TestClient, session: Session, maker: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        builder = prebuild.Prebuilder(maker, _key(client))
        builder.round_(600)
        with unit_of_work(maker) as s:
            s.execute(update(PortalStory).values(stale=True))
        real = stories.build

        def fail_on_lot(*args: Any, **kwargs: Any) -> Any:
            if args[1] == LOT:
                raise RuntimeError("broken")
            return real(*args, **kwargs)

        monkeypatch.setattr(stories, "build", fail_on_lot)
        done = builder.round_(600)
        after = _stories(session)
        assert (done.built, done.skipped, done.more) == (len(after) - 1, 1, False)
        assert {code for code, (flag, _) in after.items() if flag} == {LOT}
        assert builder.round_(600) == prebuild.Round(0, 0, False)

    def test_stories_stored_stale_again_wait_for_the_next_round(
        self, client: TestClient, session: Session, maker: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # as on a node capturing without pause: every build is raced by a capture, so its story is stored stale
        builder = prebuild.Prebuilder(maker, _key(client))
        real = stories.build

        def raced(*args: Any, **kwargs: Any) -> Any:
            pages = real(*args, **kwargs)
            with unit_of_work(maker) as s:
                s.execute(update(PortalStory).where(PortalStory.code == args[1]).values(stale=True))
            return pages

        monkeypatch.setattr(stories, "build", raced)
        done = builder.round_(60)
        codes = _codes(session)
        # each code built once (the new ones too), not the first stale ones over and over until the budget ends
        assert (done.built, done.more) == (len(codes), False)
        assert _cursor(session) == session.scalar(select(func.max(EventEpc.id)))
        assert builder.round_(60).built == len(codes)  # the next round takes them again

    def test_a_product_registered_after_its_items_were_built_shows_on_their_pages(
        self, client: TestClient, session: Session, maker: sessionmaker[Session]
    ) -> None:
        item = canonical_id("urn:epc:id:sgtin:6901234.077777.1")
        new = object_event(9, epcList=["urn:epc:id:sgtin:6901234.077777.1"])
        assert client.post("/events", json={"@context": EPCIS_CONTEXT, **new}, headers=AUTH).status_code == 201
        builder = prebuild.Prebuilder(maker, _key(client))
        builder.round_(600)
        assert "示范牛肉干" not in gzip.decompress(session.get_one(PortalStory, item).page_zh).decode()
        with unit_of_work(maker) as s:
            masterdata.register_product(s, name="示范牛肉干", class_id="food", gtin=item.split("/")[4])
        assert _stories(session)[item][0] is True
        assert builder.round_(600).built == 1
        session.expire_all()
        assert "示范牛肉干" in gzip.decompress(session.get_one(PortalStory, item).page_zh).decode()

    def test_stories_of_an_older_format_are_rebuilt(
        self, client: TestClient, session: Session, maker: sessionmaker[Session]
    ) -> None:
        prebuild.Prebuilder(maker, _key(client)).round_(600)
        with unit_of_work(maker) as s:
            s.execute(update(PortalStory).where(PortalStory.code == LOT).values(etag="s1-old"))
        # a process started after the upgrade (the check of other formats runs once per process)
        with unit_of_work(maker) as s:
            s.execute(update(PortalStoryClock).values(builder=None))
        done = prebuild.Prebuilder(maker, _key(client)).round_(600)
        assert done.built == 1
        assert _stories(session)[LOT][1].startswith(stories.FORMAT + "-")


def test_turned_off_no_builder(client: TestClient) -> None:
    from zhuisu.app import web
    from zhuisu.config import Settings

    maker = client.app.state.sessionmaker  # type: ignore[attr-defined]
    off = Settings(database_url="sqlite://", portal_prebuild=False)
    assert web._story_builder(maker, off) is None


def test_a_two_process_server_builds_every_story_ahead(cli_db: str, tmp_path: Path) -> None:
    # given a node with the demo chain recorded and no story built
    maker = runtime.session_maker()
    with unit_of_work(maker) as s:
        demo_service.load_demo(s, token_secret=DEMO_TOKEN)
    engine = create_engine(cli_db)
    with Session(engine) as s:
        codes = _codes(s)
    env = {**os.environ, "ZHUISU_SUBSCRIPTIONS_POLL_SECONDS": "0.5", "ZHUISU_PORTAL_RATE_PER_SECOND": "0"}
    port = node.free_port()
    # when it serves with two worker processes
    server = node.serve(env, port, workers=2, log=tmp_path / "serve.log")
    try:
        deadline = time.monotonic() + 120
        built: dict[str, tuple[bool, str]] = {}
        while time.monotonic() < deadline and set(built) != codes:
            time.sleep(0.5)
            with Session(engine) as s:
                built = _stories(s)
        # then one of them built every code's story, before anyone asked
        assert set(built) == codes
        with Session(engine) as s:
            holder = s.scalar(select(PortalStoryClock.builder))
            at = s.scalar(select(PortalStory.built_at).where(PortalStory.code == LOT))
        assert holder is not None
        assert len(holder) == 32
        page = httpx.get(f"http://127.0.0.1:{port}{LOT_PATH}", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert page.headers["etag"] == f'W/"{built[LOT][1]}-zh"'
        with Session(engine) as s:
            assert s.scalar(select(PortalStory.built_at).where(PortalStory.code == LOT)) == at
        # and the lease is given back when the server stops
        server.terminate()
        server.wait(timeout=30)
        with Session(engine) as s:
            assert s.scalar(select(PortalStoryClock.builder)) is None
    finally:
        server.terminate()
        server.wait(timeout=30)
        engine.dispose()


def test_zhuisu_worker_builds_the_stories_in_its_round(cli_db: str) -> None:
    from typer.testing import CliRunner

    from zhuisu.app.cli import app

    maker = runtime.session_maker()
    with unit_of_work(maker) as s:
        demo_service.load_demo(s, token_secret=DEMO_TOKEN)
    result = CliRunner().invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    with maker() as s:
        assert set(_stories(s)) == _codes(s)
        assert {flag for flag, _ in _stories(s).values()} == {False}


def test_a_witness_cosigning_further_makes_the_stories_it_now_covers_stale(session: Session) -> None:
    # given stories checked against checkpoints of sizes 3, 5 and 9, and one with no checked event
    values = {"story": b"{}", "page_zh": b"", "page_en": b"", "etag": "s3-x", "version": 0, "stale": False}
    for code, size in (("a", 3), ("b", 5), ("c", 9), ("d", None)):
        repository.save_story(session, {"code": code, **values, "tree_size": size, "built_at": utc_now()}, [])
    clock = repository.read_clock(session)[0]

    def stale() -> dict[str, bool]:
        return {
            row.code: row.stale
            for row in session.scalars(select(PortalStory).execution_options(populate_existing=True))
        }

    # when the witness, which covered size 3, cosigns size 5: the story of size 5 now says who witnessed it
    ledger_signals.log_cosigned.send(session, "province/witness", 3, 5)
    assert stale() == {"a": False, "b": True, "c": False, "d": False}
    assert repository.read_clock(session)[0] == clock + 1
    # a new witness covering size 9 concerns every story checked so far
    ledger_signals.log_cosigned.send(session, "other/witness", 0, 9)
    assert stale() == {"a": True, "b": True, "c": True, "d": False}
    # the same size again changes nothing
    ledger_signals.log_cosigned.send(session, "other/witness", 9, 9)
    assert repository.read_clock(session)[0] == clock + 2
