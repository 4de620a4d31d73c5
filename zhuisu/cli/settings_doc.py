"""Render the settings reference (docs/settings.md) from the Settings model, so the docs cannot drift."""

from zhuisu.config import Settings


def render() -> str:
    lines = [
        "# Settings",
        "",
        "Set as environment variables (or in a `.env` file in the working directory). Generated from",
        "`zhuisu/config.py` by `python -m scripts.settings_doc`; a test checks it is current.",
        "",
        "| variable | default | description |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "" if default in ("", None) else f"`{default}`"
        lines.append(f"| `ZHUISU_{name.upper()}` | {shown} | {field.description or ''} |")
    return "\n".join(lines) + "\n"
