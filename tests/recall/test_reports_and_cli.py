"""The report of a recall (XLSX cells, PDF text), the ``zhuisu recall`` commands, and the migration."""

import io
import json
from pathlib import Path

import pypdfium2
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.recall import world
from tests.recall.world import B_SITE, ITEMS, LOT
from zhuisu.app.cli import app as cli_app
from zhuisu.app.web import create_app
from zhuisu.cli.runtime import session_maker
from zhuisu.config import get_settings
from zhuisu.models import Base

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _closed_with_remainder(client: TestClient, maker: sessionmaker[Session]) -> tuple[world.World, str]:
    cast = world.build(client, maker)
    recall_id = client.post("/recalls", json=world.order(), headers=cast.a.headers).json()["id"]
    world.capture(client, cast.b, world.event(ITEMS[:2], B_SITE, 1, disposition="non_sellable_other"))
    closed = client.post(f"/recalls/{recall_id}/close", json={"note": "丙超市未回复"}, headers=cast.regulator.headers)
    assert closed.status_code == 200, closed.json()
    return cast, recall_id


def test_xlsx_report(client: TestClient, maker: sessionmaker[Session]) -> None:
    cast, recall_id = _closed_with_remainder(client, maker)
    response = client.get(f"/recalls/{recall_id}/report.xlsx", headers=cast.regulator.headers)
    assert (response.status_code, response.headers["content-type"]) == (200, XLSX)
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["概要 Summary", "持有方 Holders", "时间线 Timeline", "未确认 Unconfirmed"]
    summary = {row[0]: row[1] for row in book["概要 Summary"].iter_rows(values_only=True)}
    assert {k: summary[k] for k in ("召回编号 Recall", "状态 Status", "类型 Kind", "级别 Level", "追溯码 Code")} == {
        "召回编号 Recall": recall_id,
        "状态 Status": "已结束",
        "类型 Kind": "主动召回",
        "级别 Level": "二级召回",
        "追溯码 Code": LOT,
    }
    assert (summary["完成率 Completion"], summary["持有方 Holders"], summary["说明 Note"]) == (
        "50%",
        "1/2（逾期 0）",
        "丙超市未回复",
    )
    holders = list(book["持有方 Holders"].iter_rows(values_only=True))
    assert holders[1:] == [
        ("示范市乙超市", "370602", 2, 2, 2, None, "已确认"),
        ("北京丙超市", "110105", 2, 2, 0, None, "未确认"),
    ]
    steps = [(r[1], r[2], r[4]) for r in book["时间线 Timeline"].iter_rows(min_row=2, values_only=True)]
    assert steps == [
        ("发布召回", "示范市甲乳业有限公司", 0),
        ("隔离封存", "示范市乙超市", 2),
        ("结束召回", "监管 regulator", 0),
    ]
    remainder = list(book["未确认 Unconfirmed"].iter_rows(min_row=2, values_only=True))
    assert remainder == [(ITEMS[2], "北京丙超市", 1, None), (ITEMS[3], "北京丙超市", 1, None)]


def test_pdf_report(client: TestClient, maker: sessionmaker[Session]) -> None:
    cast, recall_id = _closed_with_remainder(client, maker)
    response = client.get(f"/recalls/{recall_id}/report.pdf", headers=cast.a.headers)
    assert (response.status_code, response.headers["content-type"]) == (200, "application/pdf")
    pdf = pypdfium2.PdfDocument(response.content)
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    for expected in (
        "召回总结报告 Recall report",
        f"召回编号 Recall: {recall_id}",
        "状态 Status: 已结束",
        "完成率 Completion: 50%",
        "北京丙超市 · 110105 · 0/2",
        "未确认 Unconfirmed (2)",
        f"{ITEMS[3]} · 北京丙超市 · 1",
    ):
        assert expected in text, expected


def test_commands(cli_db: str, tmp_path: Path) -> None:
    application = create_app(get_settings())
    application.state.sessionmaker = session_maker()
    with TestClient(application) as client:
        cast = world.build(client, session_maker())
        runner = CliRunner()
        created = runner.invoke(
            cli_app,
            [
                "recall",
                "create",
                LOT,
                "--issuer",
                cast.a.party_id,
                "--reason",
                "菌落总数超标",
                "--level",
                "1",
                "--deadline",
                "2099-12-31",
                "--json",
            ],
        )
        assert created.exit_code == 0, created.output
        read = json.loads(created.output)
        assert (read["kind"], read["level"], read["deadline"], read["completion"]["quantity_out"]) == (
            "voluntary",
            1,
            "2099-12-31T15:59:59Z",
            4.0,
        )
        refused = runner.invoke(
            cli_app,
            [
                "recall",
                "create",
                LOT,
                "--issuer",
                cast.d.party_id,
                "--reason",
                "x",
                "--level",
                "1",
                "--deadline",
                "2099-12-31",
            ],
        )
        assert refused.exit_code == 1
        world.capture(client, cast.b, world.event(ITEMS[:1], B_SITE, 1, disposition="non_sellable_other"))
    shown = json.loads(runner.invoke(cli_app, ["recall", "show", read["id"], "--json"]).output)
    assert [(h["name"], h["quantity_confirmed"], h["status"]) for h in shown["holders"]] == [
        ("示范市乙超市", 1.0, "partial"),
        ("北京丙超市", 0.0, "pending"),
    ]
    listed = json.loads(runner.invoke(cli_app, ["recall", "list", "--json"]).output)
    assert [(r["id"], r["status"], r["completion"]["percent"]) for r in listed] == [(read["id"], "open", 25.0)]
    closed = json.loads(runner.invoke(cli_app, ["recall", "close", read["id"], "--note", "结束", "--json"]).output)
    assert (closed["status"], closed["close_note"], closed["completion"]["percent"]) == ("closed", "结束", 25.0)
    out = tmp_path / "r.xlsx"
    assert (
        runner.invoke(cli_app, ["recall", "report", read["id"], "--format", "xlsx", "--out", str(out)]).exit_code == 0
    )
    assert load_workbook(out)["概要 Summary"]["B2"].value == "已结束"


def test_the_migration_builds_the_model(connection: Connection) -> None:
    differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert [d for d in differences if "recall" in repr(d)] == []
