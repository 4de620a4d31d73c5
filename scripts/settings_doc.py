"""Regenerate docs/settings.md from the Settings model: `python -m scripts.settings_doc`."""

from pathlib import Path

from zhuisu.cli.settings_doc import render

if __name__ == "__main__":
    (Path(__file__).parent.parent / "docs" / "settings.md").write_text(render(), encoding="utf-8")
