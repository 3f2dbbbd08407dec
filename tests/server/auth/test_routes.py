"""Sign-in with Ethereum over HTTP, tokens, devices and the profile, with real signatures.

Every attack (replayed or foreign nonces, messages for another site, chain or time, forged
signatures, bad JWTs, another user's devices) is in tests/server/test_attacks.py."""

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from server.auth import siwe
from server.auth.nonces import PREFIX
from server.extensions import redis_store
from tests.factories import (
    SIWE_DOMAIN,
    SIWE_URI,
    make_feedback_payload,
    request_nonce,
    sign_in,
    verify,
)


def test_sign_in_issues_tokens_for_the_signer(client):
    account = Account.create()
    body = sign_in(client, account)
    assert body["address"] == account.address
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    me = client.get("/api/v1/me", headers=body["headers"]).get_json()
    assert me["address"] == account.address and me["role"] == "contributor"


def test_nonce_message_is_valid_eip4361(client):
    account = Account.create()
    nonce, message = request_nonce(client, account.address.lower())
    parsed = siwe.parse_message(message)
    assert parsed.address == account.address  # checksummed
    assert (parsed.domain, parsed.uri, parsed.chain_id, parsed.nonce) == (
        SIWE_DOMAIN,
        SIWE_URI,
        1,
        nonce,
    )


def test_message_expires_with_its_nonce(app, client):
    """A wallet may sign until the message's Expiration Time: the nonce must live as long."""
    body = client.post("/api/v1/auth/nonce", json={"address": Account.create().address})
    parsed = siwe.parse_message(body.get_json()["message"])
    lifetime = (parsed.expiration_time - parsed.issued_at).total_seconds()
    assert lifetime == app.config["SIWE_NONCE_TTL"]
    with app.app_context():
        ttl = redis_store.client.ttl(PREFIX + body.get_json()["nonce"])
    assert lifetime - 5 <= ttl <= lifetime


@pytest.mark.parametrize("address", ["0x123", "not-an-address", "", "0x" + "g" * 40])
def test_nonce_rejects_bad_addresses(client, address):
    res = client.post("/api/v1/auth/nonce", json={"address": address})
    assert res.status_code == 422
    assert res.get_json()["code"] == 422


def test_hex_encoded_personal_sign_payload_is_accepted(client):
    account = Account.create()
    _, message = request_nonce(client, account.address)
    hex_message = "0x" + message.encode().hex()
    signature = account.sign_message(encode_defunct(hexstr=hex_message)).signature.to_0x_hex()
    res = verify(client, hex_message, signature)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["address"] == account.address


def test_missing_or_malformed_authorization_gets_401(client):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_family(client):
    user = sign_in(client)
    first = client.post("/api/v1/auth/refresh", json={"refresh_token": user["refresh_token"]})
    assert first.status_code == 200
    successor = first.get_json()["refresh_token"]
    assert successor != user["refresh_token"]
    reuse = client.post("/api/v1/auth/refresh", json={"refresh_token": user["refresh_token"]})
    assert reuse.status_code == 401
    # The thief's reuse revoked the whole sign-in, the successor included.
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": successor}).status_code == 401


def test_logout_revokes_refresh(client):
    user = sign_in(client)
    body = {"refresh_token": user["refresh_token"]}
    assert client.post("/api/v1/auth/logout", json=body, headers=user["headers"]).status_code == 204
    assert client.post("/api/v1/auth/refresh", json=body).status_code == 401


def test_device_tokens_create_list_revoke(client):
    user = sign_in(client)
    res = client.post("/api/v1/auth/devices", json={"name": "laptop"}, headers=user["headers"])
    assert res.status_code == 201
    device = res.get_json()
    assert device["token"].startswith("lld_dev_") and "feedback:write" in device["scopes"]
    dev_headers = {"Authorization": f"Bearer {device['token']}"}
    assert client.get("/api/v1/me", headers=dev_headers).get_json()["address"] == user["address"]
    assert (
        client.post(
            "/api/v1/feedback", json=make_feedback_payload(), headers=dev_headers
        ).status_code
        == 201
    )
    # What a device token may not do is in tests/server/test_attacks.py.
    listed = client.get("/api/v1/auth/devices", headers=user["headers"]).get_json()
    assert [d["name"] for d in listed] == ["laptop"] and "token" not in listed[0]
    path = f"/api/v1/auth/devices/{device['id']}"
    assert client.delete(path, headers=user["headers"]).status_code == 204
    assert client.get("/api/v1/me", headers=dev_headers).status_code == 401


def test_profile_default_licence(client):
    user = sign_in(client)
    res = client.patch(
        "/api/v1/me", json={"default_licence": "research-only"}, headers=user["headers"]
    )
    assert res.status_code == 200 and res.get_json()["default_licence"] == "research-only"
    bad = client.patch(
        "/api/v1/me", json={"default_licence": "public-domain"}, headers=user["headers"]
    )
    assert bad.status_code == 422
