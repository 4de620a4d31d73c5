"""``zhuisu admin``: the local operator grants roles (the first admin among them), with --json."""

import doctest
import json

import pytest
from typer.testing import CliRunner

from zhuisu.app.cli import app
from zhuisu.auth import roles


@pytest.mark.usefixtures("cli_db")
def test_grant_and_list() -> None:
    runner = CliRunner()
    added = runner.invoke(app, ["parties", "add", "芝罘区市场监督管理局", "--region", "370602", "--json"])
    party_id = json.loads(added.output)["id"]
    granted = runner.invoke(
        app, ["admin", "grant", party_id, "--role", "regulator", "--jurisdiction", "370602", "--mandate", "food,drug"]
    )
    assert granted.exit_code == 0, granted.output
    assert granted.output == f"{party_id}  regulator   芝罘区市场监督管理局  jurisdiction 370602  mandate food,drug\n"
    listed = runner.invoke(app, ["admin", "list", "--json"])
    assert json.loads(listed.output) == [
        {"id": party_id, "name": "芝罘区市场监督管理局", "role": "regulator", "jurisdiction": "370602",
         "mandate": ["food", "drug"]}
    ]  # fmt: skip


@pytest.mark.usefixtures("cli_db")
def test_bad_grant_is_one_line_and_changes_nothing() -> None:
    runner = CliRunner()
    party_id = json.loads(runner.invoke(app, ["parties", "add", "示范市甲食品有限公司", "--json"]).output)["id"]
    refused = runner.invoke(app, ["admin", "grant", party_id, "--role", "enterprise", "--jurisdiction", "3706"])
    assert (refused.exit_code, refused.output) == (1, "错误 / error: 只有监管部门有辖区和职责范围\n")
    assert json.loads(runner.invoke(app, ["admin", "list", "--json"]).output)[0]["role"] == "enterprise"


def test_roles_doctests() -> None:
    result = doctest.testmod(roles, report=False)
    assert (result.failed, result.attempted) == (0, 2)
