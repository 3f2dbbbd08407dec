"""The app shell: config, production secrets, OpenAPI, migrations matching the models, CLI."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server import create_app
from server.config import DEFAULT_SECRET
from server.extensions import db


@pytest.mark.parametrize(
    "secrets",
    [
        {"SECRET_KEY": DEFAULT_SECRET, "JWT_SECRET": "x" * 40},
        {"SECRET_KEY": "x" * 40, "JWT_SECRET": DEFAULT_SECRET},
        {"SECRET_KEY": "short", "JWT_SECRET": "x" * 40},
    ],
)
def test_production_refuses_default_secrets(secrets):
    with pytest.raises(RuntimeError, match="production"):
        create_app({"ENV_NAME": "production", **secrets})


def test_unknown_env_name_is_refused(monkeypatch):
    monkeypatch.setenv("LIFTLEDGER_ENV", "staging")
    with pytest.raises(RuntimeError, match="LIFTLEDGER_ENV"):
        create_app()


def test_openapi_document_lists_the_api(client):
    spec = client.get("/api/openapi.json").get_json()
    for path in ("/api/v1/auth/nonce", "/api/v1/feedback", "/api/v1/feedback/batch"):
        assert path in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_health(client):
    assert client.get("/api/v1/health").get_json() == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
    }


def test_worker_burst_runs_and_exits(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
