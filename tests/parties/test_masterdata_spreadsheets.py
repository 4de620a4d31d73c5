"""Spreadsheet import of master data: templates with zh-CN headers, all rows or none."""

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Credentials
from zhuisu.models import Party, Product

HEADERS = ["名称*", "统一社会信用代码", "主体类型", "角色", "行政区划代码", "GLN", "产品类别", "地址"]


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: TestClient, creds: Credentials, kind: str, name: str, data: bytes, lang: str = "zh") -> Any:
    return client.post(
        f"/api/v1/masterdata/import/{kind}",
        files={"file": (name, data)},
        headers={**creds.headers, "Accept-Language": lang},
    )


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_templates(client: TestClient) -> None:
    response = client.get("/api/v1/masterdata/templates/parties.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == HEADERS
    assert book.sheetnames == ["parties", "说明"]
    csv_ = client.get("/api/v1/masterdata/templates/products.csv")
    assert (
        csv_.content.decode("utf-8-sig").strip()
        == "生产者统一社会信用代码,产品名称*,GTIN,产品代码体系,产品代码,规格,目录类别*"
    )
    assert client.get("/api/v1/masterdata/templates/cars.csv").status_code == 400


def test_import_happy_path(client: TestClient, admin: Credentials, session: Session) -> None:
    creds = admin  # parties are registered by the admin
    # given
    parties = xlsx(
        [
            HEADERS,
            [
                "示范市乳业有限公司",
                "91110000600037342P",
                "enterprise",
                "producer、processor",
                "370602",
                "6901234000047",
                "food.dairy",
                "幸福路 1 号",
            ],
            ["示范市惠民超市", None, "enterprise", "retailer", 370602, None, None, None],
        ]
    )
    products = (
        "生产者统一社会信用代码,产品名称*,GTIN,产品代码体系,产品代码,规格,目录类别*\n"
        "91110000600037342P,纯牛奶,6901234567892,,,250mL,food.dairy\n"
    ).encode("utf-8-sig")
    # when
    first = upload(client, creds, "parties", "parties.xlsx", parties)
    second = upload(client, creds, "products", "products.csv", products)
    # then
    assert (first.status_code, first.json()) == (201, {"kind": "parties", "created": 2})
    assert (second.status_code, second.json()) == (201, {"kind": "products", "created": 1})
    dairy = session.scalar(select(Party).where(Party.name == "示范市乳业有限公司"))
    assert dairy is not None
    assert (dairy.roles, dairy.region, dairy.gln, dairy.product_class) == (
        ["producer", "processor"],
        "370602",
        "6901234000047",
        "food.dairy",
    )
    product = session.scalar(select(Product))
    assert product is not None
    assert (product.producer_id, product.gtin, product.spec) == (dairy.id, "06901234567892", "250mL")


def test_row_errors_import_nothing(client: TestClient, admin: Credentials, session: Session) -> None:
    creds = admin
    # given: row 3 has a bad 统一社会信用代码, row 4 an unknown class; rows 2 and 5 are fine
    parties = xlsx(
        [
            HEADERS,
            ["甲公司", None, None, None, "370602", None, "food", None],
            ["乙公司", "91110000600037341X", None, None, None, None, None, None],
            ["丙公司", None, None, None, None, None, "toys", None],
            ["丁公司", None, None, "retailer", None, None, None, None],
        ]
    )
    before = count(session, Party)
    # when
    response = upload(client, creds, "parties", "parties.xlsx", parties, lang="en")
    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "spreadsheet_rejected"
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(3, "invalid_uscc"), (4, "unknown_catalog_class")]
    assert body["errors"][1]["message"] == "no catalog class toys"
    assert body["detail"].startswith("2 rows are invalid, nothing was imported; row 3: ")
    assert count(session, Party) == before


def test_missing_required_column(client: TestClient, creds: Credentials, session: Session) -> None:
    response = upload(client, creds, "products", "p.csv", "产品名称*,GTIN\n牛奶,6901234567892\n".encode())
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 1, "column": "目录类别", "message": "missing column"}]
    assert count(session, Product) == 0


def test_csv_with_carriage_returns_only(client: TestClient, admin: Credentials, session: Session) -> None:
    # lines ended by a lone \r (old Mac spreadsheets): a 500 before (csv.Error), as `make fuzz` found on the console
    response = upload(client, admin, "products", "p.csv", "产品名称*,GTIN\r牛奶,6901234567892\r".encode())
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 1, "column": "目录类别", "message": "missing column"}]


def test_unreadable_csv_is_refused(client: TestClient, admin: Credentials, session: Session) -> None:
    before = count(session, Product)
    not_utf8 = upload(client, admin, "products", "p.csv", b"\x80\x81,GTIN\n")
    too_long = upload(client, admin, "products", "p.csv", b'"' + b"x" * 200_000 + b'"\n')
    assert [(r.status_code, r.json()["code"], r.json()["detail"]) for r in (not_utf8, too_long)] == [
        (400, "invalid_input", "CSV 文件应为 UTF-8 或 UTF-16 编码"),
        (400, "invalid_input", "无法读取 CSV 文件：field larger than field limit (131072)"),
    ]
    assert count(session, Product) == before
