"""What a user sees when a command cannot do its job: one line saying why and what to do, a non-zero exit code, a
traceback only with --verbose / --debug."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhuisu.app.cli import app
from zhuisu.cli import runtime
from zhuisu.config import get_settings

runner = CliRunner()


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """A shell whose ZHUISU_* variables the test sets."""
    monkeypatch.setenv("ZHUISU_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("ZHUISU_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    runtime.session_maker.cache_clear()
    yield monkeypatch
    runtime.session_maker.cache_clear()
    get_settings.cache_clear()


def test_a_code_nothing_is_recorded_about_exits_1(cli_db: str) -> None:
    result = runner.invoke(app, ["trace", "ZS1110105A1B2C30000000001O"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "错误 / error: 没有找到追溯码 ZS1110105A1B2C30000000001O 的记录\n"


def test_a_database_not_migrated(environment: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["trace", "X"])
    assert result.exit_code == 2
    assert result.stderr.startswith("错误 / error: 数据库尚未初始化：运行 zhuisu db upgrade")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_database_that_cannot_be_reached(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("ZHUISU_DATABASE_URL", "postgresql+psycopg://zhuisu:x@127.0.0.1:1/none")
    result = runner.invoke(app, ["trace", "X"])
    assert result.exit_code == 2
    assert result.stderr.startswith("错误 / error: 无法连接数据库：检查 ZHUISU_DATABASE_URL 与数据库服务")
    assert result.stderr.count("\n") == 1
    verbose = runner.invoke(app, ["--debug", "trace", "X"])
    assert (verbose.exit_code, type(verbose.exception).__name__) == (1, "OperationalError")


def test_settings_that_do_not_validate(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("ZHUISU_LABELS_MAX_PER_PDF", "many")
    result = runner.invoke(app, ["trace", "X"])
    assert result.exit_code == 2
    assert result.stderr.startswith("错误 / error: 配置无效 / invalid settings: labels_max_per_pdf: Input should be")
