"""Sessions end: device tokens expire, rotate and die with their sign-in; access tokens are
refused after logout; "sign out everywhere" ends every session of a wallet."""

import time
from contextlib import contextmanager

import pytest

from server.auth.credentials import Credential
from server.extensions import db
from tests.factories import sign_in

ME = "/api/v1/me"


def bearer(token: str) -> dict:
    """Authorization headers for a bearer token."""
    return {"Authorization": f"Bearer {token}"}


def new_device(client, user: dict) -> dict:
    """A fresh device token of the signed-in user (the creation response)."""
    res = client.post("/api/v1/auth/devices", json={"name": "ext"}, headers=user["headers"])
    assert res.status_code == 201, res.get_json()
    return res.get_json()


@contextmanager
def configured(app, **values):
    """Temporarily change config values of the session's app."""
    saved = {k: app.config[k] for k in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)


def rotate(client, token: str):
    """POST the rotation endpoint with a device token."""
    return client.post("/api/v1/auth/devices/rotate", headers=bearer(token))


def test_a_device_token_expires(app, client):
    user = sign_in(client)
    with configured(app, DEVICE_TOKEN_TTL=1):
        device = new_device(client, user)
    assert device["expires_at"] is not None
    assert client.get(ME, headers=bearer(device["token"])).status_code == 200
    time.sleep(1.1)
    res = client.get(ME, headers=bearer(device["token"]))
    assert res.status_code == 401 and "expired" in res.get_json()["message"]


def test_rotation_hands_out_a_successor_and_the_old_token_lives_briefly(app, client):
    user = sign_in(client)
    with configured(app, DEVICE_TOKEN_TTL=3600):
        old = new_device(client, user)
    res = rotate(client, old["token"])
    assert res.status_code == 201
    new = res.get_json()
    assert new["token"] != old["token"] and new["name"] == old["name"]
    assert new["scopes"] == old["scopes"]
    assert client.get(ME, headers=bearer(new["token"])).status_code == 200
    assert client.get(ME, headers=bearer(old["token"])).status_code == 200  # in its grace period
    with app.app_context():
        row = db.session.get(Credential, old["id"])
        assert row.rotated_at is not None and row.replaced_by_id == new["id"]
        assert (row.expires_at - row.rotated_at).total_seconds() <= 600


def test_the_old_token_stops_after_the_grace_period(app, client):
    user = sign_in(client)
    old = new_device(client, user)
    with configured(app, DEVICE_ROTATION_GRACE=0):
        new = rotate(client, old["token"]).get_json()
    assert client.get(ME, headers=bearer(old["token"])).status_code == 401
    assert client.get(ME, headers=bearer(new["token"])).status_code == 200


def test_a_lost_rotation_response_can_be_retried(client):
    user = sign_in(client)
    old = new_device(client, user)
    lost = rotate(client, old["token"]).get_json()  # never reached the extension
    retried = rotate(client, old["token"])
    assert retried.status_code == 201
    assert client.get(ME, headers=bearer(retried.get_json()["token"])).status_code == 200
    assert client.get(ME, headers=bearer(lost["token"])).status_code == 401  # replaced


def test_rotating_again_after_the_successor_was_used_revokes_every_successor(client):
    user = sign_in(client)
    old = new_device(client, user)
    stolen = rotate(client, old["token"]).get_json()  # whoever rotated first
    assert client.get(ME, headers=bearer(stolen["token"])).status_code == 200  # and used it
    res = rotate(client, old["token"])  # the other holder of the old token
    assert res.status_code == 401 and "already rotated" in res.get_json()["message"]
    assert client.get(ME, headers=bearer(stolen["token"])).status_code == 401


def test_only_a_device_token_rotates(client):
    user = sign_in(client)
    assert client.post("/api/v1/auth/devices/rotate", headers=user["headers"]).status_code == 403


def test_logout_ends_the_access_token_and_the_devices_of_that_sign_in(client):
    user = sign_in(client)
    device = new_device(client, user)
    other_sign_in = sign_in(client, user["account"])  # the same wallet, another session
    other_device = new_device(client, other_sign_in)
    body = {"refresh_token": user["refresh_token"]}
    assert client.post("/api/v1/auth/logout", json=body, headers=user["headers"]).status_code == 204
    res = client.get(ME, headers=user["headers"])
    assert res.status_code == 401 and "signing out" in res.get_json()["message"]
    assert client.get(ME, headers=bearer(device["token"])).status_code == 401
    # The other session is untouched.
    assert client.get(ME, headers=other_sign_in["headers"]).status_code == 200
    assert client.get(ME, headers=bearer(other_device["token"])).status_code == 200


def test_refresh_reuse_revokes_the_devices_of_that_sign_in(client):
    user = sign_in(client)
    device = new_device(client, user)
    body = {"refresh_token": user["refresh_token"]}
    assert client.post("/api/v1/auth/refresh", json=body).status_code == 200
    assert client.post("/api/v1/auth/refresh", json=body).status_code == 401  # reuse
    assert client.get(ME, headers=bearer(device["token"])).status_code == 401


def test_devices_linked_by_a_refreshed_access_token_belong_to_the_same_sign_in(client):
    user = sign_in(client)
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": user["refresh_token"]})
    access = refreshed.get_json()["access_token"]
    device = new_device(client, {"headers": bearer(access)})
    body = {"refresh_token": refreshed.get_json()["refresh_token"]}
    assert client.post("/api/v1/auth/logout", json=body, headers=bearer(access)).status_code == 204
    assert client.get(ME, headers=bearer(device["token"])).status_code == 401


def test_sign_out_everywhere(client):
    first = sign_in(client)
    second = sign_in(client, first["account"])
    devices = [new_device(client, first), new_device(client, second)]
    res = client.post("/api/v1/auth/logout-everywhere", headers=second["headers"])
    assert res.status_code == 204
    for session in (first, second):
        assert client.get(ME, headers=session["headers"]).status_code == 401
        refresh = {"refresh_token": session["refresh_token"]}
        assert client.post("/api/v1/auth/refresh", json=refresh).status_code == 401
    for device in devices:
        assert client.get(ME, headers=bearer(device["token"])).status_code == 401
    # Signing in again afterwards works at once.
    again = sign_in(client, first["account"])
    assert client.get(ME, headers=again["headers"]).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/auth/logout-everywhere", "/api/v1/auth/devices/rotate"])
def test_session_endpoints_need_credentials(client, path):
    assert client.post(path).status_code == 401


def test_a_stolen_earlier_access_token_dies_when_its_sign_in_ends(client):
    user = sign_in(client)
    stolen = user["headers"]  # the thief's copy; the owner refreshes, then signs out
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": user["refresh_token"]})
    pair = refreshed.get_json()
    body = {"refresh_token": pair["refresh_token"]}
    res = client.post("/api/v1/auth/logout", json=body, headers=bearer(pair["access_token"]))
    assert res.status_code == 204
    assert client.get(ME, headers=stolen).status_code == 401
    minted = client.post("/api/v1/auth/devices", json={"name": "thief"}, headers=stolen)
    assert minted.status_code == 401


def test_a_reused_refresh_token_ends_the_access_tokens_of_its_sign_in(client):
    user = sign_in(client)
    other = sign_in(client, user["account"])  # another sign-in of the same wallet
    body = {"refresh_token": user["refresh_token"]}
    assert client.post("/api/v1/auth/refresh", json=body).status_code == 200
    assert client.post("/api/v1/auth/refresh", json=body).status_code == 401  # reuse
    assert client.get(ME, headers=user["headers"]).status_code == 401
    res = client.post("/api/v1/auth/devices", json={"name": "thief"}, headers=user["headers"])
    assert res.status_code == 401
    assert client.get(ME, headers=other["headers"]).status_code == 200


def test_an_ended_sign_in_mints_no_device_even_without_the_deny_list(app, client):
    from server.extensions import redis_store

    user = sign_in(client)
    body = {"refresh_token": user["refresh_token"]}
    assert client.post("/api/v1/auth/refresh", json=body).status_code == 200
    assert client.post("/api/v1/auth/refresh", json=body).status_code == 401  # reuse
    with app.app_context():
        redis_store.client.flushdb()  # the deny-list is lost (Redis restarted empty)
    res = client.post("/api/v1/auth/devices", json={"name": "thief"}, headers=user["headers"])
    assert res.status_code == 401 and "ended" in res.get_json()["message"]
