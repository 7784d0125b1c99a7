"""Settings, read once from the environment at the composition root (STYLE habit 10)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEV_SECRET = "development-only-secret-change-me"


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
    session_idle_minutes: int = 30  # a page session idle this long ends (GB/T 22239-2019 8.1.4.1 b), SEC3)

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
        return cls(data_dir=data_dir, database_url=url, environment=environment, secret_key=secret,
                   max_upload_bytes=int(env.get("DECIDE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)),
                   token_ttl_days=int(env.get("DECIDE_TOKEN_TTL_DAYS", 90)),
                   log_origin=env.get("DECIDE_LOG_ORIGIN", "decide.local/log"),
                   public_rate_per_minute=int(env.get("DECIDE_PUBLIC_RATE_PER_MINUTE", 120)),
                   smtp_host=env.get("DECIDE_SMTP_HOST", ""),
                   smtp_port=int(env.get("DECIDE_SMTP_PORT", 25)),
                   session_idle_minutes=int(env.get("DECIDE_SESSION_IDLE_MINUTES", 30)))
