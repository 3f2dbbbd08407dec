"""Storage faults are reported as such: a full disk or a read-only folder is a 503 with a clear
message, never a 500, and /health tells the truth about both."""

import os
import subprocess

import pytest
from flask_migrate import upgrade
from sqlalchemy import event

from server import create_app
from server.extensions import db
from tests.factories import app_config, make_feedback_payload, sign_in


def _own_app(database_url: str, redis_url: str):
    """An app on its own migrated database, so that its faults touch no other test."""
    app = create_app(app_config(database_url, redis_url))
    with app.app_context():
        upgrade()
    return app


def test_a_full_database_is_a_503_and_health_says_so(tmp_path, redis_url):
    app = _own_app(f"sqlite:///{tmp_path / 'full.db'}", redis_url)
    client = app.test_client()
    user = sign_in(client)
    assert client.get("/api/v1/health").status_code == 200
    with app.app_context():
        engine = db.engine
        with engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

        # The file may not grow by a page: as a disk with no space left behaves.
        @event.listens_for(engine, "connect")
        def _cap(dbapi_connection, _record) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        engine.dispose()
    statuses = []
    for index in range(40):
        payload = make_feedback_payload(index % 20, comment="words " * 800, message_id=None)
        res = client.post("/api/v1/feedback", json=payload, headers=user["headers"])
        statuses.append(res.status_code)
        if res.status_code != 201:
            break
    assert statuses[-1] == 503, statuses
    body = res.get_json()
    assert body["code"] == 503 and "storage is full" in body["message"]
    assert set(statuses[:-1]) <= {201}
    health = client.get("/api/v1/health")
    assert health.status_code == 503
    assert health.get_json()["database"] == "full" and health.get_json()["status"] == "degraded"


def _read_only(path) -> bool:
    """Make a folder read-only for this process, as a read-only volume would be: a read-only
    bind mount when allowed (root ignores permission bits), else no write permission."""
    if os.geteuid() != 0:
        path.chmod(0o555)
        return True
    mounted = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True)
    if mounted.returncode != 0:
        return False
    subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True)
    return True


def _writable_again(path) -> None:
    """Undo _read_only."""
    if os.geteuid() != 0:
        path.chmod(0o755)
    else:
        subprocess.run(["umount", "--lazy", str(path)], check=True)


def test_a_read_only_instance_folder_is_reported_not_a_500(tmp_path, redis_url, monkeypatch):
    instance = tmp_path / "instance"
    monkeypatch.setenv("INSTANCE_PATH", str(instance))
    app = _own_app(f"sqlite:///{instance / 'liftledger.db'}", redis_url)
    client = app.test_client()
    user = sign_in(client)
    if not _read_only(instance):
        pytest.skip("cannot make a folder read-only here (no bind mount, running as root)")
    with app.app_context():
        db.engine.dispose()  # open files stay writable through a bind mount: reopen them
    try:
        health = client.get("/api/v1/health")
        assert health.status_code == 503, health.get_json()
        assert health.get_json()["storage"] == "read-only"
        res = client.post("/api/v1/feedback", json=make_feedback_payload(), headers=user["headers"])
        assert res.status_code == 503, res.get_json()
        assert "read-only" in res.get_json()["message"]
        assert client.get("/").status_code == 200  # pages that only read still work
    finally:
        with app.app_context():
            db.engine.dispose()  # its open files would keep the mount busy
        _writable_again(instance)
    assert client.get("/api/v1/health").get_json()["storage"] == "ok"
