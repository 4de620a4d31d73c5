"""``zhuisu parties`` and ``zhuisu tokens``: register parties and manage their API tokens."""

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import typer

from zhuisu.cli.runtime import err_console, fail, language, session_maker
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import BEIJING, format_iso, utc_now
from zhuisu.models import ApiToken, Delegation, Party, Product
from zhuisu.parties import delegations, masterdata, service, spreadsheets

app = typer.Typer(help="Parties (enterprises, platforms, regulators).", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens of parties.", no_args_is_help=True)
admin_app = typer.Typer(
    help="What parties may do on this node: roles, jurisdictions, mandates, delegations (local; no token needed).",
    no_args_is_help=True,
)


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Name, e.g. 示范市食品有限公司."),
    uscc: str = typer.Option(None, help="统一社会信用代码 (validated)."),
    token: bool = typer.Option(False, "--token", help="Also issue an API token and print it (shown once)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    region: str = typer.Option(None, help="GB/T 2260 region code (6 digits)."),
    gln: str = typer.Option(None, help="The party's GLN (13 digits)."),
    party_type: str = typer.Option(None, "--type", help="enterprise, individual, institution, government, platform."),
    role: list[str] = typer.Option([], "--role", help="A role in the chain (repeatable): producer, market …"),
    product_class: str = typer.Option(None, "--class", help="Catalog class it is registered under."),
    address: str = typer.Option(None, help="Address."),
) -> None:
    """Register a party."""
    with unit_of_work(session_maker()) as session:
        party = service.create_party(
            session,
            name=name,
            uscc=uscc,
            region=region,
            gln=gln,
            party_type=party_type,
            roles=role,
            product_class=product_class,
            address=address,
        )
        issued = service.issue_token(session, party=party, label="cli") if token else None
        out = {"id": party.id, "name": party.name, "uscc": party.uscc, "token": issued.secret if issued else None}
    typer.echo(
        json.dumps(out, ensure_ascii=False)
        if as_json
        else f"party {out['id']}  {name}" + (f"\ntoken {out['token']}  (shown once; keep it secret)" if issued else "")
    )


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List registered parties."""
    with unit_of_work(session_maker()) as session:
        rows = [
            {
                "id": p.id,
                "name": p.name,
                "uscc": p.uscc,
                "gln": p.gln,
                "region": p.region,
                "party_type": p.party_type,
                "roles": p.roles or [],
                "product_class": p.product_class,
            }
            for p in service.list_parties(session)
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(f"{row['id']}  {row['uscc'] or '-':18}  {row['name']}")


@tokens_app.command("issue")
def issue(
    party: str = typer.Argument(..., help="Party id or 统一社会信用代码."),
    label: str = typer.Option("", help="What the token is for."),
    expires_in_days: int = typer.Option(None, "--expires-in-days", min=1, help="Refuse it after this many days."),
    scope: list[str] = typer.Option([], "--scope", help="read, capture or admin (repeatable; default: all three)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Issue a bearer token to a party; it is printed once and only its hash is stored. --json: ``{"id", "party",
    "secret", "label", "expires_at", "scopes"}``."""
    expires = utc_now() + timedelta(days=expires_in_days) if expires_in_days else None
    with unit_of_work(session_maker()) as session:
        issued = service.issue_token(
            session,
            party=service.get_party(session, party),
            label=label,
            expires_at=expires,
            scopes=scope or None,
        )
        token_id, secret = issued.token.id, issued.secret
        out = _token_json(issued.token) | {"secret": secret}
    typer.echo(json.dumps(out, ensure_ascii=False) if as_json else f"token id {token_id}\n{secret}")


@tokens_app.command("revoke")
def revoke(
    token_id: str = typer.Argument(..., help="Token id (from `zhuisu tokens list`)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Revoke a token: requests bearing it get 401 from now on. --json: ``{"id", "revoked": true}``."""
    with unit_of_work(session_maker()) as session:
        service.revoke_token(session, token_id=token_id)
    typer.echo(json.dumps({"id": token_id, "revoked": True}) if as_json else f"revoked {token_id}")


@tokens_app.command("list")
def list_tokens(
    party: str = typer.Argument(..., help="Party id or 统一社会信用代码."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List a party's tokens (prefixes only). --json: ``[{"id", "party", "prefix", "label", "revoked_at",
    "expires_at", "scopes"}]``."""
    with unit_of_work(session_maker()) as session:
        tokens = service.list_tokens(session, party=service.get_party(session, party))
        rows = [(t.id, t.prefix, t.label, t.revoked_at, t.expires_at, t.scopes) for t in tokens]
        listed = [_token_json(t) for t in tokens]
    if as_json:
        typer.echo(json.dumps(listed, ensure_ascii=False))
        return
    for token_id, prefix, label, revoked, expires, scopes in rows:
        state = "revoked " + revoked.isoformat() if revoked else "active"
        limits = f"  expires {expires.isoformat()}" if expires else ""
        typer.echo(f"{token_id}  {prefix}…  {label or '-'}  {state}{limits}  scopes {','.join(scopes or ['all'])}")


def _token_json(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "party": token.party_id,
        "prefix": token.prefix,
        "label": token.label,
        "revoked_at": format_iso(token.revoked_at) if token.revoked_at else None,
        "expires_at": format_iso(token.expires_at) if token.expires_at else None,
        "scopes": list(token.scopes or []),
    }


masterdata_app = typer.Typer(
    help="Master data: licences, locations, products, spreadsheet import.", no_args_is_help=True
)


@masterdata_app.command("licence")
def add_licence(
    party: str = typer.Argument(..., help="Party id or 统一社会信用代码."),
    licence_type: str = typer.Argument(..., help="Licence type, e.g. sc_food_production, drug_distribution."),
    number: str = typer.Argument(..., help="Licence number."),
    valid_from: str = typer.Option(..., help="YYYY-MM-DD."),
    valid_to: str = typer.Option(None, help="YYYY-MM-DD."),
    issuer: str = typer.Option("", help="Issuing authority."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Record a licence of a party. --json: ``{"id", "party", "licence_type", "number", "valid_from", "valid_to"}``."""
    with unit_of_work(session_maker()) as session:
        licence = masterdata.add_licence(
            session,
            service.get_party(session, party),
            licence_type=licence_type,
            number=number,
            issuer=issuer,
            valid_from=date.fromisoformat(valid_from),
            valid_to=date.fromisoformat(valid_to) if valid_to else None,
        )
        out = {
            "id": licence.id, "party": licence.party_id, "licence_type": licence.licence_type, "number": licence.number,
            "valid_from": licence.valid_from.isoformat(),
            "valid_to": licence.valid_to.isoformat() if licence.valid_to else None,
        }  # fmt: skip
        typer.echo(json.dumps(out, ensure_ascii=False) if as_json else f"licence {licence.id}  {licence.number}")


@masterdata_app.command("location")
def add_location(
    party: str = typer.Argument(..., help="Party id or 统一社会信用代码."),
    name: str = typer.Argument(..., help="Site name."),
    gln: str = typer.Option(None, help="GLN of the site."),
    code: str = typer.Option(None, help="zhuisu code of the site when it has no GLN."),
    region: str = typer.Option(None, help="GB/T 2260 region code."),
    address: str = typer.Option("", help="Address."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Register a location (site) of a party. --json: ``{"id", "party", "name", "gln", "code", "region"}``."""
    with unit_of_work(session_maker()) as session:
        location = masterdata.add_location(
            session, service.get_party(session, party), name=name, gln=gln, code=code, region=region, address=address
        )
        out = {
            "id": location.id, "party": location.party_id, "name": location.name, "gln": location.gln,
            "code": location.code, "region": location.region,
        }  # fmt: skip
        typer.echo(json.dumps(out, ensure_ascii=False) if as_json else f"location {location.id}  {name}")


@masterdata_app.command("product")
def add_product(
    name: str = typer.Argument(..., help="Product name."),
    class_id: str = typer.Option(..., "--class", help="Catalog class, e.g. food.dairy."),
    gtin: str = typer.Option(None, help="GTIN."),
    producer: str = typer.Option(None, help="Producer party id or 统一社会信用代码."),
    code_scheme: str = typer.Option(None, help="Scheme of --code, e.g. drug-trace-code."),
    code: str = typer.Option(None, help="Product code in that scheme (e.g. a 7-digit 药品标识码)."),
    spec: str = typer.Option("", help="Specification."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Register a product with its catalog class. --json: the product as ``zhuisu masterdata products`` lists it."""
    with unit_of_work(session_maker()) as session:
        product = masterdata.register_product(
            session,
            name=name,
            class_id=class_id,
            gtin=gtin,
            code_scheme=code_scheme,
            code=code,
            spec=spec,
            producer=service.get_party(session, producer) if producer else None,
        )
        out = _product_json(product)
        typer.echo(json.dumps(out, ensure_ascii=False) if as_json else f"product {product.id}  {name}")


@masterdata_app.command("products")
def list_products(
    class_id: str = typer.Option(None, "--class", help="Only this class and its sub-classes."),
    as_json: bool = typer.Option(True, "--json/--table", help="JSON (the default), or a table."),
) -> None:
    """List registered products: ``[{"id", "name", "gtin", "code_scheme", "code", "class", "producer"}]``."""
    with unit_of_work(session_maker()) as session:
        rows = [_product_json(p) for p in masterdata.list_products(session, class_prefix=class_id)]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(f"{row['id']}  {row['gtin'] or row['code'] or '-':14}  {row['class']:20}  {row['name']}")


def _product_json(p: Product) -> dict[str, Any]:
    return {
        "id": p.id, "name": p.name, "gtin": p.gtin, "code_scheme": p.code_scheme, "code": p.code, "class": p.class_id,
        "producer": p.producer_id,
    }  # fmt: skip


@masterdata_app.command("template")
def template(
    kind: str = typer.Argument(..., help="parties, licences, locations or products."),
    output: Path = typer.Option(None, "-o", "--output", help="File to write (default zhuisu-KIND.FORMAT)."),
    fmt: str = typer.Option("xlsx", "--format", help="xlsx or csv."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Write an empty spreadsheet template with zh-CN headers. --json: ``{"path", "kind", "format"}``."""
    path = output or Path(f"zhuisu-{kind}.{fmt}")
    path.write_bytes(spreadsheets.template(kind, fmt))
    typer.echo(json.dumps({"path": str(path), "kind": kind, "format": fmt}) if as_json else str(path))


@masterdata_app.command("import")
def import_file(
    kind: str = typer.Argument(..., help="parties, licences, locations or products."),
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="An XLSX or CSV file made from the template."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Import master data rows: all of them, or none (each bad row is reported; exit 1). --json: ``{"kind",
    "imported"}``, or on refusal ``{"kind", "imported": 0, "errors": [{"row", "message", …}]}``."""
    rows = spreadsheets.read_rows(path.read_bytes(), path.name)
    try:
        with unit_of_work(session_maker()) as session:
            created = spreadsheets.import_rows(session, kind, rows, lang=language())
    except spreadsheets.SpreadsheetRejected as exc:
        if as_json:
            typer.echo(
                json.dumps({"kind": kind, "imported": 0, "errors": exc.extra.get("errors", [])}, ensure_ascii=False)
            )
            raise typer.Exit(1) from None
        for error in exc.extra.get("errors", []):
            row = error.get("row")
            err_console.print(f"第 {row} 行 / row {row}: {error.get('message')}", highlight=False)
        raise fail(exc.localized(language())) from None
    typer.echo(json.dumps({"kind": kind, "imported": created}) if as_json else f"imported {created} {kind}")


@admin_app.command("grant")
def grant(
    party_id: str = typer.Argument(..., help="The party's id (zhuisu parties list)."),
    role: str = typer.Option(..., "--role", help="enterprise, platform, regulator, inspector, node or admin."),
    jurisdiction: str = typer.Option(None, help="A regulator's GB/T 2260 prefix (52, 5224, 522401); none: national."),
    mandate: str = typer.Option(None, help="A regulator's catalog classes, comma-separated (food,drug); none: all."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Grant a party its role on this node (the first admin is granted this way)."""
    classes = [c.strip() for c in mandate.split(",") if c.strip()] if mandate else None
    with unit_of_work(session_maker()) as session:
        party = service.grant(
            session, service.get_party(session, party_id), actor_role=role, jurisdiction=jurisdiction, mandate=classes
        )
        out = _role_json(party)
    typer.echo(json.dumps(out, ensure_ascii=False) if as_json else _role_line(out))


@admin_app.command("list")
def list_roles(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Every party with its role, jurisdiction and mandate."""
    with unit_of_work(session_maker()) as session:
        rows = [_role_json(p) for p in service.list_parties(session)]
    typer.echo(json.dumps(rows, ensure_ascii=False) if as_json else "\n".join(_role_line(r) for r in rows))


def _role_json(party: Party) -> dict[str, Any]:
    return {
        "id": party.id,
        "name": party.name,
        "role": party.actor,
        "jurisdiction": party.jurisdiction,
        "mandate": party.mandate,
    }


def _role_line(row: dict[str, Any]) -> str:
    scope = ""
    if row["role"] == "regulator":
        scope = f"  jurisdiction {row['jurisdiction'] or 'national'}  mandate {','.join(row['mandate'] or ['all'])}"
    return f"{row['id']}  {row['role']:<10}  {row['name']}{scope}"


@admin_app.command("delegate")
def delegate(
    enterprise: str = typer.Argument(..., help="The delegating enterprise: id, 统一社会信用代码 or GLN."),
    platform: str = typer.Argument(..., help="The platform that records for it: id, 统一社会信用代码 or GLN."),
    classes: str = typer.Option(None, help="Catalog classes it may record, comma-separated (food,drug); none: all."),
    until: datetime = typer.Option(
        None, formats=["%Y-%m-%d"], help="Last day in force (Beijing time); none: until revoked."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Let a platform record events on an enterprise's behalf (credited to the enterprise)."""
    chosen = [c.strip() for c in classes.split(",") if c.strip()] if classes else None
    with unit_of_work(session_maker()) as session:
        giver, taker = (service.find_party_by_identifier(session, ref) for ref in (enterprise, platform))
        if giver is None or taker is None:
            raise fail(f"没有主体 / no party: {enterprise if giver is None else platform}")
        ends = (until.replace(tzinfo=BEIJING) + timedelta(days=1)) if until else None
        found = delegations.delegate(session, giver, taker, classes=chosen, valid_until=ends)
        out = _delegation_json(found)
    typer.echo(json.dumps(out, ensure_ascii=False) if as_json else _delegation_line(out))


@admin_app.command("delegations")
def list_delegations(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Every delegation, newest first."""
    with unit_of_work(session_maker()) as session:
        rows = [_delegation_json(d) for d in delegations.list_delegations(session)]
    typer.echo(json.dumps(rows, ensure_ascii=False) if as_json else "\n".join(_delegation_line(r) for r in rows))


@admin_app.command("undelegate")
def undelegate(
    delegation_id: str = typer.Argument(..., help="The delegation's id (zhuisu admin delegations)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """End a delegation now."""
    with unit_of_work(session_maker()) as session:
        out = _delegation_json(delegations.revoke(session, delegation_id))
    typer.echo(json.dumps(out, ensure_ascii=False) if as_json else _delegation_line(out))


def _delegation_json(found: Delegation) -> dict[str, Any]:
    return {
        "id": found.id,
        "enterprise": found.enterprise_id,
        "platform": found.platform_id,
        "classes": found.classes,
        "valid_from": format_iso(found.valid_from),
        "valid_until": format_iso(found.valid_until) if found.valid_until else None,
        "revoked_at": format_iso(found.revoked_at) if found.revoked_at else None,
    }


def _delegation_line(row: dict[str, Any]) -> str:
    state = "revoked" if row["revoked_at"] else f"until {row['valid_until'] or 'revoked'}"
    return (
        f"{row['id']}  {row['enterprise']} → {row['platform']}  classes {','.join(row['classes'] or ['all'])}  {state}"
    )
