"""``zhuisu codes``: check and scan codes (no database), and, from ``zhuisu.issuance.cli``, issue and label them.

``zhuisu codes check CODE… --json`` prints a JSON array with one ``recognize(code).to_json()`` object per input.
Both ``check`` and ``scan`` exit with status 1 when an input (or a symbol read) is not a valid code.
"""

import json
from pathlib import Path

import typer

from zhuisu.cli.lazy import Commands, lazy_group
from zhuisu.cli.runtime import fail, language
from zhuisu.codes.recognize import Recognition, recognize

#: Issuing and labelling need the database and the label renderers: loaded when they run (``check`` does not).
ISSUING: Commands = {
    "issue": (
        "zhuisu.issuance.cli:issue",
        "Issue codes (赋码) and record their commissioning events; prints the codes, one per line.",
    ),
    "labels": (
        "zhuisu.issuance.cli:labels",
        "Write printable A4 label sheets (24 per page): symbol, code, product name.",
    ),
    "issuer": (
        "zhuisu.issuance.cli:issuer",
        'Register the GS1 company prefix a party issues GTIN-based codes under: ``{"party_id", '
        '"gs1_company_prefix", "region", "party_number"}``.',
    ),
}

app = typer.Typer(
    help="Trace codes: check, scan, issue (赋码) and print labels.", no_args_is_help=True, cls=lazy_group(ISSUING)
)


def _line(recognition: Recognition) -> str:
    if recognition.valid:
        return f"✓ {recognition.scheme:24} {recognition.value}"
    why = recognition.error_zh if language() == "zh" and recognition.error_zh else recognition.error
    return f"✗ {recognition.scheme:24} {recognition.input!r}: {why}"


def _print(recognitions: list[Recognition], as_json: bool, extra: list[dict[str, str]] | None = None) -> None:
    if as_json:
        rows = [{**r.to_json(), **(extra[i] if extra else {})} for i, r in enumerate(recognitions)]
        typer.echo(json.dumps(rows, ensure_ascii=False))
    else:
        for r in recognitions:
            typer.echo(_line(r))
    if not all(r.valid for r in recognitions):
        raise typer.Exit(1)


@app.command()
def check(
    codes: list[str] = typer.Argument(..., help="Codes of any scheme, as scanned or typed."),
    as_json: bool = typer.Option(
        False, "--json", help="A JSON array: input, scheme, valid, value, parts, error, candidates."
    ),
) -> None:
    """Recognise each code: its scheme, canonical value, decoded parts, and why it is invalid."""
    _print([recognize(code) for code in codes], as_json)


@app.command()
def scan(
    image: Path = typer.Argument(
        ..., help="A picture of one or more labels (PNG, JPEG, …).", exists=True, dir_okay=False
    ),
    as_json: bool = typer.Option(False, "--json", help="A JSON array like `check --json`, plus symbology and text."),
) -> None:
    """Decode every barcode in a picture and recognise what each carries."""
    from zhuisu.labels.scan import read_image

    symbols = read_image(image.read_bytes())
    if not symbols:
        raise fail(f"图片中没有找到条码 / no barcode found in {image}")
    _print([s.recognition for s in symbols], as_json, [{"symbology": s.symbology, "text": s.text} for s in symbols])
