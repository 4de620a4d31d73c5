"""The docs that are generated from code are current, and every setting is documented."""

from pathlib import Path

from scripts import architecture_doc
from zhuisu.cli.settings_doc import render
from zhuisu.config import Settings

ROOT = Path(__file__).parent.parent


def test_settings_doc_is_current() -> None:
    assert (ROOT / "docs" / "settings.md").read_text(encoding="utf-8") == render(), (
        "docs/settings.md is stale: run `python -m scripts.settings_doc`"
    )


def test_every_setting_has_a_description() -> None:
    assert [name for name, field in Settings.model_fields.items() if not field.description] == []


def test_readme_shows_the_front_door() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme
    assert "make test" in readme


def test_architecture_diagram_is_current() -> None:
    assert architecture_doc.current() == architecture_doc.block(), (
        "docs/architecture.md's room diagram is stale: run `python scripts/architecture_doc.py --write`"
    )
