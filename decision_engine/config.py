"""Settings, read once from the environment at the composition root (STYLE habit 10).

This module and `bootstrap.py` are the only ones that read `os.environ` (tests/unit/test_layers.py): the
flows' Prefect defaults and the environment handed to child processes are set and read here too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DEV_SECRET = "development-only-secret-change-me"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class SettingsRefused(RuntimeError):
    """A setting that must not be used as given (e.g. the default secret outside development)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting the engine reads; nothing below the root reads os.environ."""

    data_dir: Path
    database_url: str
    environment: str = "development"
    secret_key: str = DEV_SECRET
    max_upload_bytes: int = 20 * 1024 * 1024
    token_ttl_days: int = 90
    log_origin: str = "decide.local/log"
    public_rate_per_minute: int = 120
    smtp_host: str = ""
    smtp_port: int = 25
    base_url: str = ""  # DECIDE_BASE_URL: where links in mail and Prefect artifacts point ("" = not set)
    clock_interval_seconds: float = 900.0  # DECIDE_CLOCK_INTERVAL_SECONDS: the statutory clock's schedule
    sequencer_interval_seconds: float = 60.0  # DECIDE_SEQUENCER_INTERVAL_SECONDS
    documents_interval_seconds: float = 300.0  # DECIDE_DOCUMENTS_INTERVAL_SECONDS
    prefect_home: Path | None = None  # PREFECT_HOME when set; else <data dir>/prefect
    log_profile: str | None = None  # None: what the store records (sha256-ed25519 for a new store)
    comment_shards: int = 4  # DECIDE_COMMENT_SHARDS: hash chains a decision's comment intake spreads over (1: one)
    session_idle_minutes: int = 30  # a page session idle this long ends (GB/T 22239-2019 8.1.4.1 b), SEC3)
    # The rehearsal clock (issue 16; `decide serve --clock START [--clock-rate R]`): DECIDE_REHEARSAL_CLOCK
    # (ISO start), DECIDE_REHEARSAL_CLOCK_RATE, DECIDE_REHEARSAL_CLOCK_ANCHOR (the real moment it started,
    # shared by every worker). Refused when DECIDE_ENV=production.
    rehearsal_clock: str = ""
    rehearsal_clock_rate: float = 1.0
    rehearsal_clock_anchor: str = ""
    # DECIDE_PUBLIC_DATABASE_URL: a read replica the public read pages (/public, a decision's public page, its
    # text and documents) read from; "" = the primary. Never migrated, never written (bootstrap.public_reads).
    public_database_url: str = ""

    @property
    def links_base(self) -> str:
        """The base of links to the engine's pages (DECIDE_BASE_URL, else the default local address)."""
        return (self.base_url or DEFAULT_BASE_URL).rstrip("/")

    @property
    def flow_intervals(self) -> dict[str, float]:
        """The schedules of the interval deployments (flows/deployments.py `plans`)."""
        return {"clock_seconds": self.clock_interval_seconds, "sequencer_seconds": self.sequencer_interval_seconds,
                "documents_seconds": self.documents_interval_seconds}

    @property
    def blob_dir(self) -> Path:
        """Where artifact bytes live."""
        return self.data_dir / "blobs"

    @property
    def key_dir(self) -> Path:
        """Where signing keys live (private keys owner-only)."""
        return self.data_dir / "keys"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read DECIDE_* variables; refuse the default secret outside development."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("DECIDE_DATA_DIR", "./data")).resolve()
        url = env.get("DECIDE_DATABASE_URL") or f"sqlite:///{data_dir / 'decide.db'}"
        environment = env.get("DECIDE_ENV", "development")
        secret = env.get("DECIDE_SECRET_KEY", DEV_SECRET)
        if environment != "development" and secret == DEV_SECRET:
            raise SettingsRefused("DECIDE_SECRET_KEY must be set outside development (DECIDE_ENV="
                                  f"{environment})")
        rehearsal = env.get("DECIDE_REHEARSAL_CLOCK", "").strip()
        rate = float(env.get("DECIDE_REHEARSAL_CLOCK_RATE", 1) or 1)
        if rehearsal and environment == "production":
            raise SettingsRefused("a rehearsal clock (DECIDE_REHEARSAL_CLOCK, decide serve --clock) is refused in "
                                  "production: statutory time there is the real time / 生产环境不得使用演练时钟")
        if rehearsal:
            try:
                datetime.fromisoformat(rehearsal)
            except ValueError:
                raise SettingsRefused(f"DECIDE_REHEARSAL_CLOCK must be an ISO date or time, got {rehearsal!r}") from None
            if not rate > 0:
                raise SettingsRefused(f"DECIDE_REHEARSAL_CLOCK_RATE must be positive, got {rate}")
        return cls(data_dir=data_dir, database_url=url, environment=environment, secret_key=secret,
                   max_upload_bytes=int(env.get("DECIDE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)),
                   token_ttl_days=int(env.get("DECIDE_TOKEN_TTL_DAYS", 90)),
                   log_origin=env.get("DECIDE_LOG_ORIGIN", "decide.local/log"),
                   public_rate_per_minute=int(env.get("DECIDE_PUBLIC_RATE_PER_MINUTE", 120)),
                   smtp_host=env.get("DECIDE_SMTP_HOST", ""),
                   smtp_port=int(env.get("DECIDE_SMTP_PORT", 25)),
                   base_url=env.get("DECIDE_BASE_URL", ""),
                   clock_interval_seconds=float(env.get("DECIDE_CLOCK_INTERVAL_SECONDS", 900)),
                   sequencer_interval_seconds=float(env.get("DECIDE_SEQUENCER_INTERVAL_SECONDS", 60)),
                   documents_interval_seconds=float(env.get("DECIDE_DOCUMENTS_INTERVAL_SECONDS", 300)),
                   prefect_home=Path(env["PREFECT_HOME"]) if env.get("PREFECT_HOME") else None,
                   log_profile=env.get("DECIDE_LOG_PROFILE") or None,
                   session_idle_minutes=int(env.get("DECIDE_SESSION_IDLE_MINUTES", 30)),
                   comment_shards=max(1, int(env.get("DECIDE_COMMENT_SHARDS", 4))),
                   rehearsal_clock=rehearsal, rehearsal_clock_rate=rate,
                   rehearsal_clock_anchor=env.get("DECIDE_REHEARSAL_CLOCK_ANCHOR", "").strip(),
                   public_database_url=env.get("DECIDE_PUBLIC_DATABASE_URL", "").strip())


def prefect_defaults(env: MutableMapping[str, str] | None = None) -> Path:
    """Set Prefect's defaults in the environment before Prefect is imported (values already there win):
    its home under the data directory (not ``~/.prefect``), analytics off (no network here), a start-up
    timeout long enough for a fresh temporary server. Returns the home."""
    env = os.environ if env is None else env
    env.setdefault("PREFECT_HOME", str(Path(env.get("DECIDE_DATA_DIR", "./data")).resolve() / "prefect"))
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    return Path(env["PREFECT_HOME"])


def child_environment(**overrides: str) -> dict[str, str]:
    """The environment for a child process (Prefect's server, the deployments' runner): this process's
    own, with the overrides."""
    return {**os.environ, **overrides}


def use_rehearsal_clock(start: str, rate: float = 1.0, env: MutableMapping[str, str] | None = None) -> Settings:
    """Set the rehearsal clock for this process and every child (workers, Prefect): its start, rate and the
    real moment it starts (one anchor for all); SettingsRefused in production or on a malformed start."""
    target = os.environ if env is None else env
    trial = {**target, "DECIDE_REHEARSAL_CLOCK": start, "DECIDE_REHEARSAL_CLOCK_RATE": str(rate),
             "DECIDE_REHEARSAL_CLOCK_ANCHOR": datetime.now(UTC).isoformat()}
    settings = Settings.from_env(trial)  # refuses before anything is set
    for key in ("DECIDE_REHEARSAL_CLOCK", "DECIDE_REHEARSAL_CLOCK_RATE", "DECIDE_REHEARSAL_CLOCK_ANCHOR"):
        target[key] = trial[key]
    return settings
