"""The app shell: config, production secrets, OpenAPI, migrations matching the models, CLI."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server import create_app
from server.config import DEFAULT_SECRET
from server.extensions import db, redis_store
from tests.factories import make_training_round, make_user

ROOT = Path(__file__).resolve().parents[2]


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
        "storage": "ok",
        "redis": "ok",
    }


def test_worker_burst_runs_the_queued_job_and_exits(app, runner):
    """A real job on the app's queue is run by `flask worker --burst`, which then exits."""
    from rq import Queue

    with app.app_context():
        round_id = make_training_round().id  # finished: the job has nothing left to do
        queue = Queue(app.config["RQ_QUEUE"], connection=redis_store.client)
        job = queue.enqueue("server.jobs.run_round", round_id)
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        job.refresh()
        assert (job.get_status(), job.return_value()) == ("finished", {"skipped": True})
        assert Queue(app.config["RQ_QUEUE"], connection=redis_store.client).count == 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/feedback/0",
        "/api/v1/feedback/2147483648",  # past a 32-bit INTEGER id column
        "/api/v1/feedback/99999999999999999999999",
        "/api/v1/rounds/-1",
    ],
)
def test_ids_out_of_range_are_404_not_database_errors(client, path):
    res = client.get(path, headers=make_user(client)["headers"])
    assert res.status_code == 404 and res.get_json()["code"] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/feedback?cursor=9999999999999&page_size=100",
        "/api/v1/me/contributions?round_id=2147483648",
    ],
)
def test_numbers_out_of_range_in_queries_are_422(client, path):
    res = client.get(path, headers=make_user(client)["headers"])
    assert res.status_code == 422 and res.get_json()["code"] == 422


def test_openapi_document_says_which_operations_need_a_token(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert paths["/api/v1/feedback"]["post"]["security"] == [{"bearer": []}]
    assert "security" not in paths["/api/v1/health"]["get"]
    header = paths["/api/v1/feedback"]["get"]["responses"]["200"]["headers"]["X-Next-Cursor"]
    assert header["schema"]["type"] == "integer"


def test_embedded_redis_stops_when_its_process_exits(tmp_path):
    """A one-off process (a `flask` command, a script) must not leave redis-server behind."""
    script = (
        "from server import create_app; from server.config import TestingConfig;"
        "app = create_app(TestingConfig);"
        "assert app.test_client().get('/api/v1/health').status_code == 200;"
        "print(app.extensions['redis_store']['embedded'].pid)"
    )
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "REDIS_URL": "", "DATABASE_URL": ""}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    pid = int(out.stdout.split()[-1])
    deadline = time.monotonic() + 10
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(pid)


def _running(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False


def test_no_view_or_hook_is_a_coroutine(app):
    """The app skips Flask's coroutine check (``App.ensure_sync``): nothing may be async."""
    import inspect

    hooks = [
        f
        for table in (
            app.before_request_funcs,
            app.after_request_funcs,
            app.teardown_request_funcs,
            app.teardown_appcontext_funcs and {None: app.teardown_appcontext_funcs},
            app.url_value_preprocessors,
            app.url_default_functions,
        )
        if table
        for funcs in table.values()
        for f in funcs
    ]
    handlers = [
        f for by_code in app.error_handler_spec.values() for by_class in by_code.values()
        for f in by_class.values()
    ]  # fmt: skip
    views = list(app.view_functions.values())
    assert len(views) > 40 and len(hooks) > 5
    for func in views + hooks + handlers:
        inner = getattr(func, "view_class", None)
        methods = [getattr(inner, m) for m in ("get", "post", "put", "patch", "delete")
                   if inner is not None and hasattr(inner, m)]  # fmt: skip
        for f in [func, *methods]:
            assert not inspect.iscoroutinefunction(f), f
