"""Sign-in with Ethereum over HTTP, tokens, devices and the profile, with real signatures."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from server.auth import siwe
from tests.factories import SIWE_DOMAIN, SIWE_URI, sign, sign_in


def _nonce(client, address: str) -> tuple[str, str]:
    """Ask for a nonce; return it and the message."""
    body = client.post("/api/v1/auth/nonce", json={"address": address}).get_json()
    return body["nonce"], body["message"]


def _verify(client, message: str, signature: str):
    """POST the signed message."""
    return client.post("/api/v1/auth/verify", json={"message": message, "signature": signature})


def _custom_message(nonce: str, address: str, **changes) -> str:
    """An EIP-4361 message with one field changed from what the server would issue."""
    now = datetime.now(UTC).replace(microsecond=0)
    fields = {
        "domain": SIWE_DOMAIN,
        "address": address,
        "uri": SIWE_URI,
        "chain_id": 1,
        "nonce": nonce,
        "issued_at": now,
        "statement": "Sign in to Liftledger.",
        "expiration_time": now + timedelta(minutes=10),
    }
    fields.update(changes)
    return siwe.build_message(**fields).to_text()


def test_sign_in_issues_tokens_for_the_signer(client):
    account = Account.create()
    body = sign_in(client, account)
    assert body["address"] == account.address
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    me = client.get("/api/v1/me", headers=body["headers"]).get_json()
    assert me["address"] == account.address and me["role"] == "contributor"


def test_nonce_message_is_valid_eip4361(client):
    account = Account.create()
    nonce, message = _nonce(client, account.address.lower())
    parsed = siwe.parse_message(message)
    assert parsed.address == account.address  # checksummed
    assert (parsed.domain, parsed.uri, parsed.chain_id, parsed.nonce) == (
        SIWE_DOMAIN,
        SIWE_URI,
        1,
        nonce,
    )


@pytest.mark.parametrize("address", ["0x123", "not-an-address", "", "0x" + "g" * 40])
def test_nonce_rejects_bad_addresses(client, address):
    res = client.post("/api/v1/auth/nonce", json={"address": address})
    assert res.status_code == 422
    assert res.get_json()["code"] == 422


def test_hex_encoded_personal_sign_payload_is_accepted(client):
    account = Account.create()
    _, message = _nonce(client, account.address)
    hex_message = "0x" + message.encode().hex()
    signature = account.sign_message(encode_defunct(hexstr=hex_message)).signature.to_0x_hex()
    res = _verify(client, hex_message, signature)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["address"] == account.address


def test_replayed_nonce_is_refused(client):
    account = Account.create()
    _, message = _nonce(client, account.address)
    signature = sign(account, message)
    assert _verify(client, message, signature).status_code == 200
    replay = _verify(client, message, signature)
    assert replay.status_code == 401
    assert "nonce" in replay.get_json()["errors"]


def test_nonce_issued_for_another_address_is_refused(client):
    victim, attacker = Account.create(), Account.create()
    nonce, _ = _nonce(client, victim.address)
    message = _custom_message(nonce, attacker.address)
    res = _verify(client, message, sign(attacker, message))
    assert res.status_code == 401
    assert "nonce" in res.get_json()["errors"]


def test_nonce_never_issued_is_refused(client):
    account = Account.create()
    message = _custom_message("abcdef1234567890", account.address)
    assert _verify(client, message, sign(account, message)).status_code == 401


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"domain": "evil.example"}, "domain"),
        ({"uri": "https://evil.example"}, "uri"),
        ({"chain_id": 5}, "chain_id"),
        (
            {
                "issued_at": datetime.now(UTC) - timedelta(hours=2),
                "expiration_time": datetime.now(UTC) - timedelta(hours=1),
            },
            "expiration_time",
        ),
        ({"issued_at": datetime.now(UTC) + timedelta(hours=1)}, "issued_at"),
        ({"not_before": datetime.now(UTC) + timedelta(hours=1)}, "not_before"),
    ],
)
def test_each_eip4361_check_is_enforced(client, changes, field):
    account = Account.create()
    nonce, _ = _nonce(client, account.address)
    message = _custom_message(nonce, account.address, **changes)
    res = _verify(client, message, sign(account, message))
    assert res.status_code == 401
    assert field in res.get_json()["errors"]


def test_forged_signature_is_refused(client):
    account, forger = Account.create(), Account.create()
    _, message = _nonce(client, account.address)
    res = _verify(client, message, sign(forger, message))
    assert res.status_code == 401
    assert "signature" in res.get_json()["errors"]


def test_lowercase_address_in_message_is_refused(client):
    account = Account.create()
    _, message = _nonce(client, account.address)
    tampered = message.replace(account.address, account.address.lower())
    assert _verify(client, tampered, sign(account, tampered)).status_code in (401, 422)


def test_malformed_signature_is_refused(client):
    account = Account.create()
    _, message = _nonce(client, account.address)
    assert _verify(client, message, "0x1234").status_code == 401


def _token(app, **claims) -> str:
    """An HS256 token signed with the app's secret unless overridden."""
    now = datetime.now(UTC)
    base = {
        "iss": app.config["JWT_ISSUER"],
        "aud": app.config["JWT_AUDIENCE"],
        "sub": "1",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "addr": "0x0000000000000000000000000000000000000001",
        "role": "contributor",
        "typ": "access",
    }
    key = claims.pop("_key", app.config["JWT_SECRET"])
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, key, algorithm="HS256")


def _alg_none(app) -> str:
    """An unsigned token (alg none)."""
    token = _token(app)
    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    return f"{header}.{token.split('.')[1]}."


@pytest.mark.parametrize(
    "make",
    [
        _alg_none,
        lambda app: _token(app, _key="wrong-key-wrong-key-wrong-key-123"),
        lambda app: _token(app, exp=int(datetime.now(UTC).timestamp()) - 10),
        lambda app: _token(app, aud="someone-else"),
        lambda app: _token(app, iss="someone-else"),
        lambda app: _token(app, sub=None),
        lambda app: _token(app, exp=None),
        lambda app: _token(app, typ="refresh"),
        lambda app: "not.a.jwt",
        lambda app: "garbage",
    ],
    ids=[
        "alg-none",
        "wrong-key",
        "expired",
        "audience",
        "issuer",
        "no-sub",
        "no-exp",
        "wrong-type",
        "malformed",
        "garbage",
    ],
)
def test_bad_jwts_get_401(app, client, make):
    res = client.get("/api/v1/me", headers={"Authorization": f"Bearer {make(app)}"})
    assert res.status_code == 401
    assert res.get_json()["status"] == "Unauthorized"


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


def test_device_tokens_create_list_revoke(client, make_feedback):
    user = sign_in(client)
    res = client.post("/api/v1/auth/devices", json={"name": "laptop"}, headers=user["headers"])
    assert res.status_code == 201
    device = res.get_json()
    assert device["token"].startswith("lld_dev_") and "feedback:write" in device["scopes"]
    dev_headers = {"Authorization": f"Bearer {device['token']}"}
    assert client.get("/api/v1/me", headers=dev_headers).get_json()["address"] == user["address"]
    assert (
        client.post("/api/v1/feedback", json=make_feedback(), headers=dev_headers).status_code
        == 201
    )
    # A device token cannot mint more device tokens or change the profile.
    assert client.post("/api/v1/auth/devices", json={}, headers=dev_headers).status_code == 403
    patch = client.patch("/api/v1/me", json={"default_licence": "no-training"}, headers=dev_headers)
    assert patch.status_code == 403
    listed = client.get("/api/v1/auth/devices", headers=user["headers"]).get_json()
    assert [d["name"] for d in listed] == ["laptop"] and "token" not in listed[0]
    path = f"/api/v1/auth/devices/{device['id']}"
    assert client.delete(path, headers=user["headers"]).status_code == 204
    assert client.get("/api/v1/me", headers=dev_headers).status_code == 401


def test_other_users_device_cannot_be_revoked(client):
    alice, bob = sign_in(client), sign_in(client)
    device = client.post("/api/v1/auth/devices", json={}, headers=alice["headers"]).get_json()
    res = client.delete(f"/api/v1/auth/devices/{device['id']}", headers=bob["headers"])
    assert res.status_code == 404


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
