"""``zhuisu import``: capture EPCIS files — JSON-LD of any size (streamed), or XML 1.2/2.0 — from the command line."""

import json
import sys
import time
from pathlib import Path

import typer
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.capture import importer
from zhuisu.capture.schemas import EventOutcome
from zhuisu.capture.service import Behaviour
from zhuisu.cli.runtime import err_console, fail, language, session_maker, settings
from zhuisu.cli.runtime import progress as runtime_progress
from zhuisu.db.session import unit_of_work
from zhuisu.parties import service as parties_service


def import_files(
    files: list[Path] = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="EPCIS files: JSON-LD, or XML 1.2/2.0."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with every event's outcome."),
    behaviour: str = typer.Option(
        "rollback", help="rollback: an invalid event rejects its file; proceed: store the valid events."
    ),
    party: str = typer.Option(None, "--as", help="Recorder party id or 统一社会信用代码 (default: this node)."),
    batch_size: int = typer.Option(0, help="Events per transaction (default: ZHUISU_IMPORT_BATCH_SIZE)."),
) -> None:
    """Import EPCIS documents (JSON-LD streamed; XML 1.2/2.0 converted as POST /capture does): idempotent,
    resumable; a summary at the end."""
    if behaviour not in ("rollback", "proceed"):
        raise fail(f"--behaviour must be rollback or proceed, got {behaviour!r}")
    mode: Behaviour = "proceed" if behaviour == "proceed" else "rollback"
    maker = session_maker()
    with unit_of_work(maker) as session:
        actor = (
            parties_service.get_party(session, party)
            if party
            else parties_service.node_party(session, name=settings().node_name)
        )
        actor_id = actor.id
    lang = language()
    writer = _JsonWriter(lang) if as_json else None
    totals = {"captured": 0, "duplicates": 0, "rejected": 0}
    broken_files = 0
    document_errors: list[dict[str, str]] = []
    started = time.perf_counter()
    for path in files:
        report = _import_one(maker, path, actor_id, mode, batch_size or settings().import_batch_size, writer)
        for key in totals:
            totals[key] += getattr(report, key)
        broken_files += bool(report.document_errors)
        for error in report.document_errors:
            err_console.print(f"[red]{path}[/red]: {error.message(lang)}", highlight=False)
            document_errors.append({"file": str(path), "code": error.code, "message": error.message(lang)})
    elapsed = time.perf_counter() - started
    handled = sum(totals.values())
    err_console.print(
        f"captured {totals['captured']}, duplicates {totals['duplicates']}, rejected {totals['rejected']} "
        f"in {elapsed:.1f} s ({handled / elapsed if elapsed else 0:,.0f} events/s)",
        highlight=False,
    )
    if writer:
        writer.close(totals, document_errors)
    if totals["rejected"] or broken_files:
        raise typer.Exit(1)


def _import_one(
    maker: sessionmaker[Session],
    path: Path,
    actor_id: str,
    behaviour: Behaviour,
    batch_size: int,
    writer: "_JsonWriter | None",
) -> importer.FileReport:
    size = path.stat().st_size
    started = time.perf_counter()
    with runtime_progress(path.name, in_bytes=True) as bar:
        task = bar.add_task(path.name, total=size, rate="")

        def on_progress(position: int, handled: int) -> None:
            rate = handled / max(time.perf_counter() - started, 1e-9)
            bar.update(task, completed=position, rate=f"{handled:,} events  {rate:,.0f} events/s")

        report = importer.import_file(
            maker,
            path,
            actor_id=actor_id,
            behaviour=behaviour,
            batch_size=batch_size,
            on_outcome=(lambda o: writer.event(str(path), o)) if writer else None,
            progress=on_progress,
        )
        bar.update(task, completed=size)
    return report


class _JsonWriter:
    """Streams ``{"events": [...], "captured": n, "duplicates": n, "rejected": n, "document_errors": [...]}`` so
    a million outcomes are never held in memory at once (``document_errors``: what made a whole file unreadable or
    invalid, ``{"file", "code", "message"}``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.first = True
        sys.stdout.write('{"events": [')

    def event(self, file: str, outcome: EventOutcome) -> None:
        sys.stdout.write(
            ("" if self.first else ",\n") + json.dumps(outcome.to_json(self.lang, file=file), ensure_ascii=False)
        )
        self.first = False

    def close(self, totals: dict[str, int], document_errors: list[dict[str, str]]) -> None:
        tail = {**totals, "document_errors": document_errors}
        sys.stdout.write("], " + json.dumps(tail, ensure_ascii=False)[1:] + "\n")
        sys.stdout.flush()
