"""API settings: read once at startup from the environment, validated."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from retrieval.chinese import GLOSSARY_FILE

ROOT = Path(__file__).resolve().parent.parent
DEV_RASA_TOKEN = "dev-rasa-token"  # noqa: S105 - the embedded demo's token, refused in production
DEV_ADMIN_TOKEN = "dev-admin-token"  # noqa: S105 - the embedded demo's admin token, refused in production
DEV_ACTIONS_API_KEY = "dev-actions-key"  # the embedded demo's action-server credential, refused in production
DEV_IDENTITY_SECRET = "dev-identity-secret"  # noqa: S105 - the embedded demo's signing secret, refused in production


class Settings(BaseSettings):
    """Every setting has a default that serves the embedded demo, and an env var."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    shoptalk_env: Literal["development", "test", "production"] = "development"
    var_dir: Path = Field(default=ROOT / "var", description="Local state: SQLite, Qdrant Edge, models")
    database_url: str = Field(default="", description="SQLAlchemy URL; empty = SQLite in var_dir")
    auto_migrate: bool = Field(default=True, description="Run Alembic migrations at startup")

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = DEV_RASA_TOKEN
    rasa_timeout_s: float = Field(default=10.0, gt=0, le=120)

    redis_url: str = Field(
        default="", description="Redis for several API replicas: live hub, socket.io, shared rate limits"
    )
    qdrant_url: str = Field(default="", description="Qdrant server URL; empty = embedded Qdrant Edge")
    qdrant_api_key: str = ""
    qdrant_collection: str = "products"
    encoder: Literal["minilm", "hashing"] = "minilm"
    encoder_threads: int = Field(default=1, ge=1, le=64)
    encoder_model_dir: Path | None = Field(
        default=None, description="MiniLM adapted to the catalog (`shoptalk adapt-encoder`); unset = packaged weights"
    )
    query_encoder_int8: bool = Field(
        default=True, description="Encode queries with the int8 ONNX copy of MiniLM (documents stay fp32)"
    )
    search_fusion: Literal["rrf", "dbsf"] = Field(
        default="dbsf", description="How hybrid search fuses its lists (DBSF measures best: BENCHMARKS.md)"
    )
    search_spelling: bool = Field(
        default=True, description="Read misspelt query words as the catalog's words (retrieval.spelling)"
    )
    search_multilingual: bool = Field(
        default=True,
        description="A second dense vector (multilingual-e5-small) that Chinese queries search, across languages too",
    )
    search_glossary_file: Path | None = Field(
        default=GLOSSARY_FILE,
        description="Chinese product words -> the catalog's English category terms, added to Chinese BM25 queries"
        " (empty: none)",
    )

    admin_token: str = Field(
        default=DEV_ADMIN_TOKEN, description="Bearer token of the admin API (integrations, analytics)"
    )
    actions_api_key: str = Field(
        default=DEV_ACTIONS_API_KEY, description="The action server's credential for the API (set for both)"
    )
    identity_secret: str = Field(
        default=DEV_IDENTITY_SECRET, description="Shared with the shop's backend: signs verified customer ids"
    )
    staff_session_hours: float = Field(default=12.0, gt=0, le=24 * 30, description="Staff login lifetime")
    rate_limit_login_per_ip: int = Field(default=10, ge=0, description="Staff login attempts a minute per IP")
    taxonomy_path: Path = Field(default=ROOT / "bot" / "taxonomy.yml", description="Intents and entities")
    low_confidence_threshold: float = Field(default=0.5, ge=0, le=1, description="Inbox: 'low confidence' below")
    secret_key: str = Field(default="dev-secret-key-change-me", description="Encrypts stored webhook secrets")
    webhook_dispatcher: bool = Field(default=True, description="Deliver outgoing events from this process")
    webhook_max_attempts: int = Field(default=8, ge=1, le=50, description="Attempts before a dead letter")
    webhook_backoff_base_s: float = Field(default=2.0, gt=0, description="Backoff: uniform(0, base * 2**attempt)")
    webhook_backoff_cap_s: float = Field(default=3600.0, gt=0)
    webhook_timeout_s: float = Field(default=5.0, gt=0, le=60)
    webhook_poll_s: float = Field(default=0.5, gt=0, le=60)
    pii_mask_kinds: list[str] = Field(
        default_factory=lambda: ["email", "card", "iban", "phone", "address"],
        description="Personal data masked in shopper messages before storage, Rasa and webhooks",
    )
    retention_days: int | None = Field(default=None, ge=1, description="Delete data older than this; daily job")
    pii_extra_patterns: list[str] = Field(default_factory=list, description="More regexes to mask as [redacted]")
    rate_limit_chat_per_shopper: int = Field(default=30, ge=0, description="Messages a minute per shopper (0: off)")
    rate_limit_chat_per_ip: int = Field(default=300, ge=0, description="Messages a minute per client IP (0: off)")
    rate_limit_events_per_ip: int = Field(default=600, ge=0, description="Event requests a minute per IP (0: off)")
    trust_forwarded_for: bool = Field(default=False, description="Take the client IP from X-Forwarded-For")
    turn_recovery_after_s: float = Field(
        default=60.0, gt=0, description="A turn unfinished this long after its message arrived was interrupted"
    )
    worker_threads: int = Field(default=200, ge=8, le=2000, description="Threads for blocking work (chat turns)")
    max_message_bytes: int = Field(default=4096, ge=64)
    product_url_template: str = Field(
        default="/shop/products/{product_id}", description="Link of a product card; {product_id} is replaced"
    )
    cors_origins: list[str] = Field(default_factory=list)
    log_level: str = "INFO"
    log_json: bool = False

    @property
    def turn_retry_after_s(self) -> float:
        """How old an unfinished turn must be before a retry re-runs it: longer than the longest
        wait for Rasa (after which the turn is answered with the apology), so a slow Rasa call is
        never run twice."""
        return self.rasa_timeout_s + 1.0

    @property
    def turn_recovery_threshold_s(self) -> float:
        """When the recovery job answers an unfinished turn: TURN_RECOVERY_AFTER_S, but never
        while the turn could still be waiting for Rasa."""
        return max(self.turn_recovery_after_s, self.turn_retry_after_s)

    @property
    def sqlalchemy_url(self) -> str:
        """Return the database URL, defaulting to an SQLite file under var_dir."""
        return self.database_url or f"sqlite:///{self.var_dir / 'shoptalk.db'}"

    @property
    def qdrant_path(self) -> Path:
        """Return the Qdrant Edge folder."""
        return self.var_dir / "qdrant"

    @property
    def model_cache(self) -> Path:
        """Return the folder of exported encoder models and embedding caches."""
        return self.var_dir / "models"

    @field_validator("search_glossary_file", mode="before")
    @classmethod
    def _empty_means_no_glossary(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Settings:
        if self.shoptalk_env == "production" and self.rasa_token == DEV_RASA_TOKEN:
            raise ValueError("RASA_TOKEN must be set to a real secret in production")
        if self.shoptalk_env == "production" and self.admin_token == DEV_ADMIN_TOKEN:
            raise ValueError("ADMIN_TOKEN must be set to a real secret in production")
        if self.shoptalk_env == "production" and self.actions_api_key == DEV_ACTIONS_API_KEY:
            raise ValueError("ACTIONS_API_KEY must be set to a real secret in production")
        if self.shoptalk_env == "production" and self.identity_secret == DEV_IDENTITY_SECRET:
            raise ValueError("IDENTITY_SECRET must be set to a real secret in production")
        if self.shoptalk_env == "production" and self.secret_key.startswith("dev-"):
            raise ValueError("SECRET_KEY must be set to a real secret in production")
        return self


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings."""
    return Settings()
