"""--json on the commands that lacked it: each prints one JSON document of the documented shape."""

import json
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from zhuisu.app.cli import app

runner = CliRunner()
USCC = "91110000600037341L"


def run_json(*args: str, code: int = 0) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def test_tokens_and_master_data(cli_db: str, tmp_path: Path) -> None:
    party = run_json("parties", "add", "示范市甲食品有限公司", "--uscc", USCC, "--json")
    issued = run_json("tokens", "issue", USCC, "--label", "scripts", "--scope", "read", "--json")
    assert (issued["party"], issued["label"], issued["scopes"], issued["revoked_at"]) == (
        party["id"], "scripts", ["read"], None,
    )  # fmt: skip
    assert issued["secret"].startswith(issued["prefix"])
    listed = run_json("tokens", "list", USCC, "--json")
    assert [(t["id"], t["prefix"]) for t in listed] == [(issued["id"], issued["prefix"])]
    assert "secret" not in listed[0]
    assert run_json("tokens", "revoke", issued["id"], "--json") == {"id": issued["id"], "revoked": True}
    assert run_json("tokens", "list", USCC, "--json")[0]["revoked_at"] is not None

    licence = run_json(
        "masterdata", "licence", USCC, "sc_food_production", "SC10537060200011", "--valid-from", "2025-01-01", "--json"
    )
    assert {k: licence[k] for k in ("party", "licence_type", "number", "valid_from", "valid_to")} == {
        "party": party["id"], "licence_type": "sc_food_production", "number": "SC10537060200011",
        "valid_from": "2025-01-01", "valid_to": None,
    }  # fmt: skip
    site = run_json("masterdata", "location", USCC, "一号仓库", "--gln", "6901234000016", "--json")
    assert (site["name"], site["gln"]) == ("一号仓库", "6901234000016")
    product = run_json("masterdata", "product", "纯牛奶", "--class", "food.dairy", "--gtin", "06901234567892", "--json")
    assert run_json("masterdata", "products", "--json") == [product]
    table = runner.invoke(app, ["masterdata", "products", "--table"])
    assert table.stdout == f"{product['id']}  06901234567892  food.dairy            纯牛奶\n"

    template = run_json(
        "masterdata", "template", "products", "--format", "csv", "-o", str(tmp_path / "p.csv"), "--json"
    )
    assert template == {"path": str(tmp_path / "p.csv"), "kind": "products", "format": "csv"}
    rows = (tmp_path / "p.csv").read_text(encoding="utf-8-sig").splitlines()[0] + "\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(rows + "酸奶,food.nope,06901234567908,,,\n", encoding="utf-8")
    refused = run_json("masterdata", "import", "products", str(bad), "--json", code=1)
    assert (refused["kind"], refused["imported"], [e["row"] for e in refused["errors"]]) == ("products", 0, [2])


#: The commands without --json, and why.
WITHOUT_JSON = {
    "convert": "its output is the converted EPCIS document (JSON-LD or XML, as asked)",
    "serve": "runs the web server until stopped",
    "worker": "runs the delivery loop until stopped",
}


def test_every_other_command_takes_json() -> None:
    from typer._click.core import Context
    from typer.main import get_command

    root = get_command(app)
    ctx = Context(root)

    def walk(command: Any, path: list[str]) -> Any:
        if hasattr(command, "list_commands"):  # a group (the root loads each domain's commands as it is asked)
            for name in command.list_commands(ctx):
                yield from walk(command.get_command(ctx, name), [*path, name])
        else:
            yield " ".join(path), {o for p in command.params for o in getattr(p, "opts", [])}

    found = dict(walk(root, []))
    lacking = sorted(path for path, options in found.items() if "--json" not in options)
    assert lacking == sorted(WITHOUT_JSON)
    assert len(found) == 71


def test_node_commands(cli_db: str, tmp_path: Path) -> None:
    upgraded = run_json("db", "upgrade", "--json")
    shown = make_url(cli_db).render_as_string(hide_password=True)
    assert upgraded == {"revision": "heads", "database": shown}  # never the password
    releases = run_json("catalog", "releases", "--json")
    assert [(r["label"], r["effective_from"]) for r in releases] == [("national::2026.1", "2020-01-01")]
    key = run_json("ledger", "key", "--json")
    assert key == {"vkey": runner.invoke(app, ["ledger", "key"]).stdout.strip(), "kind": "log"}
    generated = run_json("demo", "generate", "--events", "20", "--out", str(tmp_path / "g.jsonld"), "--json")
    assert generated == {"path": str(tmp_path / "g.jsonld"), "events": 20, "seed": 1}
    sheet = run_json("codes", "labels", "ZS1110105A1B2C30000000001O", "--out", str(tmp_path / "l.pdf"), "--json")
    assert (sheet["path"], sheet["symbology"], sheet["bytes"] == (tmp_path / "l.pdf").stat().st_size) == (
        str(tmp_path / "l.pdf"), "qr", True,
    )  # fmt: skip
