"""Lab keys: issued once through the CLI, stored hashed, scoped, revocable, rate-limited per
key. That keys and contributor tokens are never interchangeable is in
tests/server/test_attacks.py."""

import pytest

from server.auth.credentials import Credential
from server.auth.tokens import hash_token
from server.extensions import db
from server.labs.models import Lab
from tests.factories import make_lab_key


def _key(headers: dict) -> str:
    """The bare key from auth headers."""
    return headers["Authorization"].split()[1]


def test_cli_prints_the_key_once_and_stores_only_its_hash(app, runner):
    headers = make_lab_key(runner, "Acme")
    key = _key(headers)
    with app.app_context():
        row = db.session.execute(db.select(Credential).filter_by(kind="lab")).scalar_one()
        assert row.token_hash == hash_token(key) and key not in (row.prefix, row.token_hash)
        assert row.scopes == "datasets:read datasets:write"
        assert db.session.execute(db.select(Lab.name)).scalar_one() == "Acme"
    listed = runner.invoke(args=["labs", "keys", "Acme"]).output
    assert key not in listed and row.prefix in listed and "active" in listed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["labs", "create-key", "Nobody"], "No lab named 'Nobody'"),
        (["labs", "create-key", "Acme", "--scopes", "datasets:read,feedback:write"], "Scopes"),
        (["labs", "create-key", "Acme", "--scopes", ""], "Scopes"),
        (["labs", "create", "Acme"], "already exists"),
        (["labs", "create", "  "], "lab name"),
        (["labs", "revoke-key", "999"], "No lab key 999"),
    ],
)
def test_cli_errors_are_clear(runner, args, message):
    runner.invoke(args=["labs", "create", "Acme"])
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


def test_revoked_key_is_refused(client, runner, lab):
    assert client.get("/api/v1/datasets", headers=lab).status_code == 200
    key_id = runner.invoke(args=["labs", "keys", "Acme"]).output.split()[0]
    assert runner.invoke(args=["labs", "revoke-key", key_id]).exit_code == 0
    res = client.get("/api/v1/datasets", headers=lab)
    assert res.status_code == 401 and "revoked" in res.get_json()["message"]
    assert "revoked" in runner.invoke(args=["labs", "keys", "Acme"]).output


def test_unknown_lab_key_is_401(client):
    res = client.get("/api/v1/datasets", headers={"Authorization": "Bearer lld_lab_nope"})
    assert res.status_code == 401 and res.get_json()["code"] == 401


def test_no_credentials_is_401(client):
    assert client.get("/api/v1/datasets").status_code == 401


def test_read_only_key_cannot_snapshot(runner, client):
    reader = make_lab_key(runner, "Acme", "datasets:read")
    assert client.get("/api/v1/datasets", headers=reader).status_code == 200
    res = client.post("/api/v1/datasets", json={"name": "x"}, headers=reader)
    assert res.status_code == 403 and "datasets:write" in res.get_json()["message"]


def test_rate_limit_is_per_key(runner, app, client, monkeypatch):
    first, second = make_lab_key(runner, "Acme"), make_lab_key(runner, "Acme")
    monkeypatch.setitem(app.config, "RATELIMIT_LABS", "3 per minute")
    codes = [client.get("/api/v1/datasets", headers=first).status_code for _ in range(4)]
    other = client.get("/api/v1/datasets", headers=second).status_code
    assert codes == [200, 200, 200, 429] and other == 200
