"""``zhuisu codes issue``, ``zhuisu codes labels``, ``zhuisu codes issuer``: issuance from the command line.

The CLI acts as the node operator: it issues for the party named by ``--party`` (id or 统一社会信用代码) and
may print the labels of any batch. These commands are mounted on the ``codes`` app by ``zhuisu.issuance.codes_cli``.
"""

import json
import sys
from datetime import datetime
from pathlib import Path

import typer

from zhuisu.cli.runtime import session_maker, settings
from zhuisu.db.session import unit_of_work
from zhuisu.issuance import labelling, service
from zhuisu.issuance.schemas import BatchRead, IssuedBatchRead
from zhuisu.labels.sheet import Symbology
from zhuisu.parties import service as parties_service


def issue(
    party: str = typer.Option(..., "--party", help="Issuing party: id or 统一社会信用代码."),
    gtin: str = typer.Option(None, "--gtin", help="GTIN under the party's GS1 company prefix (SGTIN Digital Links)."),
    product: str = typer.Option(None, "--product", help="Internal product code (codes of the zhuisu scheme)."),
    lot: str = typer.Option(None, "--lot", help="Lot number (1–20 of A–Z a–z 0–9 . _ -)."),
    name: str = typer.Option(None, "--name", help="Product name printed on the labels."),
    count: int = typer.Option(..., "--count", help="How many codes to issue."),
    produced: datetime = typer.Option(None, "--production-date", formats=["%Y-%m-%d"], help="Production date."),
    expires: datetime = typer.Option(None, "--expiry", formats=["%Y-%m-%d"], help="Expiry date."),
    as_json: bool = typer.Option(False, "--json", help="Print the batch and its codes as JSON."),
) -> None:
    """Issue codes (赋码) and record their commissioning events; prints the codes, one per line."""
    config = settings()
    limits = service.Limits(max_count=config.issue_max_count, event_epc_limit=config.issue_event_epc_limit)
    with unit_of_work(session_maker()) as session:
        issuer = parties_service.get_party(session, party)
        issued = service.issue_codes(
            session,
            party=issuer,
            gtin=gtin,
            product_code=product,
            product_name=name,
            lot=lot,
            count=count,
            limits=limits,
            production_date=produced.date() if produced else None,
            expiry=expires.date() if expires else None,
        )
        read = IssuedBatchRead.model_validate(
            {**BatchRead.model_validate(issued.batch).model_dump(), "codes": issued.codes}
        )
    if as_json:
        typer.echo(read.model_dump_json())
        return
    typer.echo(
        f"batch {read.id}: {read.count} codes, serials {read.first_serial}–{read.last_serial}"
        + (f", lot code {read.lot_code}" if read.lot_code else ""),
        err=True,
    )
    sys.stdout.write("".join(code + "\n" for code in read.codes))


def labels(
    codes: list[str] = typer.Argument(None, help="Codes to print (instead of --batch)."),
    batch: str = typer.Option(None, "--batch", help="Print every code of this batch."),
    out: Path = typer.Option(..., "--out", help="PDF file to write, e.g. labels.pdf."),
    symbology: str = typer.Option("qr", "--symbology", help="qr, or datamatrix / gs1_qr for GS1 codes."),
    title: str = typer.Option("", "--title", help="Product line under each code (given codes only)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Write printable A4 label sheets (24 per page): symbol, code, product name. --json: ``{"path", "bytes",
    "symbology"}``."""
    if (batch is None) == (not codes):
        raise typer.BadParameter("give either --batch or codes, not both", param_hint="--batch / CODES")
    if symbology not in ("qr", "datamatrix", "gs1_qr"):
        raise typer.BadParameter("qr, datamatrix or gs1_qr", param_hint="--symbology")
    chosen: Symbology = symbology  # type: ignore[assignment]
    config = settings()
    if batch is not None:
        with unit_of_work(session_maker()) as session:
            pdf = service.batch_labels_pdf(session, batch, actor=None, settings=config, symbology=chosen)
    else:
        pdf = labelling.codes_pdf(
            codes,
            title=title,
            symbology=chosen,
            max_labels=config.labels_max_per_pdf,
            node=config.base_url,
            gs1_domain=config.labels_gs1_resolver,
        )
    out.write_bytes(pdf)
    if as_json:
        typer.echo(json.dumps({"path": str(out), "bytes": len(pdf), "symbology": symbology}))
        return
    typer.echo(f"wrote {out} ({len(pdf)} bytes)")


def issuer(
    party: str = typer.Argument(..., help="Party id or 统一社会信用代码."),
    gs1_prefix: str = typer.Option(..., "--gs1-prefix", help="GS1 company prefix licensed to the party (6–12 digits)."),
    as_json: bool = typer.Option(True, "--json", help="JSON (its only output)."),
) -> None:
    """Register the GS1 company prefix a party issues GTIN-based codes under: ``{"party_id", "gs1_company_prefix",
    "region", "party_number"}``."""
    with unit_of_work(session_maker()) as session:
        profile = service.set_gs1_prefix(session, party=parties_service.get_party(session, party), prefix=gs1_prefix)
        out = {
            "party_id": profile.party_id,
            "gs1_company_prefix": profile.gs1_company_prefix,
            "region": profile.region,
            "party_number": profile.party_number,
        }
    typer.echo(json.dumps(out, ensure_ascii=False))
