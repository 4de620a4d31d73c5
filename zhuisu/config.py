"""Settings, from the environment (prefix ``ZHUISU_``) or a ``.env`` file; never read at import time."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a zhuisu node can be configured with."""

    model_config = SettingsConfigDict(env_prefix="ZHUISU_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="",
        description=(
            "SQLAlchemy URL of the database. Empty: an embedded SQLite file `zhuisu.db` in `data_dir`. "
            "PostgreSQL: `postgresql+psycopg://user:password@host/dbname`."
        ),
    )
    data_dir: Path = Field(default=Path("var"), description="Directory for the embedded database and node files.")
    base_url: str = Field(
        default="http://127.0.0.1:8000", description="Public base URL of this node, used in links it hands out."
    )
    node_name: str = Field(
        default="zhuisu 本地节点", description="Name of this node's own party, which records what the CLI imports."
    )
    default_language: str = Field(default="zh", description="Language of messages when the client asks for none: zh or en.")
    capture_limit_events: int = Field(
        default=50_000, description="Most events one capture request may carry (GS1-EPCIS-Capture-Limit)."
    )
    capture_limit_bytes: int = Field(
        default=64 * 1024 * 1024,
        description="Largest capture request body in bytes (GS1-EPCIS-Capture-File-Size-Limit).",
    )
    query_default_per_page: int = Field(default=100, description="Events per page when a query names no perPage.")
    query_max_per_page: int = Field(default=1000, description="Largest perPage a query may ask for.")
    page_token_ttl_seconds: int = Field(
        default=24 * 3600, description="How long a nextPageToken stays valid (GS1-Next-Page-Token-Expires)."
    )
    import_batch_size: int = Field(
        default=2000, description="Events per transaction when `zhuisu import` streams a large file."
    )

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the embedded SQLite file under `data_dir`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'zhuisu.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
