"""Events spreadsheets in the enterprise console: the template, rows → EPCIS events, rejected rows with reasons."""

import csv
import io
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Credentials
from tests.support.signin import sign_in
from zhuisu.console import spreadsheet
from zhuisu.models import CaptureJob, Event, EventEpc
from zhuisu.parties import service as parties_service

ZH_HEADERS = [
    "事件类型",
    "事件时间",
    "时区",
    "动作",
    "业务步骤",
    "处置状态",
    "追溯码",
    "产品批次",
    "数量",
    "单位",
    "上级容器",
    "投入",
    "产出",
    "业务地点",
    "读取点",
    "来源方",
    "目的方",
    "单据类型",
    "单据编号",
    "事件编号",
]
SGTIN = "https://id.gs1.org/01/06901234123456/21/"


def _csv(rows: list[list[str]], headers: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers or ["事件时间", "追溯码", "业务步骤", "业务地点"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


GOOD = ["2026-10-04 08:30", "(01)06901234123456(21)5001", "shipping", "6901234000016"]
BAD_TIME = ["昨天", "(01)06901234123456(21)5002", "shipping", "6901234000016"]
BAD_GLN = ["2026-10-04 09:00", "(01)06901234123456(21)5003", "shipping", "123"]
BAD_STEP = ["2026-10-04 10:00", "(01)06901234123456(21)5004", "shipping_out", ""]


def _epc_count(session: Session, serial: str) -> int:
    return session.scalar(select(func.count()).select_from(EventEpc).where(EventEpc.value == SGTIN + serial)) or 0


class TestTemplate:
    def test_xlsx_zh_headers_and_notes(self) -> None:
        book = load_workbook(io.BytesIO(spreadsheet.template("zh")))
        sheet, notes, lists = book.worksheets
        assert (sheet.title, notes.title, lists.title, lists.sheet_state) == ("事件", "说明", "选项", "hidden")
        assert [c.value for c in sheet[1]] == ZH_HEADERS
        assert [c.value for c in notes[3]] == [
            "事件时间",
            "是",
            "日期时间，如 2026-10-04 08:30、2026/10/4 8:30 或 2026年10月4日（北京时间，除非填了时区）",
        ]
        # the example row in Chinese, and dropdowns of Chinese names on the columns that take a term
        assert [c.value for c in sheet[2]][:6] == ["对象事件", "2026-10-04 08:30", "+08:00", "观察", "发货", "运输中"]
        rules = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
        assert rules == {
            "A2:A10001": "'选项'!$A$2:$A$4",
            "D2:D10001": "'选项'!$B$2:$B$4",
            "E2:E10001": "'选项'!$C$2:$C$42",
            "F2:F10001": "'选项'!$D$2:$D$34",
        }
        steps = [row[2] for row in lists.iter_rows(min_row=2, max_row=42, values_only=True)]
        assert {"收货", "发货", "销售", "销毁"} <= set(steps)

    def test_xlsx_english(self) -> None:
        sheet = load_workbook(io.BytesIO(spreadsheet.template("en"))).worksheets[0]
        assert [c.value for c in sheet[1]][:3] == ["Event type", "Event time", "Time zone"]

    def test_template_example_row_imports(self) -> None:
        rows = spreadsheet.read_rows(spreadsheet.template("zh"), "t.xlsx")
        event, errors = spreadsheet.convert_row(rows[0][1])
        assert errors == []
        assert event == {
            "type": "ObjectEvent",
            "eventTime": "2026-10-04T08:30:00.000+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "epcList": [SGTIN + "1001"],
            "bizLocation": {"id": "https://id.gs1.org/414/6901234000016"},
            "bizStep": "shipping",
            "disposition": "in_transit",
        }

    def test_csv_template_has_bom(self, client: TestClient) -> None:
        response = client.get("/console/template.csv?lang=en")
        assert response.status_code == 200
        assert response.content.startswith(b"\xef\xbb\xbfEvent type,Event time,")
        assert response.headers["content-disposition"] == 'attachment; filename="zhuisu-events-en.csv"'


class TestConvertRow:
    def test_aggregation_lot_and_parties(self) -> None:
        row = {
            "event_type": "聚合事件",
            "event_time": "2026/10/04 08:30",
            "time_zone": "+09:00",
            "action": "add",
            "lot": "(01)06901234222227(10)L20261001",
            "quantity": "12.5",
            "uom": "kgm",
            "parent": "(00)069012340000000016",
            "source": "6901234000016",
            "document_number": "HGZ-7",
        }
        assert spreadsheet.convert_row(row) == (
            {
                "type": "AggregationEvent",
                "eventTime": "2026-10-04T08:30:00.000+09:00",
                "eventTimeZoneOffset": "+09:00",
                "action": "ADD",
                "parentID": "https://id.gs1.org/00/069012340000000016",
                "childEPCs": [],
                "childQuantityList": [
                    {"epcClass": "https://id.gs1.org/01/06901234222227/10/L20261001", "quantity": 12.5, "uom": "KGM"}
                ],
                "sourceList": [{"type": "owning_party", "source": "https://id.gs1.org/417/6901234000016"}],
                "bizTransactionList": [{"type": "cert", "bizTransaction": "urn:zhuisu:bt:cert:HGZ-7"}],
            },
            [],
        )

    def test_each_bad_column_named(self) -> None:
        row = {
            "event_time": "昨天", "codes": "hello", "biz_location": "123", "time_zone": "+8", "action": "看看",
            "source": "456", "biz_step": "运货", "disposition": "坏了",
        }  # fmt: skip
        event, errors = spreadsheet.convert_row(row)
        assert event is None
        # every wrong column of the row, not only the first
        assert [(e.column, e.message_zh) for e in errors] == [
            ("time_zone", "时区「+8」不是 UTC 偏移"),
            ("event_time", "事件时间「昨天」不是日期时间（如 2026-12-04 08:30、2026/12/4 8:30 或 2026年12月4日）"),
            ("action", "动作「看看」不是新增、观察或删除（ADD、OBSERVE、DELETE）"),
            ("codes", "追溯码「hello」不是可识别的追溯码"),
            ("biz_location", "业务地点「123」不是有效的 GLN"),
            ("source", "来源方「456」不是有效的 GLN"),
            ("biz_step", "业务步骤「运货」不是可选的名称（见下拉列表）"),
            ("disposition", "处置状态「坏了」不是可选的名称（见下拉列表）"),
        ]
        assert errors[0].to_json("en", "C7") == {
            "column": "Time zone",
            "cell": "C7",
            "expected": "a UTC offset such as +08:00 (blank: +08:00)",
            "message": "Time zone '+8' is not a UTC offset",
        }

    @pytest.mark.parametrize(
        ("written", "expected"),
        [
            ("2026-12-04", "2026-12-04T00:00:00.000+08:00"),
            ("2026/12/4", "2026-12-04T00:00:00.000+08:00"),
            ("2026/12/4 8:30", "2026-12-04T08:30:00.000+08:00"),
            ("2026年12月4日", "2026-12-04T00:00:00.000+08:00"),
            ("2026年12月4日 8时30分", "2026-12-04T08:30:00.000+08:00"),
            ("2026.12.04 08:30:15", "2026-12-04T08:30:15.000+08:00"),
            (datetime(2026, 12, 4, 8, 30), "2026-12-04T08:30:00.000+08:00"),  # an Excel date cell
            (46360.25, "2026-12-04T06:00:00.000+08:00"),  # a date cell read without its format
        ],
    )
    def test_dates_as_people_write_them(self, written: object, expected: str) -> None:
        event, errors = spreadsheet.convert_row({"event_time": written, "codes": "(01)06901234123456(21)1001"})
        assert (errors, event and event["eventTime"]) == ([], expected)

    def test_chinese_names_of_steps_and_dispositions(self) -> None:
        row = {
            "event_time": "2026-12-04",
            "codes": "(01)06901234123456(21)1001",
            "biz_step": "销毁",
            "disposition": "已销毁",
        }
        event, errors = spreadsheet.convert_row(row)
        assert (errors, event and (event["bizStep"], event["disposition"])) == ([], ("destroying", "destroyed"))

    def test_lot_without_quantity(self) -> None:
        _, errors = spreadsheet.convert_row({"event_time": "2026-10-04", "lot": "(01)06901234222227(10)L1"})
        assert [(e.column, e.message_en) for e in errors] == [("quantity", "Quantity must be a number above 0")]


class TestUpload:
    def test_a_code_the_console_issued_as_printed_or_scanned(
        self, client: TestClient, session: Session, creds: Credentials
    ) -> None:
        issued = client.post("/codes/issue", headers=creds.headers, json={"product": "RICE", "count": 2}).json()
        printed = "ZS1-110000-000001-0000000001-D"  # as the label prints it; the second as its QR carries it
        rows = [
            ["2026-10-04 08:30", printed, "shipping", "6901234000016"],
            ["2026-10-04 08:31", f"http://127.0.0.1:8000/c/{issued['codes'][1]}", "shipping", "6901234000016"],
        ]
        response = client.post("/api/v1/console/uploads", files={"file": ("e.csv", _csv(rows))}, headers=creds.headers)
        assert response.status_code == 201, response.json()
        assert (response.json()["accepted"], response.json()["rejected"]) == (2, [])
        stored = session.scalars(
            select(EventEpc.value).where(EventEpc.value.in_([f"urn:zhuisu:code:{c}" for c in issued["codes"]]))
        ).all()
        # each code named as the issuance's commissioning named it: one code, two events each
        assert sorted(stored) == sorted(f"urn:zhuisu:code:{c}" for c in issued["codes"] for _ in range(2))

    def test_rejected_rows_with_reasons_and_nothing_stored(
        self, client: TestClient, session: Session, creds: Credentials
    ) -> None:
        body = _csv([GOOD, BAD_TIME, BAD_GLN, BAD_STEP])
        response = client.post("/api/v1/console/uploads", files={"file": ("e.csv", body)}, headers=creds.headers)
        assert response.status_code == 201
        result = response.json()
        assert (result["rows"], result["accepted"], result["duplicates"]) == (4, 1, 0)
        assert [(r["row"], [(e["column"], e["cell"]) for e in r["errors"]]) for r in result["rejected"]] == [
            (3, [("事件时间", "A3")]),
            (4, [("业务地点", "D4")]),
            (5, [("业务步骤", "C5")]),
        ]
        assert result["rejected"][2]["errors"][0] == {
            "column": "业务步骤",
            "cell": "C5",
            "expected": "业务步骤，从下拉列表选择，如 发货、收货、销售、销毁（也可填 CBV 名称，如 shipping）",
            "message": "事件 1 的字段 bizStep：既不是 CBV 标准词汇，也不是 URI，"
            "应为 a CBV bizStep (did you mean shipping?) or an absolute URI。",
        }
        assert [_epc_count(session, s) for s in ("5001", "5002", "5003", "5004")] == [1, 0, 0, 0]
        job = session.scalars(select(CaptureJob)).one()
        assert (job.id, job.source) == (result["captureID"], "spreadsheet:e.csv")

    def test_xlsx_upload_and_again_is_duplicate(self, client: TestClient, session: Session, creds: Credentials) -> None:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["Event time", "Codes", "Business step"])
        sheet.append([datetime(2026, 10, 4, 8, 30), "urn:epc:id:sgtin:6901234.012345.6001", "receiving"])
        out = io.BytesIO()
        book.save(out)
        first = client.post(
            "/api/v1/console/uploads", files={"file": ("e.xlsx", out.getvalue())}, headers=creds.headers
        )
        again = client.post(
            "/api/v1/console/uploads", files={"file": ("e.xlsx", out.getvalue())}, headers=creds.headers
        )
        assert (first.json()["accepted"], again.json()["accepted"], again.json()["duplicates"]) == (1, 0, 1)
        stored = session.scalars(select(Event)).one()
        assert stored.body["eventTime"] == "2026-10-04T08:30:00.000+08:00"

    def test_missing_required_column_stores_nothing(
        self, client: TestClient, session: Session, creds: Credentials
    ) -> None:
        body = _csv([["(01)06901234123456(21)5001"]], headers=["追溯码"])
        response = client.post("/api/v1/console/uploads", files={"file": ("e.csv", body)}, headers=creds.headers)
        assert response.status_code == 400
        assert response.json()["detail"] == "表格缺少列：事件时间"
        assert session.scalar(select(func.count()).select_from(Event)) == 0
        assert session.scalar(select(func.count()).select_from(CaptureJob)) == 0

    def test_csv_with_carriage_returns_only(self, client: TestClient, session: Session, creds: Credentials) -> None:
        # lines ended by a lone \r (old Mac spreadsheets): found by `make fuzz`, a 500 before (csv.Error)
        body = _csv([GOOD]).replace(b"\r\n", b"\r")
        response = client.post("/api/v1/console/uploads", files={"file": ("e.csv", body)}, headers=creds.headers)
        assert (response.status_code, response.json()["rows"], response.json()["accepted"]) == (201, 1, 1)
        assert _epc_count(session, "5001") == 1

    def test_unreadable_csv_is_refused(self, client: TestClient, session: Session, creds: Credentials) -> None:
        # a field past the csv module's field size limit (131,072 characters)
        body = b'"' + b"x" * 200_000 + b'"\n'
        response = client.post("/api/v1/console/uploads", files={"file": ("e.csv", body)}, headers=creds.headers)
        assert (response.status_code, response.json()["code"], response.json()["detail"]) == (
            400,
            "invalid_input",
            "无法读取 CSV 文件：field larger than field limit (131072)",
        )
        assert session.scalar(select(func.count()).select_from(Event)) == 0

    def test_needs_sign_in(self, client: TestClient) -> None:
        response = client.post("/api/v1/console/uploads", files={"file": ("e.csv", _csv([GOOD]))})
        assert response.status_code == 401

    def test_page_lists_rejected_rows(self, client: TestClient, creds: Credentials) -> None:
        csrf_token = sign_in(client, creds.token)
        response = client.post(
            "/console/uploads", files={"file": ("e.csv", _csv([GOOD, BAD_GLN]))}, data={"csrf_token": csrf_token}
        )
        html = response.text
        assert response.status_code == 200
        assert '<strong id="accepted">1</strong>' in html
        assert '<strong id="rejected-count">1</strong>' in html
        assert (
            '<tr class="rejected-row"><td>3</td><td>业务地点 <span class="muted">（D3）</span></td>'
            "<td>13 位 GLN 或 URI</td><td>业务地点「123」不是有效的 GLN</td></tr>"
        ) in html


class TestMyUploads:
    def test_kept_with_every_rejected_row_and_only_for_their_party(
        self, client: TestClient, session: Session, creds: Credentials
    ) -> None:
        first = client.post(
            "/api/v1/console/uploads", files={"file": ("一月.csv", _csv([GOOD, BAD_GLN]))}, headers=creds.headers
        )
        second = client.post(
            "/api/v1/console/uploads", files={"file": ("二月.csv", _csv([BAD_TIME]))}, headers=creds.headers
        )
        assert (first.status_code, second.status_code) == (201, 201)
        listed = client.get("/api/v1/console/uploads", headers=creds.headers).json()
        assert [(u["filename"], u["rows"], u["accepted"], u["duplicates"]) for u in listed] == [
            ("二月.csv", 1, 0, 0),
            ("一月.csv", 2, 1, 0),
        ]
        assert listed[1]["rejected"] == [
            {
                "row": 3,
                "errors": [
                    {
                        "column": "业务地点",
                        "cell": "D3",
                        "expected": "13 位 GLN 或 URI",
                        "message": "业务地点「123」不是有效的 GLN",
                    }
                ],
            }
        ]
        assert listed[1]["captureID"] == first.json()["captureID"]
        # another party sees none of them
        other = parties_service.create_party(session, name="乙食品有限公司")
        token = parties_service.issue_token(session, party=other).secret
        session.flush()
        assert client.get("/api/v1/console/uploads", headers={"Authorization": f"Bearer {token}"}).json() == []
        # and the console page lists them
        sign_in(client, creds.token)
        page = client.get("/console").text
        assert page.count('class="my-upload"') == 2
        assert "第3行（D3） 业务地点：业务地点「123」不是有效的 GLN" in page


class TestMyEvents:
    def test_filtered_by_code_step_and_day_and_only_mine(
        self, client: TestClient, session: Session, creds: Credentials
    ) -> None:
        rows = [
            ["2026-10-04 08:30", "(01)06901234123456(21)7001", "发货", "6901234000016"],
            ["2026-10-05 23:30", "(01)06901234123456(21)7002", "收货", "6901234000016"],
            ["2026-10-06 00:30", "(01)06901234123456(21)7001", "销售", "6901234000016"],
        ]
        uploaded = client.post("/api/v1/console/uploads", files={"file": ("e.csv", _csv(rows))}, headers=creds.headers)
        assert uploaded.json()["accepted"] == 3
        other = parties_service.create_party(session, name="乙食品有限公司")
        token = parties_service.issue_token(session, party=other).secret
        session.flush()
        client.post(
            "/api/v1/console/uploads",
            files={"file": ("o.csv", _csv([[*rows[0][:1], "(01)06901234123456(21)7009", "发货", ""]]))},
            headers={"Authorization": f"Bearer {token}"},
        )

        def found(**params: str) -> list[tuple[str, str, list[str]]]:
            listed = client.get("/api/v1/console/events", params=params, headers=creds.headers).json()
            return [(e["time"], e["biz_step"], [c.rsplit("/", 1)[-1] for c in e["codes"]]) for e in listed]

        assert found() == [
            ("2026-10-05T16:30:00.000Z", "retail_selling", ["7001"]),
            ("2026-10-05T15:30:00.000Z", "receiving", ["7002"]),
            ("2026-10-04T00:30:00.000Z", "shipping", ["7001"]),
        ]
        assert found(step="发货") == found(step="shipping") == [("2026-10-04T00:30:00.000Z", "shipping", ["7001"])]
        assert [e[2] for e in found(code="(01)06901234123456(21)7001")] == [["7001"], ["7001"]]
        # days on Beijing's calendar: 2026-10-06 00:30 Beijing is 2026-10-05 in UTC, and is the 6th's
        assert [e[1] for e in found(since="2026-10-06", until="2026-10-06")] == ["retail_selling"]
        assert [e[1] for e in found(since="2026-10-05", until="2026-10-05")] == ["receiving"]
        assert found(code="(01)06901234123456(21)7009") == []  # another party's event
        theirs = client.get("/api/v1/console/events", headers={"Authorization": f"Bearer {token}"}).json()
        assert [e["codes"][0].rsplit("/", 1)[-1] for e in theirs] == ["7009"]
        # the console page, in Chinese
        sign_in(client, creds.token)
        page = client.get("/console", params={"step": "收货"}).text
        section = page[page.index('id="my-events"') :]
        assert section.count('class="my-event"') == 1
        assert "<td>收货</td><td>—</td>" in section
        assert "(01)06901234123456(21)7002</a>" in section
