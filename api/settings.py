"""Configuration, read from the environment (prefix ``BAOXUE_``) or a ``.env`` file."""

import secrets
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{ROOT / 'data' / 'baoxue.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAOXUE_", env_file=".env", extra="ignore")

    # DATABASE_URL without the prefix too, because that is what every PaaS and compose file sets.
    database_url: str = Field(default=DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    data_dir: Path = ROOT / "data"
    pwa_dist: Path = ROOT / "mobile_pwa" / "dist"
    environment: Literal["development", "production", "test"] = "development"
    log_format: Literal["json", "console"] = "json"
    log_level: str = "INFO"
    database_pool_size: int = 10
    database_timeout_seconds: float = 5.0

    # Tokens. The signing key must be set in production; elsewhere one is made and kept in
    # data_dir so that sessions survive a restart.
    jwt_secret: SecretStr | None = None
    access_token_minutes: int = Field(default=15, ge=1, le=120)
    refresh_token_days: int = Field(default=14, ge=1, le=90)
    lockout_failures: int = Field(default=5, ge=3)
    lockout_minutes: int = Field(default=15, ge=1)
    ip_failure_limit: int = Field(default=20, ge=5)  # failed logins from one address per window
    # Requests a minute an integration client may make unless its own limit says otherwise.
    client_rate_limit_per_minute: int = Field(default=600, ge=1, le=100_000)
    # Origins of other web apps allowed to call the API from a browser; none by default, and
    # never "*": the field app is served from the API's own origin.
    cors_origins: list[str] = []
    hsts_seconds: int = Field(default=31_536_000, ge=0)  # sent only over HTTPS; 0 turns it off

    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # How often the app scans for deadlines near or passed and escalates; 0: never (a
    # scheduler calls POST /escalations/run instead).
    escalation_interval_minutes: int = Field(default=15, ge=0, le=24 * 60)
    # How old the statistics snapshot (county-wide figures as of a time) may be before a reader
    # refreshes it; the app refreshes it by itself well before. 0: every figure counted live.
    # BAOXUE_STATS_REFRESH_SECONDS is the name it was published under: still read.
    statistics_refresh_seconds: int = Field(
        default=300,
        ge=0,
        validation_alias=AliasChoices(
            "statistics_refresh_seconds",
            "BAOXUE_STATISTICS_REFRESH_SECONDS",
            "BAOXUE_STATS_REFRESH_SECONDS",
        ),
    )
    # Webhooks: how often the worker sends the deliveries due (0: never), how long it waits for
    # a receiver, and the backoff between attempts (base·2^attempts, capped, jittered) until
    # the last attempt, after which a delivery is dead until redelivered by hand.
    webhook_delivery_interval_seconds: float = Field(default=5, ge=0)
    webhook_timeout_seconds: float = Field(default=10, gt=0, le=60)
    webhook_retry_base_seconds: float = Field(default=30, gt=0)
    webhook_retry_cap_seconds: float = Field(default=6 * 3600, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1, le=30)

    # Local conventions of compulsory schooling (docs/domain.md): settings, never constants.
    timezone: str = "Asia/Shanghai"
    school_entry_age: int = Field(default=6, ge=5, le=8)
    school_entry_cutoff: str = Field(default="08-31", pattern=r"^\d{2}-\d{2}$")
    compulsory_years: int = Field(default=9, ge=8, le=12)
    # The youngest a child may be, in full years on the day the case is noticed, for a case's
    # reason to be 早婚 (early marriage) or 外出务工 (gone to work): a six-year-old is out of
    # school for neither. 0: any age.
    reason_min_age_early_marriage: int = Field(default=14, ge=0, le=18)
    reason_min_age_gone_to_work: int = Field(default=12, ge=0, le=18)
    # The largest share of a school's registrations of a term a roster upload may drop without
    # `confirm_shrink`: a 2-row file must not silently replace a school of hundreds. 1: never
    # asked; 0: any registration dropped is asked about.
    roster_shrink_limit: float = Field(default=0.2, ge=0, le=1)

    # 考核: the weight of each component in a township's or school's score, in any unit (points
    # out of 100, say): each is divided by their sum, so only the proportions count.
    assessment_weight_coverage: float = Field(default=25, ge=0, allow_inf_nan=False)
    assessment_weight_deadlines: float = Field(default=25, ge=0, allow_inf_nan=False)
    assessment_weight_returns: float = Field(default=25, ge=0, allow_inf_nan=False)
    assessment_weight_stable_returns: float = Field(default=25, ge=0, allow_inf_nan=False)

    @field_validator("cors_origins")
    @classmethod
    def _explicit_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin == "*" or not origin.startswith(("https://", "http://")):
                raise ValueError(f"name each origin in full (https://host[:port]), not {origin!r}")
        return [origin.rstrip("/") for origin in value]

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Accept the plain URLs operators write and pick the async driver for them."""
        if not value.strip():
            return DEFAULT_DATABASE_URL
        for plain, driver in (
            ("postgres://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if value.startswith(plain):
                return driver + value[len(plain) :]
        return value

    @model_validator(mode="after")
    def _some_weight(self) -> Self:
        if not any(self.assessment_weights().values()):
            raise ValueError(
                "assessment_weight_coverage, _deadlines, _returns and _stable_returns are all 0:"
                " give at least one a weight"
            )
        return self

    def assessment_weights(self) -> dict[str, float]:
        """The assessment's weights by component, as configured (not yet normalised)."""
        return {
            "coverage": self.assessment_weight_coverage,
            "deadlines": self.assessment_weight_deadlines,
            "returns": self.assessment_weight_returns,
            "stable_returns": self.assessment_weight_stable_returns,
        }

    def entry_cutoff(self, year: int) -> date:
        month, day = (int(part) for part in self.school_entry_cutoff.split("-"))
        return date(year, month, day)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def signing_key(self) -> str:
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        if self.environment == "production":
            raise RuntimeError("BAOXUE_JWT_SECRET must be set in production")
        path = self.data_dir / "jwt-secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
