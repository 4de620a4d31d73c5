"""`zhuisu codes issue`, `issuer` and `labels` as a user runs them, on a fresh migrated database."""

import json
from pathlib import Path
from typing import Any

import pypdfium2
import zxingcpp
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from zhuisu.app.cli import app
from zhuisu.models import CodeBatch, CodeCounter

runner = CliRunner()
USCC = "91110000600037341L"
ZS = ["ZS11100000000010000000001D", "ZS11100000000010000000002B", "ZS111000000000100000000039"]
DL = "https://id.gs1.org/01/06901234567892/21/"


def _run(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.stdout, result.exception)
    return json.loads(result.stdout) if "--json" in args else result.stdout


def _party() -> None:
    _run("parties", "add", "示范市粮油有限公司", "--uscc", USCC, "--json")


def _decode(pdf_path: Path) -> list[str]:
    page = pypdfium2.PdfDocument(pdf_path.read_bytes())[0]
    image = page.render(scale=200 / 72, grayscale=True).to_pil()
    return sorted(b.text for b in zxingcpp.read_barcodes(image))


def _rows(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = (
            int(conn.scalar(select(func.count()).select_from(CodeBatch)) or 0),
            int(conn.scalar(select(func.count()).select_from(CodeCounter)) or 0),
        )
    engine.dispose()
    return counts


def test_issue_zhuisu_codes_as_json(cli_db: str) -> None:
    _party()

    batch = _run(
        "codes",
        "issue",
        "--party",
        USCC,
        "--product",
        "RICE",
        "--lot",
        "L1",
        "--name",
        "五常大米",
        "--count",
        "3",
        "--json",
    )

    assert batch["codes"] == ZS
    assert (batch["scheme"], batch["lot_code"], batch["first_serial"], batch["last_serial"], batch["event_count"]) == (
        "zhuisu",
        "ZS211000000000100000000018",
        1,
        3,
        1,
    )


def test_issue_prints_codes_one_per_line_and_continues(cli_db: str) -> None:
    _party()
    _run("codes", "issue", "--party", USCC, "--product", "RICE", "--count", "2")

    out = _run("codes", "issue", "--party", USCC, "--product", "RICE", "--count", "1")

    assert out.splitlines() == [ZS[2]]


def test_gs1_prefix_then_gtin_codes(cli_db: str) -> None:
    _party()

    profile = _run("codes", "issuer", USCC, "--gs1-prefix", "6901234")
    out = _run("codes", "issue", "--party", USCC, "--gtin", "6901234567892", "--count", "2")

    assert json.loads(profile)["gs1_company_prefix"] == "6901234"
    assert out.splitlines() == [DL + "1", DL + "2"]


def test_invalid_count_fails_and_stores_nothing(cli_db: str) -> None:
    _party()

    result = runner.invoke(app, ["codes", "issue", "--party", USCC, "--product", "RICE", "--count", "0"])

    assert (result.exit_code, result.stdout) == (1, "")
    assert _rows(cli_db) == (0, 0)


def test_labels_of_a_batch(cli_db: str, tmp_path: Path) -> None:
    _party()
    batch = _run("codes", "issue", "--party", USCC, "--product", "RICE", "--count", "3", "--json")
    out = tmp_path / "labels.pdf"

    _run("codes", "labels", "--batch", batch["id"], "--out", str(out))

    # the node's page of each code (the default base_url), which a phone camera opens
    assert _decode(out) == [f"http://127.0.0.1:8000/c/{code}" for code in ZS]


def test_labels_of_given_codes_as_datamatrix(cli_db: str, tmp_path: Path) -> None:
    out = tmp_path / "labels.pdf"

    _run("codes", "labels", DL + "5", "(01)06901234567892(10)L1(21)6", "--out", str(out), "--symbology", "datamatrix")

    assert _decode(out) == ["(01)06901234567892(10)L1(21)6", "(01)06901234567892(21)5"]


def test_labels_need_batch_or_codes(cli_db: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["codes", "labels", "--out", str(tmp_path / "x.pdf")])

    assert result.exit_code == 2
    assert not (tmp_path / "x.pdf").exists()
