"""``zhuisu market`` on a fresh database of each kind: the stalls and a stall's ledger as JSON, a bad date named."""

import json

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from zhuisu.app.cli import app
from zhuisu.db.session import unit_of_work
from zhuisu.demo import market

runner = CliRunner()


def test_the_stalls_and_a_ledger(cli_db: str) -> None:
    # given: the demo market
    engine = create_engine(cli_db)
    with unit_of_work(sessionmaker(engine)) as s:
        market.plant(s)
    engine.dispose()
    # when
    stalls = json.loads(runner.invoke(app, ["market", "stalls", "--json"]).output)
    ledger = runner.invoke(app, ["market", "ledger", "--stall", stalls[1]["id"], "--json"])
    bad = runner.invoke(app, ["market", "ledger", "--stall", stalls[1]["id"], "--since", "昨天"])
    # then
    assert [(s["number"], s["holder"]) for s in stalls] == [
        ("A-01", "示范市历下区王记蔬菜经营部"),
        ("A-02", "示范市历下区张记果蔬店"),
    ]
    books = json.loads(ledger.output)
    assert [(r["lot"], r["purchased"], r["sold"], r["on_hand"]) for r in books["on_hand"]] == [
        ("XH2612", 30.0, 32.0, -2.0)
    ]
    assert sorted((len(d["purchases"]), len(d["sales"])) for d in books["days"]) == [(0, 2), (1, 0)]
    assert (bad.exit_code, "--since" in bad.output) == (1, True)
