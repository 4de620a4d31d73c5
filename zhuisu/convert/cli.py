"""``zhuisu convert IN OUT``: EPCIS XML (1.2/2.0) ↔ JSON-LD (2.0), by file name."""

from pathlib import Path

import typer

from zhuisu.convert import service


def convert(
    source: Path = typer.Argument(..., exists=True, dir_okay=False, help="EPCIS XML or JSON-LD document."),
    target: Path = typer.Argument(..., help="Output file; .xml for XML, .json/.jsonld for JSON-LD ('-': stdout)."),
    to: str = typer.Option("", "--to", help="xml or json, when the output's name does not say."),
    epcis_version: str = typer.Option("2.0", "--epcis-version", help="EPCIS version of XML output: 2.0 or 1.2."),
) -> None:
    """Convert an EPCIS document between the XML and JSON-LD bindings (same events, same event hashes)."""
    raw = source.read_bytes()
    version = service.epcis_version(epcis_version)
    chosen = service.target_for(to or str(target), service.detect(raw))
    out, warnings = service.convert_with_warnings(raw, chosen, version)
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    if str(target) == "-":
        typer.echo(out.decode())
    else:
        target.write_bytes(out)
        typer.echo(f"{source} → {target} ({chosen})")
