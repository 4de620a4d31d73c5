"""The report of a recall (召回总结报告), XLSX (openpyxl) or PDF (reportlab, the labels' embedded CJK font): the order,
the completion, each holder's line, the timeline and the unconfirmed remainder. Times in Beijing time.

An open recall's report says so (进行中): it is what the store says now; a closed one's is what it closed at.
"""

import io
from datetime import datetime
from importlib import resources

from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session

from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Recall
from zhuisu.recall import completion
from zhuisu.recall.schemas import RecallRead

KINDS = {"voluntary": "主动召回", "ordered": "责令召回"}
LEVELS = {1: "一级召回", 2: "二级召回", 3: "三级召回"}
STATUSES = {"open": "进行中", "closed": "已结束"}
HOLDER_STATUSES = {"pending": "未确认", "partial": "部分确认", "confirmed": "已确认", "overdue": "逾期"}
MOMENTS = {
    "issued": "发布召回",
    "quarantined": "隔离封存",
    "returned": "退回",
    "destroyed": "销毁",
    "closed": "结束召回",
}
_FONT = "WenQuanYiMicroHei"
HOLDER_COLUMNS = (
    "持有方 Holder",
    "地区 Region",
    "追溯码数 Codes",
    "下发数量 Out",
    "已确认 Confirmed",
    "单位 Unit",
    "状态 Status",
)
TIMELINE_COLUMNS = ("时间 Time", "环节 Step", "主体 Party", "事件 Event", "追溯码数 Codes", "数量 Quantity")
REMAINDER_COLUMNS = ("追溯码 Code", "持有方 Holder", "未确认数量 Unconfirmed", "单位 Unit")


def local(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def render(session: Session, recall: Recall, *, fmt: str) -> bytes:
    read = completion.read(session, recall, view="all", reader=None, now=utc_now())
    remainder = completion.current(session, recall, now=utc_now()).unconfirmed
    return _xlsx(read, remainder) if fmt == "xlsx" else _pdf(read, remainder)


def summary(read: RecallRead) -> list[tuple[str, str]]:
    c = read.completion
    return [
        ("召回编号 Recall", read.id),
        ("状态 Status", STATUSES[read.status]),
        ("类型 Kind", KINDS[read.kind]),
        ("级别 Level", LEVELS[read.level]),
        ("追溯码 Code", read.code),
        ("发起方 Issuer", read.issuer.name),
        ("品牌所有者 Brand owner", read.owner.name if read.owner else "—"),
        ("原因 Reason", read.reason),
        ("消费者须知 Advice", read.advice),
        ("发布时间 Issued", local(read.created_at)),
        ("完成期限 Deadline", local(read.deadline)),
        ("结束时间 Closed", local(read.closed_at) if read.closed_at else "—"),
        ("下发数量 Out", f"{c.quantity_out:g}"),
        ("已确认 Confirmed", f"{c.quantity_confirmed:g}"),
        ("完成率 Completion", f"{c.percent:g}%"),
        ("持有方 Holders", f"{c.holders_confirmed}/{c.holders}（逾期 {c.holders_overdue}）"),
        ("说明 Note", read.close_note or "—"),
    ]


def _holder_rows(read: RecallRead) -> list[list[object]]:
    return [
        [h.name, h.region or "", h.things, h.quantity_out, h.quantity_confirmed, h.uom or "", HOLDER_STATUSES[h.status]]
        for h in read.holders
    ]


def _timeline_rows(read: RecallRead) -> list[list[object]]:
    return [[local(e.time), MOMENTS[e.kind], e.party, e.event_id or "", e.things, e.quantity] for e in read.timeline]


def _xlsx(read: RecallRead, remainder: list[tuple[str, str, float, str | None]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "概要 Summary"
    for label, value in summary(read):
        sheet.append([label, value])
    parts: list[tuple[str, tuple[str, ...], list[list[object]]]] = [
        ("持有方 Holders", HOLDER_COLUMNS, _holder_rows(read)),
        ("时间线 Timeline", TIMELINE_COLUMNS, _timeline_rows(read)),
        ("未确认 Unconfirmed", REMAINDER_COLUMNS, [[t, h, q, u or ""] for t, h, q, u in remainder]),
    ]
    for title, columns, rows in parts:
        part = book.create_sheet(title)
        part.append(list(columns))
        for row in rows:
            part.append(row)
        part.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _register_font() -> None:
    if _FONT not in pdfmetrics.getRegisteredFontNames():
        with resources.as_file(resources.files("zhuisu.labels") / "fonts" / "wqy-microhei.ttc") as path:
            pdfmetrics.registerFont(TTFont(_FONT, str(path), subfontIndex=0))


class _Writer:
    """Lines of text down A4 pages."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas, self.y = canvas, A4[1] - 20 * mm

    def line(self, text: str, size: float = 9, indent: float = 0) -> None:
        if self.y < 20 * mm:
            self.canvas.showPage()
            self.y = A4[1] - 20 * mm
        self.canvas.setFont(_FONT, size)
        self.canvas.drawString(18 * mm + indent, self.y, text[:110])
        self.y -= size * 1.6


def _pdf(read: RecallRead, remainder: list[tuple[str, str, float, str | None]]) -> bytes:
    _register_font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(f"召回总结报告 {read.id}")
    w = _Writer(canvas)
    w.line("召回总结报告 Recall report", 16)
    for label, value in summary(read):
        w.line(f"{label}: {value}")
    w.line("")
    w.line("持有方 Holders", 12)
    for h in read.holders:
        w.line(
            f"{h.name} · {h.region or '—'} · {h.quantity_confirmed:g}/{h.quantity_out:g} {h.uom or ''} · "
            f"{HOLDER_STATUSES[h.status]}",
            indent=4,
        )
    w.line("")
    w.line("时间线 Timeline", 12)
    for e in read.timeline:
        w.line(f"{local(e.time)} {MOMENTS[e.kind]} {e.party} {e.event_id or ''}", indent=4)
    w.line("")
    w.line(f"未确认 Unconfirmed ({len(remainder)})", 12)
    for thing, holder, left, uom in remainder:
        w.line(f"{thing} · {holder} · {left:g} {uom or ''}", indent=4)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
