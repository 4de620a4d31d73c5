"""``zhuisu ledger``: verify the store against the log, prove an event, check a proof offline, sign, push."""

import json
from pathlib import Path

import typer

from zhuisu.cli.runtime import fail, session_maker, settings
from zhuisu.db.session import unit_of_work
from zhuisu.ledger import evidence, keystore, service, upkeep, verifications, witness_client
from zhuisu.ledger.errors import LedgerError

app = typer.Typer(
    help="The tamper-evident ledger (RFC 9162 log, C2SP checkpoints and witnesses).", no_args_is_help=True
)


@app.command("verify")
def verify(
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    checkpoint: list[Path] = typer.Option(
        [], "--checkpoint", help="A checkpoint note kept outside this node (repeatable): the log must extend it."
    ),
    witness: bool = typer.Option(
        False, "--witness", help="Also check against the latest checkpoint each configured witness cosigned."
    ),
    sample: float | None = typer.Option(
        None, "--sample", min=1e-6, max=1.0, help="Check this share of the events only (as the background verifier)."
    ),
) -> None:
    """Replay every stored event (or a sample) against the log and the signed checkpoints, with the rows derived
    from them; the run and its findings are kept (the desk lists them). Exit 1 if anything differs."""
    node = settings()
    held = [path.read_text(encoding="utf-8") for path in checkpoint]
    if witness:
        witnesses = upkeep.known_witnesses(session_maker(), node)
        if not witnesses:
            raise fail("no witnesses configured (ZHUISU_LEDGER_WITNESSES) or linked (zhuisu node link)")
        get = witness_client.httpx_get(node.ledger_witness_timeout_seconds)
        for answer in witness_client.held_checkpoints(witnesses, keystore.log_origin(node), get):
            typer.echo(f"witness {answer.witness}: {answer.detail}", err=True)
            if answer.note is not None:
                held.append(answer.note)
    done = verifications.run(session_maker(), node, trigger="cli", sample_rate=sample, external=held)
    report = done.report
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "verification": done.id,
                    "mode": "full" if not sample else "sample",
                    "leaves": report.leaves,
                    "checked": report.checked,
                    "checkpoints": report.checkpoints,
                    "latestCheckpoint": report.latest_checkpoint,
                    "external": report.external,
                    "findings": [{"kind": f.kind, "eventID": f.event_id, "detail": f.detail} for f in report.findings],
                },
                ensure_ascii=False,
            )
        )
    else:
        for f in report.findings:
            typer.echo(f"{f.kind}\t{f.event_id or '-'}\t{f.detail}")
        state = "一致 / consistent" if report.ok else f"发现 {len(report.findings)} 处不一致 / findings"
        typer.echo(
            f"{report.leaves} leaves, {report.checked} events checked, {report.checkpoints} checkpoints "
            f"(latest {report.latest_checkpoint}), {report.external} external: {state}"
        )
    if not report.ok:
        raise typer.Exit(1)


@app.command("prove")
def prove(
    event_id: str = typer.Argument(..., help="The event's eventID (or CBV event hash)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the proof file here instead of stdout."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Write the c2sp.org/tlog-proof@v1 file of an event (signs a checkpoint first if none covers it). --json:
    ``{"event", "proof"}`` (the proof file's text), or ``{"event", "path"}`` with --out."""
    key = keystore.log_key(settings())
    with unit_of_work(session_maker()) as session:
        service.current_checkpoint(session, origin=keystore.log_origin(settings()), skey=key.skey)
        text = service.prove(session, event_id)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    if as_json:
        typer.echo(json.dumps({"event": event_id, **({"path": str(out)} if out else {"proof": text})}))
    elif out is None:
        typer.echo(text, nl=False)


@app.command("check-proof")
def check_proof(
    proof: Path = typer.Argument(..., exists=True, dir_okay=False, help="The proof file (from prove)."),
    event: Path = typer.Option(
        ..., "--event", exists=True, dir_okay=False, help="The event as GET /events/{eventID} returns it (JSON)."
    ),
    vkey: str = typer.Option(..., "--vkey", help="The log's vkey, or a file holding it (GET /ledger/key)."),
    witness: list[str] = typer.Option([], "--witness", help="A witness cosigner vkey (repeatable)."),
    quorum: int = typer.Option(0, "--quorum", help="How many of the --witness keys must have cosigned."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Check a proof file fully offline: rebuild the event's leaf, then check inclusion and signatures. --json:
    ``{"ok": true, "index", "origin", "size", "cosignatures", "event_hash"}``, or ``{"ok": false, "error"}`` and
    exit 1."""
    try:
        document = json.loads(event.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise fail(f"{event} is not JSON: {exc}") from exc
    try:
        checked = evidence.check_event_proof(
            proof.read_text(encoding="utf-8"),
            document,
            [_key_text(vkey)],
            cosigners=[_key_text(w) for w in witness],
            quorum=quorum,
        )
    except LedgerError as exc:
        if as_json:
            typer.echo(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False))
            raise typer.Exit(1) from exc
        raise fail(f"证明无效 / proof does not verify: {exc}") from exc
    cp = checked.proof.checkpoint
    if as_json:
        out = {
            "ok": True, "index": checked.proof.index, "origin": cp.origin, "size": cp.size,
            "cosignatures": len(checked.proof.cosignatures), "event_hash": checked.leaf.event_hash,
        }  # fmt: skip
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    typer.echo(
        f"OK: leaf {checked.proof.index} of {cp.origin} (tree size {cp.size}), "
        f"{len(checked.proof.cosignatures)} witness cosignature(s); event hash {checked.leaf.event_hash}"
    )


def _key_text(value: str) -> str:
    path = Path(value)
    return path.read_text(encoding="utf-8").strip() if "+" not in value and path.is_file() else value.strip()


@app.command("checkpoint")
def checkpoint(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Sign a checkpoint for the current tree (if it grew) and push it to the configured witnesses. --json:
    ``{"checkpoint": the signed note, "witnesses": [{"witness", "outcome", "detail"}]}``."""
    key = keystore.log_key(settings())
    with unit_of_work(session_maker()) as session:
        signed = service.make_checkpoint(session, origin=keystore.log_origin(settings()), skey=key.skey)
        note = signed.note
    if as_json:
        typer.echo(json.dumps({"checkpoint": note, "witnesses": _push(quiet=True)}, ensure_ascii=False))
        return
    typer.echo(note, nl=False)
    _push()


@app.command("push")
def push(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Ask the configured witnesses to cosign the latest checkpoint (retries those that were down). --json:
    ``[{"witness", "outcome", "detail"}]`` (empty: none configured)."""
    if as_json:
        typer.echo(json.dumps(_push(quiet=True), ensure_ascii=False))
    elif not _push():
        typer.echo("no witnesses configured (ZHUISU_LEDGER_WITNESSES) or linked (zhuisu node link)")


def _push(*, quiet: bool = False) -> list[dict[str, str]]:
    """Push to the configured witnesses; each outcome (on stderr unless ``quiet``)."""
    witnesses = upkeep.known_witnesses(session_maker(), settings())
    post = witness_client.httpx_post(settings().ledger_witness_timeout_seconds)
    results = []
    for result in witness_client.push(session_maker(), witnesses, post):
        if not quiet:
            typer.echo(f"witness {result.witness}: {result.outcome} ({result.detail})", err=True)
        results.append({"witness": str(result.witness), "outcome": str(result.outcome), "detail": str(result.detail)})
    return results


@app.command("key")
def key(
    witness: bool = typer.Option(False, "--witness", help="Show the witness (cosigner) key instead."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Print this node's log vkey (created on first use), to publish beside its checkpoints. --json: ``{"vkey",
    "kind": "log" | "witness"}``."""
    node_key = keystore.witness_key(settings()) if witness else keystore.log_key(settings())
    if as_json:
        typer.echo(json.dumps({"vkey": node_key.vkey, "kind": "witness" if witness else "log"}))
        return
    typer.echo(node_key.vkey)
