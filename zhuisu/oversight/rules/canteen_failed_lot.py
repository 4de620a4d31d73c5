"""``canteen_failed_lot``: a canteen received a lot that failed a test — a registered inspection report on the lot
(``inspections``, result 不合格) or a failed test event naming it (``failed_inspection.failed``: bizStep
``inspecting`` / ``sampling``, disposition ``non_conformant`` or ``zs:result`` 不合格), whether the failure was
registered before the receipt or after it (the next scan finds it).

One alert per canteen and lot, with its receipts and the failed test events as evidence and the reports in its
facts; the canteen answers for it (it must stop using the lot), in the canteen site's region under the canteen's
class. It reads the procurement ledger: scans run it, captures do not.
"""

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from zhuisu.models import CanteenReceipt, Party
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope
from zhuisu.oversight.rules.failed_inspection import TEST_STEPS, failed
from zhuisu.sectors.canteen import service as canteen_service


def find(session: Session, scope: Scope) -> list[Hit]:
    receipts: dict[tuple[str, str], list[CanteenReceipt]] = defaultdict(list)
    reports: dict[tuple[str, str], set[str]] = defaultdict(set)
    tests: dict[tuple[str, str], set[int]] = defaultdict(set)
    for row, report in canteen_service.failed_reports(session):
        key = (row.canteen_id, row.code)
        reports[key].add(f"{report.lab} {report.report_number}")
    rows = canteen_service.all_receipts(session)
    by_code: dict[str, list[CanteenReceipt]] = defaultdict(list)
    for row in rows:
        by_code[row.code].append(row)
    for code, pk, disposition, body in canteen_service.tests_naming(session, sorted(by_code), TEST_STEPS):
        if failed(disposition, body):
            for row in by_code[code]:
                tests[(row.canteen_id, code)].add(pk)
    for row in rows:
        key = (row.canteen_id, row.code)
        if key in reports or key in tests:
            receipts[key].append(row)
    hits = []
    for (canteen_id, code), found in sorted(receipts.items()):
        canteen = session.get(Party, canteen_id)
        name = canteen.name if canteen else canteen_id
        last = found[-1]
        what = f"{last.product_name}（批号 {last.lot}）" if last.lot else last.product_name
        what_en = f"{last.product_name} (lot {last.lot})" if last.lot else last.product_name
        sources: list[Any] = sorted(reports.get((canteen_id, code), set()))
        hits.append(
            Hit(
                key=f"{canteen_id}\n{code}",
                events=(*(r.event_pk for r in found), *sorted(tests.get((canteen_id, code), set()))),
                codes=(code,),
                party_id=canteen_id,
                class_id=last.class_id,
                region=last.region,
                detail_zh=f"{name} 验收的 {what} 检验不合格（{'、'.join(sources) or '检验事件'}），"
                f"共收货 {len(found)} 次，最近一次 {last.day.isoformat()}",
                detail_en=f"{what_en} received by {name} failed a test ({', '.join(sources) or 'a test event'}); "
                f"received {len(found)} times, the latest on {last.day.isoformat()}",
                facts={
                    "reports": sources,
                    "test_events": len(tests.get((canteen_id, code), set())),
                    "receipts": len(found),
                },
            )
        )
    return hits


RULE = RiskRule(
    id="canteen_failed_lot",
    severity="high",
    name_zh="食堂收到检验不合格批次",
    name_en="canteen received a failed lot",
    explanation_zh="食堂验收的批次有不合格的检验报告或检验记录（无论登记在收货之前还是之后）。预警由食堂负责"
    "（应停止使用该批次），所在辖区的食品监管部门可见。",
    explanation_en="A canteen received a lot with a failed inspection report or test event (registered before or after "
    "the receipt). The canteen answers for it (it must stop using the lot); the district's food regulator sees it.",
    timed=True,
    find=find,
)
