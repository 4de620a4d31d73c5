"""``zhuisu parties`` and ``zhuisu tokens``: register parties and manage their API tokens."""

import json

import typer

from zhuisu.cli.runtime import session_maker
from zhuisu.db.session import unit_of_work
from zhuisu.parties import service

app = typer.Typer(help="Parties (enterprises, platforms, regulators).", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens of parties.", no_args_is_help=True)


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Name, e.g. 示范市食品有限公司."),
    uscc: str = typer.Option(None, help="统一社会信用代码 (validated)."),
    token: bool = typer.Option(False, "--token", help="Also issue an API token and print it (shown once)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Register a party."""
    with unit_of_work(session_maker()) as session:
        party = service.create_party(session, name=name, uscc=uscc)
        issued = service.issue_token(session, party=party, label="cli") if token else None
        out = {"id": party.id, "name": party.name, "uscc": party.uscc, "token": issued.secret if issued else None}
    typer.echo(json.dumps(out, ensure_ascii=False) if as_json else
               f"party {out['id']}  {name}" + (f"\ntoken {out['token']}  (shown once; keep it secret)" if issued else ""))


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List registered parties."""
    with unit_of_work(session_maker()) as session:
        rows = [{"id": p.id, "name": p.name, "uscc": p.uscc} for p in service.list_parties(session)]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(f"{row['id']}  {row['uscc'] or '-':18}  {row['name']}")


@tokens_app.command("issue")
def issue(
    party: str = typer.Argument(..., help="Party id or 统一社会信用代码."),
    label: str = typer.Option("", help="What the token is for."),
) -> None:
    """Issue a bearer token to a party; it is printed once and only its hash is stored."""
    with unit_of_work(session_maker()) as session:
        issued = service.issue_token(session, party=service.get_party(session, party), label=label)
        token_id, secret = issued.token.id, issued.secret
    typer.echo(f"token id {token_id}\n{secret}")


@tokens_app.command("revoke")
def revoke(token_id: str = typer.Argument(..., help="Token id (from `zhuisu tokens list`).")) -> None:
    """Revoke a token: requests bearing it get 401 from now on."""
    with unit_of_work(session_maker()) as session:
        service.revoke_token(session, token_id=token_id)
    typer.echo(f"revoked {token_id}")


@tokens_app.command("list")
def list_tokens(party: str = typer.Argument(..., help="Party id or 统一社会信用代码.")) -> None:
    """List a party's tokens (prefixes only)."""
    with unit_of_work(session_maker()) as session:
        tokens = service.list_tokens(session, party=service.get_party(session, party))
        rows = [(t.id, t.prefix, t.label, t.revoked_at) for t in tokens]
    for token_id, prefix, label, revoked in rows:
        typer.echo(f"{token_id}  {prefix}…  {label or '-'}  {'revoked ' + revoked.isoformat() if revoked else 'active'}")
