"""Verifications run and remembered, on both databases: the sampled replay (each leaf proved into the signed
checkpoint), runs and findings stored with the events' recorders, the background schedule, a witness's held
checkpoint as the outside reference, and who may read the findings."""

import random
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials
from tests.ledger.test_ledger_routes import capture
from tests.ledger.test_tamper_suite import STORY_CODE, pk
from tests.support.epcis import document, object_event
from tests.support.signin import sign_in
from tests.trace.chains import eid
from zhuisu.capture import service as capture_service
from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.events.stored import StoredEvent
from zhuisu.kit.time import utc_now
from zhuisu.ledger import keystore, upkeep, verifications, witness_client, witness_service
from zhuisu.ledger import repository as ledger_repository
from zhuisu.ledger import service as ledger_service
from zhuisu.ledger.verify import VerifyReport, verify_sample
from zhuisu.models import (
    Event,
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerFinding,
    LedgerHead,
    LedgerLeaf,
    LedgerNode,
    LedgerVerification,
    PortalStory,
    TraceHolding,
)
from zhuisu.parties import service as parties_service
from zhuisu.portal import stories
from zhuisu.portal.service import LedgerKey


@pytest.fixture
def settings(engine: Engine, tmp_path: Path) -> Settings:
    """Keys under the test's own directory."""
    return Settings(database_url=engine.url.render_as_string(hide_password=False), data_dir=tmp_path)


def sample(maker: sessionmaker[Session], key: LedgerKey, rate: float, **kw: object) -> VerifyReport:
    with maker() as s:
        return verify_sample(s, log_keys=[key.vkey], origin=key.origin, rate=rate, **kw)  # type: ignore[arg-type]


def found(report: VerifyReport) -> list[tuple[str, str | None, str]]:
    return [
        (f.kind, f.event_id, f.detail.split(": ", 1)[1] if f.kind == "changed" else f.detail) for f in report.findings
    ]


def rewrite_log(maker: sessionmaker[Session], node: Settings) -> None:
    """An attacker with the database and the node's key rebuilds the log (the same events, in another order) and
    signs it afresh, its old checkpoints deleted."""
    with unit_of_work(maker) as s:
        for table in (LedgerCosignature, LedgerCheckpoint, LedgerNode, LedgerLeaf):
            s.execute(delete(table))
        ledger_repository.save_head(s, 0, [])
        rows = list(s.scalars(select(Event).order_by(Event.id.desc())))
        ledger_service.append_events(
            s, [StoredEvent(e.id, e.event_id, e.event_hash, e.record_time, e.recorder_id, e.body, None) for e in rows]
        )
        ledger_service.make_checkpoint(s, origin=keystore.log_origin(node), skey=keystore.log_key(node).skey)


class TestSample:
    def test_a_whole_sample_finds_what_the_full_replay_finds(
        self, maker: sessionmaker[Session], chain: LedgerKey
    ) -> None:
        with unit_of_work(maker) as s:
            s.execute(update(Event).where(Event.id == pk(s, "e18")).values(biz_step="destroying"))
            s.execute(update(TraceHolding).where(TraceHolding.event_pk == pk(s, "e19")).values(party="urn:evil"))
        report = sample(maker, chain, 1.0)
        assert (report.leaves, report.checked, report.latest_checkpoint) == (28, 28, 28)
        assert found(report) == [
            ("changed", eid("e18"), "biz_step changed"),
            ("changed", eid("e19"), "trace_holdings changed"),
        ]

    def test_checks_the_rate_of_the_signed_leaves(self, maker: sessionmaker[Session], chain: LedgerKey) -> None:
        report = sample(maker, chain, 0.25, rng=random.Random(7))
        assert (report.leaves, report.checked, report.findings) == (28, 7, [])
        assert sample(maker, chain, 0.001).checked == 1  # at least one

    def test_a_changed_leaf_is_not_in_the_signed_checkpoint(
        self, maker: sessionmaker[Session], chain: LedgerKey
    ) -> None:
        with unit_of_work(maker) as s:
            s.execute(
                update(LedgerLeaf).where(LedgerLeaf.event_pk == pk(s, "e6")).values(leaf=b"zhuisu-leaf/v2\nforged")
            )
        report = sample(maker, chain, 1.0)
        assert [(f.kind, f.event_id, f.detail) for f in report.findings] == [
            (
                "tree",
                None,
                "leaf 5 is not in signed checkpoint 28: inclusion proof for leaf 5 of 28 does not lead to the root",
            ),
            ("tree", eid("e6"), "leaf 5 is malformed: not a zhuisu leaf (zhuisu-leaf/v1, zhuisu-leaf/v2)"),
        ]

    def test_a_head_that_does_not_extend_the_checkpoint(self, maker: sessionmaker[Session], chain: LedgerKey) -> None:
        with unit_of_work(maker) as s:
            s.execute(update(LedgerHead).values(size=LedgerHead.size - 1))
        assert found(sample(maker, chain, 0.1)) == [
            ("tree", None, "the log head (size 27) is smaller than signed checkpoint 28")
        ]

    def test_a_rewritten_log_is_caught_against_a_checkpoint_held_elsewhere(
        self, maker: sessionmaker[Session], chain: LedgerKey, settings: Settings
    ) -> None:
        with maker() as s:
            held = ledger_service.latest_checkpoint(s)
            assert held is not None
            note = held.note
        rewrite_log(maker, settings)
        assert found(sample(maker, chain, 1.0)) == []  # the rewritten log is consistent with itself
        assert found(sample(maker, chain, 0.1, external=[note])) == [
            (
                "tree",
                None,
                "external checkpoint 28: the log does not extend it (history rewritten): roots of equal sizes differ",
            )
        ]


class TestRuns:
    def test_a_run_is_kept_with_its_findings_and_the_events_recorders(
        self, maker: sessionmaker[Session], chain: LedgerKey, settings: Settings
    ) -> None:
        stories.build(maker, STORY_CODE, key=chain)
        with unit_of_work(maker) as s:
            s.execute(update(Event).where(Event.id == pk(s, "e18")).values(biz_step="destroying"))
            recorder = s.scalar(select(Event.recorder_id).where(Event.event_id == eid("e18")))
        done = verifications.run(maker, settings, trigger="cli")
        with maker() as s:
            run = s.get(LedgerVerification, done.id)
            assert run is not None
            assert (run.mode, run.trigger, run.sample_rate, run.leaves, run.checked, run.external, run.findings) == (
                "full", "cli", None, 28, 28, 0, 2,
            )  # fmt: skip
            rows = s.scalars(select(LedgerFinding).where(LedgerFinding.verification_id == done.id)).all()
            # the row, and the story of a code whose journey holds it: built from the true rows, it now differs
            # from what the changed rows give
            assert [(f.kind, f.event_id, f.party_id, f.detail) for f in rows] == [
                ("changed", eid("e18"), recorder, "leaf 19: biz_step changed"),
                ("derived", None, None, f"portal story of {STORY_CODE}: journey, verification differ from the records"),
            ]
            # what readers cached is built again, and shows the failure
            assert s.scalar(select(PortalStory.stale).where(PortalStory.code == STORY_CODE)) is True

    def test_a_clean_run_marks_nothing_stale(
        self, maker: sessionmaker[Session], chain: LedgerKey, settings: Settings
    ) -> None:
        stories.build(maker, STORY_CODE, key=chain)
        done = verifications.run(maker, settings, trigger="cli", sample_rate=0.5, rng=random.Random(1))
        assert (done.report.ok, done.report.checked) == (True, 14)
        with maker() as s:
            assert s.scalar(select(PortalStory.stale).where(PortalStory.code == STORY_CODE)) is False

    def test_the_background_verifier_runs_when_due(
        self, maker: sessionmaker[Session], chain: LedgerKey, settings: Settings
    ) -> None:
        node = settings.model_copy(update={"ledger_verify_interval_seconds": 3600, "ledger_verify_sample_rate": 0.5})
        first = upkeep.verify_if_due(maker, node)
        assert first is not None
        assert (first.report.checked, first.report.ok) == (14, True)
        assert upkeep.verify_if_due(maker, node) is None  # within the hour
        with unit_of_work(maker) as s:
            s.execute(update(LedgerVerification).values(started_at=utc_now() - timedelta(hours=2)))
        assert upkeep.verify_if_due(maker, node) is not None
        off = node.model_copy(update={"ledger_verify_interval_seconds": 0})
        with unit_of_work(maker) as s:
            s.execute(update(LedgerVerification).values(started_at=utc_now() - timedelta(days=30)))
        assert upkeep.verify_if_due(maker, off) is None
        with maker() as s:
            runs = s.execute(select(LedgerVerification.mode, LedgerVerification.trigger, LedgerVerification.checked))
            assert sorted(runs) == [("sample", "background", 14)] * 2


class TestWitnessHeld:
    @pytest.fixture
    def node(self, settings: Settings) -> Settings:
        """This node witnesses itself, so its client can ask its own endpoint."""
        settings.ledger_witnessed_logs = [keystore.log_key(settings).vkey]
        return settings

    def test_the_witness_serves_what_it_cosigned_and_the_log_is_checked_against_it(
        self, client: TestClient, maker: sessionmaker[Session], creds: Credentials, node: Settings
    ) -> None:
        capture(maker, creds, 4)
        client.get("/ledger/checkpoint")
        witness = witness_service.Witness(keystore.witness_key(node).vkey, "http://testserver/ledger/witness")

        def post(url: str, body: str) -> tuple[int, str]:
            response = client.post(url, content=body)
            return response.status_code, response.text

        def get(url: str) -> tuple[int, str]:
            response = client.get(url)
            return response.status_code, response.text

        assert witness_client.push(maker, [witness], post)[0].outcome == "cosigned"
        origin = keystore.log_origin(node)
        unknown = client.get("/ledger/witness/checkpoint", params={"origin": "nobody.example/log"})
        assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
        [held] = witness_client.held_checkpoints([witness], origin, get)
        assert (held.witness, held.detail) == (witness.name, "cosigned")
        assert held.note is not None
        assert held.note.startswith(f"{origin}\n4\n")
        # the log still extends it …
        assert verifications.run(maker, node, trigger="cli", external=[held.note]).report.findings == []
        # … until someone rewrites it
        rewrite_log(maker, node)
        full = verifications.run(maker, node, trigger="cli", external=[held.note]).report
        assert [(f.kind, f.detail) for f in full.findings] == [
            ("tree", "external checkpoint 4: the stored leaves give another root (history rewritten)")
        ]
        # an answer without the witness's cosignature is not taken
        bare = held.note.split("\n\n", 1)[0] + "\n\n" + held.note.split("\n\n", 1)[1].split("\n", 1)[0] + "\n"
        forged = witness_client.held_checkpoints([witness], origin, lambda url: (200, bare))
        assert [(h.note, h.detail) for h in forged] == [
            (None, "the answer carries no valid cosignature by the witness")
        ]


class TestLanes:
    def test_who_reads_which_findings(
        self, client: TestClient, maker: sessionmaker[Session], admin: Credentials, settings: Settings
    ) -> None:
        # given events of an enterprise of the regulator's city and of one elsewhere, both changed in SQL, and a
        # problem of the log itself
        tokens: dict[str, str] = {}
        with unit_of_work(maker) as s:
            here = parties_service.create_party(s, name="本市企业", region="370602")
            there = parties_service.create_party(s, name="外地企业", region="110105")
            regulator = parties_service.create_party(s, name="本市监管", region="370602")
            parties_service.grant(s, regulator, actor_role="regulator", jurisdiction="3706")
            for party in (here, there, regulator):
                tokens[party.name] = parties_service.issue_token(s, party=party, label="t").secret
            for n, party in enumerate((here, there)):
                capture_service.capture_document(
                    s, document(object_event(n, eventID=f"urn:uuid:lane-{n}")), actor=party
                )
        with unit_of_work(maker) as s:
            for n in range(2):
                s.execute(update(Event).where(Event.event_id == f"urn:uuid:lane-{n}").values(biz_step="destroying"))
            s.execute(update(LedgerHead).values(size=LedgerHead.size + 1))
        done = verifications.run(maker, settings, trigger="cli")
        expected = {
            "lane-0": ("changed", "urn:uuid:lane-0", "leaf 0: biz_step changed"),
            "lane-1": ("changed", "urn:uuid:lane-1", "leaf 1: biz_step changed"),
            "tree": ("tree", None, "the log head (size 3) does not match the 2 stored leaves"),
        }

        def read(token: str) -> tuple[int, list[tuple[str, str | None, str]]]:
            response = client.get("/ledger/verifications", headers={"Authorization": f"Bearer {token}"})
            body = response.json()
            if response.status_code != 200:
                return response.status_code, []
            assert (body["run"], [r["id"] for r in body["runs"]], body["runs"][0]["findings"]) == (
                done.id,
                [done.id],
                3,
            )
            return 200, [(f["kind"], f["event_id"], f["detail"]) for f in body["findings"]]

        # then the admin reads all, the city's regulator its city's and the log's own, an enterprise nothing
        assert read(admin.token) == (200, [expected["lane-0"], expected["lane-1"], expected["tree"]])
        assert read(tokens["本市监管"]) == (200, [expected["lane-0"], expected["tree"]])
        assert read(tokens["本市企业"]) == (403, [])
        assert client.get("/ledger/verifications").status_code == 401
        missing = client.get("/ledger/verifications", params={"run": 999}, headers=admin.headers)
        assert (missing.status_code, missing.json()["code"]) == (404, "not_found")

    def test_the_desk_lists_the_findings_as_alerts(
        self, client: TestClient, maker: sessionmaker[Session], settings: Settings
    ) -> None:
        with unit_of_work(maker) as s:
            regulator = parties_service.create_party(s, name="本市监管", region="370602")
            parties_service.grant(s, regulator, actor_role="regulator", jurisdiction="3706")
            token = parties_service.issue_token(s, party=regulator, label="t").secret
            s.execute(update(LedgerHead).values(size=LedgerHead.size + 1))
        verifications.run(maker, settings, trigger="cli")
        sign_in(client, token)
        page = client.get("/dashboard/integrity")
        assert page.status_code == 200
        assert "发现 1 处记录与防篡改日志不一致" in page.text
        assert "日志本身异常" in page.text
        assert "the log head (size 1) does not match the 0 stored leaves" in page.text
        assert "全量" in page.text
        assert "命令行" in page.text
