"""Liftledger service: ``create_app`` binds extensions, blueprints, error handlers and CLI."""

import logging
import os
import sys
from pathlib import Path

from flask import Flask

from server.config import Config, check_secrets, config_for_env
from server.errors import register_error_handlers
from server.extensions import api, db, limiter, migrate, redis_store
from server.redis_store import limiter_storage_uri
from server.security_headers import init_security

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


class App(Flask):
    """Flask without its per-call coroutine check: Flask asks ``inspect`` whether each hook
    and the view are coroutines on every request (about twenty calls a write), and none in
    this app is (tests/server/test_app.py walks them all)."""

    def ensure_sync(self, func):
        """The function itself: there is nothing async to wrap."""
        return func


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the app from a config class (default: from LIFTLEDGER_ENV) or a dict of overrides."""
    app = App(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None)
    if isinstance(config, dict):
        app.config.from_object(config_for_env())
        app.config.update(config)
    else:
        app.config.from_object(config or config_for_env())
    if app.config["ENV_NAME"] == "production":
        check_secrets(app.config)
    _configure_logging(app)
    _default_paths(app)
    _bind_extensions(app)
    _register_blueprints(app)
    init_security(app)
    register_error_handlers(app)
    _register_cli(app)
    return app


def _configure_logging(app: Flask) -> None:
    """Log to stdout (containers collect it)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(getattr(h, "_liftledger", False) for h in root.handlers):
        handler._liftledger = True
        root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])


def _default_paths(app: Flask) -> None:
    """SQLite under the instance folder when DATABASE_URL is unset."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = Path(app.instance_path) / "liftledger.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
        # A file has no server to drop the connection: a ping per checkout would be one more
        # statement on every request for nothing.
        options["pool_pre_ping"] = False
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _bind_extensions(app: Flask) -> None:
    """Bind the unbound extensions; identity is loaded before rate limits are checked."""
    from server import sqlite_pragmas  # noqa: F401  (registers the connect listener)
    from server.auth.identity import load_identity
    from server.feedback.routes import batch_body_limit
    from server.feedback.write_gate import limiter_skips_gated_writes
    from server.ratelimit import retry_after_only_when_refused
    from server.request_guards import guard_request

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    redis_store.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", limiter_storage_uri(app.config["REDIS_URL"]))
    # The limiter shares the app's pool: the same timeouts and circuit breaker.
    pool = app.extensions["redis_store"]["client"].connection_pool
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"connection_pool": pool})
    app.before_request(batch_body_limit)
    app.before_request(guard_request)
    app.before_request(load_identity)
    # Registered before the limiter's own hook, so it runs after it (Flask runs them reversed).
    app.after_request(retry_after_only_when_refused)
    limiter.init_app(app)
    limiter_skips_gated_writes(app)
    api.init_app(app)


def _register_blueprints(app: Flask) -> None:
    """One blueprint per area."""
    from server.adapter_health.routes import admin_blp as admin_adapter_health_blp
    from server.adapter_health.routes import blp as adapter_health_blp
    from server.apidocs.routes import docs_bp
    from server.auth.routes import blp as auth_blp
    from server.dashboard.routes import bp as dashboard_bp
    from server.datasets.routes import admin_blp as admin_datasets_blp
    from server.datasets.routes import blp as datasets_blp
    from server.feedback.routes import blp as feedback_blp
    from server.gold.routes import admin_blp as admin_gold_blp
    from server.gold.routes import blp as gold_blp
    from server.health import blp as health_blp
    from server.labs.pages import pages_bp as labs_pages_bp
    from server.labs.routes import admin_blp as admin_labs_blp
    from server.labs.routes import blp as labs_blp
    from server.me.routes import blp as me_blp
    from server.openapi import register_converters
    from server.rewards.routes import blp as claims_blp
    from server.rounds.routes import admin_blp as admin_rounds_blp
    from server.rounds.routes import blp as rounds_blp
    from server.scoring.routes import blp as reward_blp
    from server.yardsticks.routes import blp as yardsticks_blp

    register_converters(app, api)
    for blueprint in (
        auth_blp,
        me_blp,
        feedback_blp,
        health_blp,
        rounds_blp,
        admin_rounds_blp,
        reward_blp,
        claims_blp,
        datasets_blp,
        adapter_health_blp,
        admin_adapter_health_blp,
        admin_datasets_blp,
        labs_blp,
        admin_labs_blp,
        yardsticks_blp,
        gold_blp,
        admin_gold_blp,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(labs_pages_bp)
    app.register_blueprint(docs_bp)
    api.spec.components.security_scheme(
        "bearer",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "access JWT, device token (lld_dev_...) or lab key (lld_lab_...)",
        },
    )


def _register_cli(app: Flask) -> None:
    """Flask CLI groups."""
    from server.cli import register

    register(app)
