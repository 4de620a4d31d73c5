"""The ``zhuisu`` command starts without the world: its help, and a command that records nothing, import no database,
web, template, XML, spreadsheet or cryptography library (``make bench-startup`` times them)."""

import subprocess
import sys
from collections.abc import Callable

from zhuisu.app.cli import _COMMANDS
from zhuisu.cli.lazy import load
from zhuisu.issuance.codes_cli import ISSUING
from zhuisu.kit import signals

#: What ``zhuisu --help`` must not import: the heavy libraries of the domains' work.
HEAVY = ("sqlalchemy", "fastapi", "starlette", "jinja2", "lxml", "openpyxl", "cryptography", "uvicorn", "pydantic")


def _imported(*args: str) -> tuple[set[str], str]:
    """The top-level packages ``python -m zhuisu ARGS`` imports, and its output."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "zhuisu", *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = {
        line.split("|")[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return names, done.stdout


def test_help_imports_none_of_the_heavy_libraries_and_lists_every_command() -> None:
    names, out = _imported("--help")
    assert sorted(set(HEAVY) & names) == []
    assert "typer" in names  # the scan reads what the interpreter imported
    for command in [*_COMMANDS, "serve", "worker", "trace"]:
        assert f" {command} " in out, command


def test_a_command_imports_what_it_uses_not_the_other_domains() -> None:
    # codes check reads no database: no database library, nor the pages, the XML, the spreadsheets, the keys
    names, out = _imported("codes", "check", "(01)06901234123456(21)1001")
    assert out == "✓ gs1-element-string       (01)06901234123456(21)1001\n"
    assert sorted(set(HEAVY) - {"pydantic"} & names) == []
    # its group's help lists issuing by its help, without loading it (which needs the database)
    names, out = _imported("codes", "--help")
    for command in ("check", "scan", "issue", "labels", "issuer"):
        assert f" {command} " in out, command
    assert "sqlalchemy" not in names


def test_the_help_a_group_shows_for_a_lazy_command_is_the_commands_own() -> None:
    for name, (target, shown) in {**_COMMANDS, **ISSUING}.items():
        assert load(name, target).get_short_help_str(limit=300) == shown, name


def test_readers_are_imported_when_a_signal_is_first_sent() -> None:
    heard: list[int] = []

    def readers() -> list[Callable[[int], None]]:
        heard.append(1)
        return [heard.append]

    signal: signals.Signal[[int]] = signals.Signal("numbers")
    signal.connect_later(readers)
    assert heard == []
    signal.send(7)
    signal.send(8)
    assert heard == [1, 7, 8]  # the readers were asked for once
    assert len(signal.receivers) == 1
