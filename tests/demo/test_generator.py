"""The synthetic supply-chain generator: valid, deterministic, streamed, traceable."""

import json
from pathlib import Path

from sqlalchemy.orm import Session
from stdnum import ean
from stdnum.cn import uscc
from typer.testing import CliRunner

from zhuisu.app.cli import app
from zhuisu.capture import service as capture_service
from zhuisu.demo import generator
from zhuisu.epcis import validation
from zhuisu.parties import service as parties_service
from zhuisu.recall import service as recall_service


class TestParties:
    def test_fifty_valid_parties_across_all_classes(self) -> None:
        parties = generator.demo_parties(1)
        assert len(parties) == 52
        assert {p.product_class for p in parties} == set(generator.CLASSES)
        assert all(uscc.is_valid(p.uscc) and ean.is_valid(p.gln) and len(p.gln) == 13 for p in parties)
        assert all(p.region.startswith("3701") and len(p.region) == 6 for p in parties)
        assert len({p.key for p in parties}) == len({p.gln for p in parties}) == len({p.uscc for p in parties}) == 52


class TestGenerate:
    def test_valid_and_deterministic(self) -> None:
        events = list(generator.generate(600, seed=7))
        assert len(events) == 600
        assert events == list(generator.generate(600, seed=7))
        assert events != list(generator.generate(600, seed=8))
        problems = [
            p
            for i, (_, e) in enumerate(events)
            for p in validation.validate_event(e, index=i, context=generator.CONTEXT)
        ]
        assert problems == []
        assert len({e["eventID"] for _, e in events}) == 600
        keys = {p.key for p in generator.demo_parties(7)}
        assert {k for k, _ in events} <= keys

    def test_planted_anomalies_exist(self) -> None:
        steps = [e for _, e in generator.generate(4000, seed=1)]
        assert any(e.get("bizStep") == "destroying" for e in steps)
        assert len([e for e in steps if e.get("bizStep") == "shipping"]) > len(
            [e for e in steps if e.get("bizStep") == "receiving"]
        )


class TestDocument:
    def test_write_and_capture_and_trace(self, tmp_path: Path, session: Session) -> None:
        path = tmp_path / "chain.jsonld"
        generator.write_document(path, 120, seed=3)
        doc = json.loads(path.read_text())
        assert len(doc["epcisBody"]["eventList"]) == 120
        assert validation.validate_document(doc) == []
        for p in generator.demo_parties(3):
            parties_service.create_party(session, name=p.name, uscc=p.uscc, gln=p.gln, region=p.region)
        actor = parties_service.create_party(session, name="生成器")
        result = capture_service.capture_document(session, doc, actor=actor)
        assert result.count("captured") == 120
        first = doc["epcisBody"]["eventList"][0]["epcList"][0]
        impact = recall_service.recall_impact(session, first)
        assert len(impact.things) > 3
        assert impact.regions
        assert all(r.startswith("3701") for r in impact.regions)

    def test_cli(self, tmp_path: Path) -> None:
        out = tmp_path / "g.jsonld"
        result = CliRunner().invoke(app, ["demo", "generate", "--events", "50", "--seed", "2", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert len(json.loads(out.read_text())["epcisBody"]["eventList"]) == 50
