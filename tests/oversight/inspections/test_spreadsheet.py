"""Inspection reports from a spreadsheet (CSV and XLSX, zh-CN headers; one row per test item), on both databases:
all rows or none, each bad row named with its row number and column."""

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.oversight.inspections.conftest import GTIN, LOT, World, count
from zhuisu.models import Inspection

HEADER = [
    "检验机构*",
    "报告编号*",
    "样品",
    "批次码或追溯码*",
    "检验日期*",
    "检验项目*",
    "检测值*",
    "单位",
    "限量",
    "单项结论*",
    "综合结论*",
]
LAB, L1 = "示范市检验检测中心", f"(01){GTIN}(10)L1"
ROWS = [
    [LAB, "JC-1", "纯牛奶", L1, "2026-06-02", "菌落总数", "2.0×10⁵", "CFU/g", "≤1.0×10⁵", "不合格", "不合格"],
    [LAB, "JC-1", "纯牛奶", L1, "2026-06-02", "大肠菌群", "<10", "CFU/g", "≤10", "合格", "不合格"],
    [LAB, "JC-2", "纯牛奶", f"{GTIN}", "2026-06-03", "蛋白质", "3.1", "g/100g", "≥2.9", "合格", "合格"],
]  # fmt: skip


def csv_file(rows: list[list[str]]) -> dict[str, tuple[str, bytes, str]]:
    text = "\n".join(",".join(r) for r in [HEADER, *rows]) + "\n"
    return {"file": ("reports.csv", ("\ufeff" + text).encode(), "text/csv")}


def xlsx_file(rows: list[list[str]]) -> dict[str, tuple[str, bytes, str]]:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADER, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return {"file": ("reports.xlsx", out.getvalue(), "application/octet-stream")}


@pytest.mark.parametrize("make", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_good_rows_make_one_report_each(client: TestClient, world: World, session: Session, make: object) -> None:
    response = client.post("/inspections/import", files=make(ROWS), headers=world.headers("inspector"))  # type: ignore[operator]
    assert response.status_code == 201, response.json()
    assert response.json()["imported"] == 2
    found = session.execute(
        select(Inspection.report_number, Inspection.code, Inspection.lot, Inspection.result).order_by(
            Inspection.report_number
        )
    ).all()
    assert found == [("JC-1", LOT, "L1", "fail"), ("JC-2", f"https://id.gs1.org/01/{GTIN}", None, "pass")]
    items = session.scalar(select(Inspection.items).where(Inspection.report_number == "JC-1"))
    assert [(i["name"], i["result"]) for i in items or []] == [("菌落总数", "fail"), ("大肠菌群", "pass")]


def test_bad_rows_are_named_and_nothing_written(client: TestClient, world: World, session: Session) -> None:
    bad = [list(r) for r in ROWS]
    bad[1][9] = "还行"  # row 3: an item result that is neither 合格 nor 不合格
    bad[2][4] = "六月三日"  # row 4: not a date
    response = client.post("/inspections/import", files=csv_file(bad), headers=world.headers("inspector"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "spreadsheet_rejected"
    assert [(e["row"], e["column"], e["code"]) for e in body["errors"]] == [
        (3, "单项结论", "invalid_result"),
        (4, "检验日期", "invalid_date"),
    ]
    assert count(session, Inspection) == 0


def test_a_report_refused_by_the_service_rolls_back_every_report(
    client: TestClient, world: World, session: Session
) -> None:
    bad = [list(r) for r in ROWS]
    bad[2][3] = "不是追溯码"  # row 4: JC-2 names no code; JC-1 was fine
    response = client.post("/inspections/import", files=csv_file(bad), headers=world.headers("inspector"))
    assert response.status_code == 400
    assert [(e["row"], e["column"], e["code"]) for e in response.json()["errors"]] == [
        (4, "批次码或追溯码", "unrecognised_code")
    ]
    assert count(session, Inspection) == 0


def test_missing_column(client: TestClient, world: World, session: Session) -> None:
    files = {"file": ("r.csv", "检验机构,报告编号\nX,1\n".encode(), "text/csv")}
    response = client.post("/inspections/import", files=files, headers=world.headers("inspector"))
    assert response.status_code == 400
    assert [e["column"] for e in response.json()["errors"]] == [
        "批次码或追溯码",
        "检验日期",
        "检验项目",
        "检测值",
        "单项结论",
        "综合结论",
    ]


def test_by_an_enterprise_is_refused(client: TestClient, world: World, session: Session) -> None:
    response = client.post("/inspections/import", files=csv_file(ROWS), headers=world.headers("A"))
    assert (response.status_code, response.json()["code"]) == (403, "not_an_inspector")
    assert count(session, Inspection) == 0
