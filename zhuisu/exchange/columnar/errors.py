"""Errors of the columnar export."""

from zhuisu.errors import ZhuisuError


class ParquetUnavailable(ZhuisuError):
    """The Parquet writer (pyarrow, the ``parquet`` extra) is not installed."""

    code = "parquet_unavailable"
    status_code = 501
