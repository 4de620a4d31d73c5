"""``zhuisu demo``: demo content for a fresh node."""

import json
import secrets
import time
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.catalog.rules import Catalog
from zhuisu.cli.runtime import progress, session_maker, settings
from zhuisu.db.session import unit_of_work
from zhuisu.demo import city, generator, service
from zhuisu.demo import recall as demo_recall
from zhuisu.models import Party

app = typer.Typer(help="Demo content.", no_args_is_help=True)
#: Events per unit of work when loading the demo city (each round grouped by recorder).
_ROUND = 20_000


@app.command("load")
def load(
    events: int = typer.Option(None, "--events", help="Events of the demo city (default: the demo_events setting)."),
    seed: int = typer.Option(1, "--seed", help="Seed of the demo city's generator."),
    as_json: bool = typer.Option(False, "--json", help="Progress on stderr, then one JSON summary on stdout."),
) -> None:
    """Load the demo city 示范市 (catalog, ~50 enterprises, products, events) and the demo enterprise's pork chain;
    idempotent. The demo enterprise's token is kept in DATA_DIR/demo-token and printed; the other demo actors' in
    DATA_DIR/demo-admin-token, demo-regulator-token, demo-district-regulator-token, demo-platform-token (a platform
    the demo enterprise delegated to) and demo-inspector-token; the food, farm and import chains' people in
    demo-stall-token, demo-canteen-token, demo-cooperative-token, demo-importer-token, demo-coldchain-token and
    demo-rareearth-token. --json: ``{"demo": {"captured", "duplicates"},
    "city": {"enterprises", "products_added", "captured", "duplicates", "refused", "risks_planted"}, "recalls":
    {"closed", "open"}, "token_file", "seconds"}``."""
    summary: dict[str, Any] = {}
    path = settings().data_dir / "demo-token"
    secret = _token_file(path)
    actor_secrets = {key: _token_file(settings().data_dir / f"demo-{key}-token") for key in service.DEMO_ACTORS}
    started = time.monotonic()
    maker = session_maker()
    with unit_of_work(maker) as session:
        loaded = service.load_demo(session, token_secret=secret)
        actors = service.demo_actors(session, token_secrets=actor_secrets, enterprise=loaded.party)
    typer.echo(
        f"demo: {loaded.captured} events captured, {loaded.duplicates} already present; "
        f"party {service.DEMO_PARTY}; token in {path}",
        err=as_json,
    )
    summary["demo"] = {"captured": loaded.captured, "duplicates": loaded.duplicates}
    with unit_of_work(maker) as session:  # the recalls: one closed at 100 % with its report, one open, partial
        recalls = demo_recall.load(session, regulator=actors["regulator"])
    if recalls.closed and recalls.open:
        typer.echo(
            f"召回: {recalls.closed.id} closed at 100 %, {recalls.open.id} open (/dashboard/recalls)", err=as_json
        )
    summary["recalls"] = {
        "closed": recalls.closed.id if recalls.closed else None,
        "open": recalls.open.id if recalls.open else None,
    }
    summary["city"] = _load_city(maker, events if events is not None else settings().demo_events, seed, as_json)
    persona_secrets = {key: _token_file(settings().data_dir / f"demo-{key}-token") for key in service.SECTOR_PERSONAS}
    with unit_of_work(maker) as session:  # the market stall, canteen, cooperative … sign in with these
        service.sector_personas(session, token_secrets=persona_secrets)
    seconds = time.monotonic() - started
    if as_json:
        typer.echo(json.dumps(summary | {"token_file": str(path), "seconds": round(seconds, 1)}, ensure_ascii=False))
        return
    typer.echo(f"demo loaded in {seconds:.1f} s; token {secret}")


def _token_file(path: Path) -> str:
    """The secret kept in ``path`` (mode 600), made on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text("zs_demo_" + secrets.token_urlsafe(24) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def _load_city(maker: sessionmaker[Session], total: int, seed: int, quiet: bool) -> dict[str, Any]:
    """Load the city (lines on stderr when ``quiet``); what it did."""
    with unit_of_work(maker) as session:
        parties, products, catalog_loaded = service.prepare_city(session, seed=seed)
        done = service.city_already_loaded(session, parties, total)
        catalog = service.city_catalog(session)
    typer.echo(
        f"示范市: {len(parties)} enterprises, {products} products added, local catalog "
        f"{'loaded' if catalog_loaded else 'present'}",
        err=quiet,
    )
    out: dict[str, Any] = {"enterprises": len(parties), "products_added": products}
    if done:
        typer.echo(f"示范市: its {total} events are already stored", err=quiet)
        out |= {"captured": 0, "duplicates": total, "refused": 0}
    else:
        out |= _capture_city(maker, parties, total, seed, catalog, quiet)
    _findings(maker, parties, total, seed, quiet)
    with unit_of_work(maker) as session:
        planted = service.plant_risks(session, parties, seed=seed, catalog=catalog)
    typer.echo(f"示范市: {planted.captured} risk anomalies planted ({planted.duplicates} already present)", err=quiet)
    return out | {"risks_planted": planted.captured}


def _capture_city(
    maker: sessionmaker[Session], parties: dict[str, Party], total: int, seed: int, catalog: Catalog, quiet: bool
) -> dict[str, int]:
    captured = duplicates = rejected = 0
    started = time.monotonic()
    with progress("示范市") as bar:
        task = bar.add_task("events", total=total, rate="")
        for round_ in city.batches(total, seed=seed, catalog=catalog, size=_ROUND):
            with unit_of_work(maker) as session:
                outcome = service.capture_round(session, parties, round_)
            captured, duplicates, rejected = (
                captured + outcome.captured,
                duplicates + outcome.duplicates,
                rejected + outcome.rejected,
            )
            done = captured + duplicates + rejected
            rate = done / max(time.monotonic() - started, 1e-9)
            bar.update(task, completed=min(done, total), rate=f"{rate:,.0f} events/s")
    typer.echo(
        f"示范市: {captured} events captured, {duplicates} already present, {rejected} refused by the "
        "catalog rules (planted)",
        err=quiet,
    )
    return {"captured": captured, "duplicates": duplicates, "refused": rejected}


def _findings(maker: sessionmaker[Session], parties: dict[str, Party], total: int, seed: int, quiet: bool) -> None:
    with unit_of_work(maker) as session:
        outcome, recorded = service.city_findings(session, parties, seed=seed, total=total)
    typer.echo(
        f"示范市: an unlicensed commissioning (planted, flagged licence:sc_food_production): {outcome}; "
        f"{recorded} inspection reports and certificates recorded",
        err=quiet,
    )


@app.command("generate")
def generate(
    events: int = typer.Option(10_000, "--events", help="How many events."),
    seed: int = typer.Option(1, "--seed", help="Seed: the same seed gives the same document."),
    out: Path = typer.Option(..., "--out", help="The EPCIS 2.0 JSON-LD file to write."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Write a synthetic multi-tier supply chain (all eight product classes) as one EPCISDocument. --json:
    ``{"path", "events", "seed"}``."""
    generator.write_document(out, events, seed)
    if as_json:
        typer.echo(json.dumps({"path": str(out), "events": events, "seed": seed}))
        return
    typer.echo(f"{out}: {events} events, seed {seed}")
