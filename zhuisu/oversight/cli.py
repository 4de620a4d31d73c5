"""``zhuisu risk``: run the risk rules over the whole store (``scan``) and list them (``rules``)."""

import json
from datetime import datetime

import typer
from sqlalchemy import select

from zhuisu.cli.runtime import fail, progress, session_maker, settings
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import parse_iso
from zhuisu.models import Alert
from zhuisu.oversight import alerts
from zhuisu.oversight.rules import ALL_RULES, RULES
from zhuisu.oversight.rules.base import RiskConfig, RiskRule

app = typer.Typer(help="Risk rules and alerts (风险预警).", no_args_is_help=True)


@app.command("scan")
def scan(
    as_json: bool = typer.Option(False, "--json", help="Print the report and the alerts found as JSON."),
    now: str = typer.Option("", "--now", help="Judge the time-based rules as of this time (RFC 3339; default now)."),
) -> None:
    """Run every risk rule over the whole store (the time-based ones too) and keep what they find as alerts (an
    anomaly found before gets its new evidence, never a second alert)."""
    when: datetime | None = None
    if now:
        try:
            when = parse_iso(now)
        except ValueError:
            raise fail(f"--now: not an RFC 3339 time: {now}") from None
    with unit_of_work(session_maker()) as session, progress("风险扫描 / risk scan") as bar:
        task = bar.add_task("rules", total=len(RULES), rate="")
        hits = 0

        def done(rule: RiskRule, found: int) -> None:
            nonlocal hits
            hits += found
            bar.update(task, advance=1, rate=f"{rule.id}: {found}  ({hits} hits)")

        report = alerts.scan(session, config=RiskConfig.of(settings()), now=when, trigger="cli", on_rule=done)
        found = list(session.scalars(select(Alert).order_by(Alert.id)))
        rows = [alert_json(a) for a in found]
    if as_json:
        typer.echo(json.dumps({**report.to_json(), "alerts": rows}, ensure_ascii=False))
        return
    for rule, count in sorted(report.hits.items()):
        typer.echo(f"{rule}: {count}")
    typer.echo(f"alerts: {report.created} new, {report.updated} with new evidence, {len(rows)} in all")


@app.command("rules")
def rules(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """The risk rules: id, severity, whether the clock drives it, what it means."""
    listed = [
        {
            "id": r.id,
            "severity": r.severity,
            "timed": r.timed,
            "name_zh": r.name_zh,
            "name_en": r.name_en,
            "explanation_zh": r.explanation_zh,
            "explanation_en": r.explanation_en,
        }
        for r in ALL_RULES
    ]
    if as_json:
        typer.echo(json.dumps(listed, ensure_ascii=False))
        return
    for r in listed:
        typer.echo(f"{r['id']} [{r['severity']}] {r['name_zh']} — {r['explanation_en']}")


def alert_json(alert: Alert) -> dict[str, object]:
    return {
        "id": alert.id,
        "rule": alert.rule,
        "severity": alert.severity,
        "status": alert.status,
        "party": alert.party_id,
        "region": alert.region,
        "class": alert.class_id,
        "evidence": alert.evidence,
        "codes": alert.codes,
        "detail_zh": alert.detail_zh,
        "detail_en": alert.detail_en,
    }
