"""What ``zhuisu trace CODE [--direction back|forward|both] [--json]`` prints (the command, with its recall verbs
``impact`` and ``export``, is ``zhuisu.recall.cli.trace_command``)."""

import json

import typer
from rich.console import Console
from rich.table import Table

from zhuisu.trace.schemas import TraceRead

_DIRECTIONS = ("back", "forward", "both")


def print_trace(result: TraceRead, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.contract(), ensure_ascii=False))
        return
    table = Table("time", "bizStep", "event", "things", "from", "to", "location")
    for step in result.timeline:
        table.add_row(
            step.time,
            step.biz_step or step.type,
            step.event_id,
            "\n".join(step.things),
            step.source or "",
            step.destination or "",
            step.location or "",
        )
    Console().print(table)
    for finding in result.findings:
        typer.echo(f"! {finding.kind}: {finding.message_zh}")
    typer.echo(f"{len(result.things)} things, {len(result.events)} events, {len(result.parties)} parties")
