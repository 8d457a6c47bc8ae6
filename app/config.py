"""Service settings, read from the environment (and an optional `.env` file) by pydantic-settings."""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, HttpUrl, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'mjpm.db'}"
DEVELOPMENT_TOKEN_SECRET = "development-only-token-secret-change-me"
DEFAULT_TOKEN_EXPIRY_DAYS = 365


class Settings(BaseSettings):
    # A refused setting is named, never echoed: the values include secrets (TOKEN_SECRET, SMTP_PASSWORD...).
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_SQLITE_URL
    # Online geocoding of street addresses is off unless a URL is given (no network by default).
    geocoder_url: HttpUrl | None = None
    geocoder_timeout_s: float = Field(default=5.0, gt=0)
    # Key of the HMAC-SHA256 under which API tokens are stored; must be set (32+ characters) in production.
    token_secret: SecretStr = SecretStr(DEVELOPMENT_TOKEN_SECRET)
    # A checked token is trusted for this long by each worker (no query per request); a revoked token therefore
    # stops working within this delay. 0 checks the database on every request.
    token_cache_s: float = Field(default=5.0, ge=0, le=300)
    # An API token expires this many days after its creation unless its creator asks for less.
    token_expiry_days: int = Field(default=DEFAULT_TOKEN_EXPIRY_DAYS, ge=1, le=3650)
    # Web sessions (app/auth/sessions.py): a session unused for `session_idle_s` ends, and every session ends
    # `session_absolute_s` after its sign-in whatever its use (one working day by default).
    session_idle_s: float = Field(default=2 * 3600.0, gt=0)
    session_absolute_s: float = Field(default=12 * 3600.0, gt=0)
    # An invitation link (sent by e-mail when an account is created) works once, for this many days.
    invitation_days: int = Field(default=7, ge=1, le=60)
    # Public address of the service, for the links of e-mails (invitations).
    public_url: HttpUrl = HttpUrl("http://127.0.0.1:8000")
    # Workload weight per "nature:lieu_vie" or "nature" (default 1), e.g. {"tutelle:domicile": 1.2}.
    workload_weights: dict[str, float] = Field(default_factory=dict)
    belgian_workload_factor: float = Field(default=1.0, ge=1.0)
    # Default weights of the matching score (distance, capacite, profil, fraicheur, equite); an administrator
    # may override them per département. Unset criteria keep the engine's defaults.
    match_weights: dict[str, float] = Field(default_factory=dict)
    # A reservation nobody answered expires (and frees its place) after this delay; a reminder goes out before.
    reservation_expiry_days: int = Field(default=61, ge=1)
    # Préposé obligation (CASF L. 472-5): public establishments for elderly or disabled people with more permanent
    # places than this must have a préposé.
    prepose_obligation_places: int = Field(default=80, ge=0)
    reservation_reminder_days: int = Field(default=14, ge=0)
    # How long match requests and designation events are kept for audit.
    audit_retention_days: int = Field(default=1826, ge=30)
    # Notifications: e-mail when an SMTP relay is set, a webhook when a URL is set, else the log only.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_from: str = "ne-pas-repondre@mjpm-match.local"
    smtp_username: SecretStr | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    webhook_url: HttpUrl | None = None
    notification_timeout_s: float = Field(default=10.0, gt=0)
    notification_max_attempts: int = Field(default=8, ge=1)
    notification_backoff_s: float = Field(default=30.0, ge=0)
    # A dispatcher's claimed notifications are hidden from other dispatchers this long: one that dies mid-delivery
    # delays them by as much, after which they are delivered (again: delivery is at least once).
    notification_lease_s: float = Field(default=300.0, gt=0)
    # Scheduled work (app/scheduler): every application process ticks the jobs and each job runs once per period
    # across all of them. Unset: on, except under ENVIRONMENT=test (tests turn it on where they test it).
    scheduler_enabled: bool | None = None
    expire_period_s: float = Field(default=3600.0, gt=0)
    notifications_period_s: float = Field(default=30.0, gt=0)
    audit_purge_period_s: float = Field(default=86400.0, gt=0)
    # Recount of the recent designations whose kept count stopped holding (`app.registry.load`): until then,
    # `/match` counts those professionals' measures itself, a little slower, never wrong.
    recent_designations_period_s: float = Field(default=600.0, gt=0)
    # Professionals' bulk routes (app/professionals): requests per minute and per token, counted in the database
    # (fixed windows of one minute, shared by every worker and instance); request body limits in bytes.
    bulk_rate_per_minute: int = Field(default=360, ge=1)
    import_rate_per_minute: int = Field(default=30, ge=1)
    # Vendors' business software (app/vendors, OAuth2 as e-MJPM does it): requests per minute per vendor, counted in
    # the database like the limits above; lifetimes of an authorization code, an access token (24 h, as e-MJPM)
    # and a refresh token (14 days, e-MJPM's server default).
    vendor_rate_per_minute: int = Field(default=360, ge=1)
    vendor_code_s: int = Field(default=300, ge=1, le=600)
    vendor_access_token_s: int = Field(default=86400, ge=1)
    vendor_refresh_token_s: int = Field(default=14 * 86400, ge=1)
    # Largest request body of every other route (413 beyond): a JSON request of this service is a few kilobytes.
    body_max_bytes: int = Field(default=1024 * 1024, ge=1024)
    bulk_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    import_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # POST /finess/import: the Ministry's national extracts (establishments, equipment) are 30 to 60 MB each.
    finess_max_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    # Connections each process keeps to the database (SQLAlchemy's pool): up to size + overflow per worker, waiting
    # up to the timeout for a free one. Keep workers × instances × (size + overflow) under the server's
    # max_connections (100 by default). Overflow connections are closed as they come back, so the size covers the
    # requests a busy worker serves at once (with 5, 8 at once made a new connection for one request in ten).
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=5, ge=0)
    db_pool_timeout_s: float = Field(default=30.0, gt=0)
    # `mjpm serve`: worker processes, and the proxies whose X-Forwarded-For / X-Forwarded-Proto headers are believed
    # (comma-separated addresses or networks, "*" for any: only behind a proxy that overwrites them).
    web_concurrency: int = Field(default=1, ge=1)
    # Seconds a new worker of `mjpm serve` has to start (loading the reference geography) before uvicorn kills it:
    # on a busy machine a start takes tens of seconds, which is slow, not hung.
    worker_start_timeout_s: int = Field(default=120, ge=5)
    forwarded_allow_ips: str = "127.0.0.1"
    # Answers larger than this are gzip-compressed for clients that accept it (the national coverage table is
    # 3 MB of JSON).
    gzip_minimum_size: int = Field(default=1024, ge=0)
    # When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`; unset, it is open (serve it on a
    # private network only).
    metrics_token: SecretStr | None = None
    # Spreadsheet imports, read as a stream and refused at the first limit passed: a workbook's size once
    # decompressed (checked before it is opened: 413), rows holding data, filled columns and characters per cell
    # (422). Reading a workbook costs about 0.3 s of CPU per decompressed MB, twice when it lacks the dimension
    # element (openpyxl then scans it whole first): 20 MB keeps the worst file near 10 s; it holds about
    # 55 000 rows of the template. The csv module's own cell limit is 131 072 characters.
    import_max_uncompressed_bytes: int = Field(default=20 * 1024 * 1024, ge=1024 * 1024)
    import_max_rows: int = Field(default=50_000, ge=1)
    import_max_columns: int = Field(default=50, ge=11)
    import_max_cell_chars: int = Field(default=1000, ge=100, le=100_000)
    # Sign-in with OpenID Connect (ProConnect in production, see the README): off while OIDC_ISSUER is unset. The
    # discovery document and the keys are fetched at the first sign-in (never at start-up), then kept.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid email given_name usual_name siret"
    # Public address of this service, from which the callback and post-logout addresses registered with the
    # provider are built (e.g. https://mjpm.justice.fr); unset, the address the request came to.
    oidc_redirect_base_url: str | None = None
    oidc_provider_name: str = "ProConnect"
    oidc_token_endpoint_auth_method: Literal["client_secret_post", "client_secret_basic"] = "client_secret_post"
    oidc_timeout_s: float = Field(default=10.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def use_psycopg3_driver(cls, url: str) -> str:
        """Plain `postgresql://` URLs (as libpq and docker-compose write them) use psycopg 3, our only driver."""
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @field_validator("oidc_issuer", "oidc_redirect_base_url")
    @classmethod
    def web_address(cls, url: str | None) -> str | None:
        if url is None or not url.strip():
            return None
        parts = urlsplit(url.strip())
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError("adresse http(s) attendue, sans paramètres")
        return url.strip().rstrip("/")

    @model_validator(mode="after")
    def oidc_complete(self) -> "Settings":
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_client_secret):
            raise ValueError("OIDC_CLIENT_ID et OIDC_CLIENT_SECRET : obligatoires avec OIDC_ISSUER")
        if self.oidc_issuer and "openid" not in self.oidc_scopes.split():
            raise ValueError("OIDC_SCOPES : doit contenir « openid »")
        insecure = [u for u in (self.oidc_issuer, self.oidc_redirect_base_url) if u and u.startswith("http:")]
        if self.environment == "production" and insecure:
            raise ValueError("OIDC_ISSUER, OIDC_REDIRECT_BASE_URL : https obligatoire en production")
        return self

    @model_validator(mode="after")
    def scheduler_on_outside_tests(self) -> "Settings":
        if self.scheduler_enabled is None:
            self.scheduler_enabled = self.environment != "test"
        return self

    @model_validator(mode="after")
    def refuse_unsafe_production(self) -> "Settings":
        secret = self.token_secret.get_secret_value()
        if self.environment == "production" and (secret == DEVELOPMENT_TOKEN_SECRET or len(secret) < 32):
            raise ValueError("TOKEN_SECRET : obligatoire en production, une valeur aléatoire de 32 caractères au moins")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
