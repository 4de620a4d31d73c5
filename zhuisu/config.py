"""Settings, from the environment (prefix ``ZHUISU_``) or a ``.env`` file; never read at import time."""

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
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
    database_replica_url: str = Field(
        default="",
        description=(
            "SQLAlchemy URL of a read-only streaming replica of the PostgreSQL database. Set: the read-only query "
            "endpoints (`GET /events`, `GET /events/{id}`, `GET /trace/{code}` and its impact, the browse "
            "resources) read from it, a replication lag behind what was just captured; everything else uses "
            "`database_url`. Empty: the one database."
        ),
    )
    data_dir: Path = Field(default=Path("var"), description="Directory for the embedded database and node files.")
    base_url: str = Field(
        default="http://127.0.0.1:8000", description="Public base URL of this node, used in links it hands out."
    )
    node_name: str = Field(
        default="zhuisu 本地节点", description="Name of this node's own party, which records what the CLI imports."
    )
    default_language: str = Field(
        default="zh", description="Language of messages when the client asks for none: zh or en."
    )
    capture_limit_events: int = Field(
        default=50_000, description="Most events one capture request may carry (GS1-EPCIS-Capture-Limit)."
    )
    capture_limit_bytes: int = Field(
        default=64 * 1024 * 1024,
        description="Largest capture request body in bytes (GS1-EPCIS-Capture-File-Size-Limit).",
    )
    capture_async_min_events: int = Field(
        default=10_000,
        description="Documents with at least this many events are captured in the background: `POST /capture` "
        "answers 202 at once and `GET /capture/{id}` reports the job.",
    )
    capture_jobs_in_background: bool = Field(
        default=True,
        description="Capture a queued job right after answering 202, in the web server's process. False: leave it "
        "to the workers (`zhuisu worker`, or the worker thread of `zhuisu serve`), which also resume any job a "
        "stopped server left queued.",
    )
    capture_job_lease_seconds: int = Field(
        default=900,
        ge=10,
        description="A running capture job whose worker has not finished it after this long is taken by another "
        "worker (the first one's transaction rolled back when it died).",
    )
    capture_xml_strict: bool = Field(
        default=False,
        description="Refuse EPCIS 2.0 XML that is not valid against the GS1 XSD (default: read leniently, as real "
        "documents need, then validate the events like JSON-LD).",
    )
    subscriptions_worker: bool = Field(
        default=False,
        description="Run scheduled subscriptions and deliver webhook notifications from the outbox on a thread of "
        "each web server process (started and stopped with the app). `zhuisu serve` turns it on unless this is "
        "set (or `--no-worker` is given); off: run `zhuisu worker` beside the server. Several may run at once.",
    )
    subscriptions_poll_seconds: float = Field(
        default=2.0,
        description="How often the delivery worker looks for due notifications and schedules, and how often a "
        "WebSocket subscription's connection looks for new notifications.",
    )
    subscriptions_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts (names) and networks (IP or CIDR) subscription callbacks may reach although they are not "
        "public addresses (loopback, private, link-local, cloud metadata): an ERP on the local network, say. "
        "Everything else non-public is refused when a subscription is made and again at each delivery.",
    )
    subscriptions_timeout_seconds: float = Field(
        default=10.0, description="How long the worker waits for a webhook receiver to answer."
    )
    query_default_per_page: int = Field(default=100, description="Events per page when a query names no perPage.")
    query_max_per_page: int = Field(default=1000, description="Largest perPage a query may ask for.")
    page_token_ttl_seconds: int = Field(
        default=24 * 3600, description="How long a nextPageToken stays valid (GS1-Next-Page-Token-Expires)."
    )
    import_batch_size: int = Field(
        default=2000, description="Events per transaction when `zhuisu import` streams a large file."
    )
    coverage_window_days: int = Field(
        default=30,
        description="Coverage: a registered enterprise counts as actively tracing when it recorded an "
        "event within this many days.",
    )
    demo_events: int = Field(default=100_000, description="Events `zhuisu demo load` generates for the demo city.")
    issue_max_count: int = Field(default=100_000, description="Most codes one issue request (赋码) may ask for.")
    issue_event_epc_limit: int = Field(
        default=1000, description="Most codes in one commissioning event; a larger batch is recorded as several."
    )
    labels_max_per_pdf: int = Field(default=10_000, description="Most labels one label-sheet PDF may hold.")
    labels_gs1_resolver: bool = Field(
        default=False,
        description="Labels' QR Codes of GS1 codes point to id.gs1.org instead of this node's resolver (`base_url`); "
        "other codes always point to `base_url`/c/{code}.",
    )
    scan_max_image_bytes: int = Field(
        default=10 * 1024 * 1024, description="Largest image `POST /codes/scan` accepts, in bytes."
    )
    canteen_photo_max_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1,
        description="Largest invoice (票据) photo a canteen's procurement ledger accepts, in bytes (larger: 413, "
        "nothing stored).",
    )

    ledger_origin: str = Field(
        default="",
        description=(
            "Origin (identity) of this node's transparency log, also its signing key's name. Empty: the "
            "host and path of `base_url` followed by `/ledger`. Never change it after publishing checkpoints."
        ),
    )
    ledger_key_file: Path | None = Field(
        default=None,
        description=(
            "File holding the log's Ed25519 signing key, created (mode 600) on first use. Empty: `data_dir/ledger.key`."
        ),
    )
    ledger_witness_key_file: Path | None = Field(
        default=None,
        description=(
            "File holding this node's witness (cosigner) key, created (mode 600) on first use. "
            "Empty: `data_dir/ledger-witness.key`; its name is the log origin followed by `/witness`."
        ),
    )
    ledger_witnesses: list[str] = Field(
        default_factory=list,
        description=(
            "Witnesses this node pushes its checkpoints to, each "
            "`<cosigner vkey> <add-checkpoint URL prefix>`, "
            'e.g. `["parent.example/witness+1a2b3c4d+BB… https://parent.example/ledger/witness"]`.'
        ),
    )
    ledger_witnessed_logs: list[str] = Field(
        default_factory=list,
        description=(
            "Child logs this node cosigns as a witness (POST /ledger/witness/add-checkpoint): each the log's "
            "Ed25519 vkey, whose name is the log's origin."
        ),
    )
    ledger_witness_timeout_seconds: float = Field(
        default=10.0, description="How long to wait for a witness to answer an add-checkpoint request."
    )
    ledger_verify_interval_seconds: float = Field(
        default=3600.0,
        ge=0,
        description=(
            "The worker verifies a sample of the store against the log this often (0: never); what it finds is "
            "listed on the regulator desk (记录校验)."
        ),
    )
    ledger_verify_sample_rate: float = Field(
        default=0.01,
        gt=0,
        le=1,
        description=(
            "Share of the events (and fresh public stories) each background verification checks, at least one; "
            "1 checks them all."
        ),
    )

    # --- federation (exchange/federation): reporting to the parent node.
    federation_batch_events: int = Field(
        default=500,
        ge=1,
        le=5_000,
        description="Most events the sender puts in one `POST /capture` to the parent node (well below the "
        "parent's `capture_async_min_events`, so the parent answers for each event at once).",
    )
    federation_timeout_seconds: float = Field(
        default=60.0, gt=0, description="How long the sender waits for the parent node to answer one batch."
    )
    federation_catalog_interval_seconds: float = Field(
        default=300.0,
        ge=0,
        description="How often the worker takes the parent node's new catalog releases (national, and local ones "
        "covering this node's region); 0: every round.",
    )
    federation_backoff_max_seconds: float = Field(
        default=300.0,
        gt=0,
        description="The longest the sender waits before trying an unreachable or failing parent again (the wait "
        "doubles from 1 s with each failure in a row).",
    )
    federation_reconcile_interval_seconds: float = Field(
        default=600.0,
        ge=0,
        description="How often the sender asks the parent node (an EPCIS query by eventID) whether it holds the "
        "events reported since the last check, and reports again any it lacks (a parent restored from a backup, "
        "an outbox row lost); 0: every round.",
    )
    federation_reconcile_events: int = Field(
        default=2000,
        ge=1,
        le=100_000,
        description="Most events one reconciliation checks (the next one goes on where it stopped).",
    )
    federation_reconcile_after_seconds: float = Field(
        default=60.0,
        ge=0,
        description="Events recorded less than this long ago are left to the next reconciliation (a capture "
        "still committing may hold an earlier key).",
    )
    equipment_inspection_months: dict[str, int] = Field(
        default={"special_equipment.elevator": 12, "special_equipment.gas_cylinder": 48, "*": 12},
        description="Months between periodic inspections (定期检验) of special equipment, per catalog class (the "
        "longest class prefix wins, ``*`` the rest): the next inspection is due this long after the last one "
        "(or the registration) unless the inspection names its own ``zs:nextInspectionDue``.",
    )
    equipment_maintenance_days: dict[str, int] = Field(
        default={"special_equipment.elevator": 15},
        description="Days between maintenance visits (维保) of special equipment, per catalog class (TSG T5002: 15 "
        "days for elevators); classes not named have no maintenance interval. Run ``zhuisu equipment rebuild`` "
        "after changing it or the inspection months.",
    )
    equipment_warning_days: int = Field(
        default=30,
        ge=0,
        le=366,
        description="Special equipment whose next inspection is due within this many days is listed as due soon.",
    )
    events_partition_months_ahead: int = Field(
        default=3,
        ge=0,
        le=24,
        description="PostgreSQL: how many months' partitions of the events table the worker keeps created ahead "
        "of the current one (capture creates a missing month's partition itself, holding a lock on the table "
        "while it does).",
    )

    # --- risk rules (oversight/rules): thresholds per catalog class; the longest class prefix wins, "*" is the rest.
    risk_rules_at_capture: bool = Field(
        default=True,
        description="Run the risk rules that need no clock on every capture, in its transaction (alerts at once); "
        "off: only `zhuisu risk scan`, `POST /alerts/scan` and the worker find them.",
    )
    risk_scan_interval_seconds: float = Field(
        default=3600.0,
        ge=0,
        description="The worker runs a full risk scan (the time-based rules among them) this often (0: never).",
    )
    risk_receipt_window_hours: dict[str, float] = Field(
        default={"*": 72.0, "edible_agri": 48.0, "drug": 120.0},
        description="shipped_not_received / received_not_shipped: hours after a shipment (a receipt) without its "
        "receipt (shipment) before an alert, per catalog class (a JSON object: class → value; a class without an "
        "entry takes its nearest ancestor's, else `*`'s; the same for the other risk_* maps).",
    )
    risk_mass_balance_tolerance: dict[str, float] = Field(
        default={"*": 0.0, "edible_agri": 0.02},
        description="mass_balance: share by which a transformation's outputs may exceed its inputs (one unit of "
        "measure), per catalog class.",
    )
    risk_temperature_ranges: dict[str, tuple[float, float]] = Field(
        default={},
        description="temperature_excursion: allowed range in °C (min, max) of sensorReport temperatures, per "
        "catalog class, overriding the catalog's (a class's `temperature`: meat −25…4 °C, dairy 0…6 °C, infant "
        "formula and imported milk powder −5…30 °C, drug 2…25 °C in national-2026.1): the nearer of the two to "
        "the class wins, this setting at the same level (`*`: every class without a nearer range); a class "
        "with neither is not checked (docs/coldchain.md).",
    )
    risk_temperature_tolerance_minutes: dict[str, float] = Field(
        default={"*": 0.0},
        description="temperature_excursion: an excursion (readings outside the range until one is back inside) "
        "shorter than this many minutes is no alert, per catalog class (an open one, not yet back inside, "
        "always is).",
    )
    risk_licence_rules: dict[str, list[str]] = Field(
        default={
            "drug": ["drug_manufacturing", "drug_distribution", "medical_institution"],
            "agri_input.pesticide": ["pesticide_production", "pesticide_registration", "pesticide_business"],
        },
        description="licence_missing: licence types (one of them, valid on the event's date) a party recording "
        "events of a catalog class must hold.",
    )
    risk_gap_days: int = Field(
        default=3, ge=1, description="recording_gap: days without any event after which a daily recorder is alerted."
    )
    risk_gap_daily_days: int = Field(
        default=5,
        ge=1,
        le=7,
        description="recording_gap: a party recorded daily when it recorded on at least this many of the 7 days "
        "before its last event.",
    )
    hazardous_identity_key: SecretStr = Field(
        default=SecretStr(""),
        description="Key of the HMAC-SHA256 under which buyers' ID numbers are kept (实名购买, hazardous goods): "
        "only the keyed hash is stored and carried in sale events. Empty: a random key in `data_dir/identity.key`, "
        "created (mode 600) on first use. Changing it orphans the identities registered before.",
    )
    hazardous_stock_tolerance: float = Field(
        default=0.0,
        ge=0.0,
        description="hazardous_stock_difference: share of the expected stock on hand by which a reported count "
        "(cycle_counting, stock_taking) may differ from received − issued − destroyed before it is an alert.",
    )
    # --- end of risk rules

    portal_rate_per_second: float = Field(
        default=20.0, description="Public portal: requests per second allowed per client address (0: no limit)."
    )
    portal_rate_burst: int = Field(
        default=100, description="Public portal: burst of requests allowed per client address."
    )
    portal_story_max_age_seconds: float = Field(
        default=3600.0,
        description=(
            "Public portal: a stored story is rebuilt when older than this (master data such as product names may "
            "have changed); captures naming its things make it stale at once. 0: no age limit."
        ),
    )
    portal_prebuild: bool = Field(
        default=True,
        description=(
            "Public portal: build the stories of newly recorded codes, and stories made stale, ahead of their first "
            "read (one process at a time: the server's background worker thread, or `zhuisu worker`). Off: a "
            "story is built by its first read."
        ),
    )
    portal_timezone: str = Field(
        default="Asia/Shanghai",
        description="Time zone (IANA name) the public pages and the regulator desk show times in, with the offset.",
    )
    regulator_party_ids: list[str] = Field(
        default_factory=list,
        description="Party ids allowed into the regulator desk besides parties with the `regulator` role.",
    )
    signin_session_hours: int = Field(
        default=8,
        ge=1,
        description="How long a sign-in session of the regulator desk and the enterprise console lasts, in hours "
        "from signing in; signing out, or revoking or expiry of the token signed in with, ends it sooner.",
    )

    @field_validator("portal_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the embedded SQLite file under `data_dir`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'zhuisu.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
