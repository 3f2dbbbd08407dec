"""Every attack on authentication and ownership we defend against, and how each is refused.

Read top to bottom: sign-in with Ethereum (EIP-4361) first, then access JWTs, then credentials
of one kind presented where another kind belongs (device tokens, lab keys, refresh tokens),
then one user at another user's feedback and devices. Each case asserts the exact status, the
one error shape of ``server/errors.py`` (``{code, status, message, errors}``) and that the
refused request wrote nothing.

Statuses: a credential that does not prove who you are (bad signature, spent or foreign nonce,
a message for another site, chain or time, a bad or expired JWT) is 401; a valid credential of
the wrong kind or without the scope is 403; another user's row is 404, exactly as a row that
does not exist, so its existence does not leak.
"""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from eth_account import Account
from werkzeug.http import HTTP_STATUS_CODES

from server.auth import siwe
from server.auth.credentials import Credential
from server.auth.models import RefreshToken, User
from server.datasets.models import Dataset, Download
from server.extensions import db
from server.feedback.models import Feedback
from server.rounds.models import TrainingRound
from tests.factories import (
    SIWE_DOMAIN,
    SIWE_URI,
    make_feedback_payload,
    make_lab_key,
    make_snapshot,
    qa_items,
    request_nonce,
    sign,
    sign_in,
    verify,
)

# --- helpers -------------------------------------------------------------------------------


def refused(res, status: int, field: str | None = None, says: str | None = None) -> dict:
    """Assert an error response: this status, the one JSON shape, and (optionally) the field
    named in ``errors`` and a phrase of the message. Returns the body."""
    body = res.get_json()
    assert res.status_code == status, body
    assert {"code", "status", "message"} <= set(body) <= {"code", "status", "message", "errors"}
    assert body["code"] == status and body["status"] == HTTP_STATUS_CODES[status]
    assert isinstance(body["message"], str) and body["message"]
    if field is not None:
        assert field in body["errors"], body
    if says is not None:
        assert says in body["message"], body
    return body


def count(app, model, **where) -> int:
    """Rows of a table (those matching `where`, when given)."""
    with app.app_context():
        query = db.select(db.func.count()).select_from(model).filter_by(**where)
        return db.session.scalar(query)


def bearer(token: str) -> dict:
    """Authorization headers for a bearer token."""
    return {"Authorization": f"Bearer {token}"}


def device_headers(client, user: dict) -> dict:
    """Headers of a fresh device token of the signed-in user."""
    res = client.post("/api/v1/auth/devices", json={"name": "ext"}, headers=user["headers"])
    assert res.status_code == 201, res.get_json()
    return bearer(res.get_json()["token"])


@pytest.fixture
def lab_key(runner) -> dict:
    """Headers of a read+write key of lab Acme, issued through the CLI."""
    return make_lab_key(runner, "Acme")


# --- 1. Sign-in with Ethereum: nonces --------------------------------------------------------


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


def test_replayed_nonce_is_refused(app, client):
    account = Account.create()
    _, message = request_nonce(client, account.address)
    signature = sign(account, message)
    assert verify(client, message, signature).status_code == 200
    refused(verify(client, message, signature), 401, "nonce", "already used")
    assert count(app, User) == 1


def test_nonce_issued_for_another_address_is_refused(app, client):
    victim, attacker = Account.create(), Account.create()
    nonce, _ = request_nonce(client, victim.address)
    message = _custom_message(nonce, attacker.address)
    refused(verify(client, message, sign(attacker, message)), 401, "nonce", "another address")
    assert count(app, User) == 0
    # The failed attempt left the victim's nonce alone: the victim still signs in with it.
    victim_message = _custom_message(nonce, victim.address)
    assert verify(client, victim_message, sign(victim, victim_message)).status_code == 200


def test_nonce_never_issued_is_refused(app, client):
    account = Account.create()
    message = _custom_message("abcdef1234567890", account.address)
    refused(verify(client, message, sign(account, message)), 401, "nonce", "not issued by us")
    assert count(app, User) == 0


# --- 2. Sign-in with Ethereum: the message is for us, this chain, now ------------------------


@pytest.mark.parametrize(
    "changes, field",
    [
        pytest.param({"domain": "evil.example"}, "domain", id="wrong-domain"),
        pytest.param({"uri": "https://evil.example"}, "uri", id="wrong-uri"),
        pytest.param({"uri": "http://localhost:8080/"}, "uri", id="wrong-uri-port"),
        pytest.param({"chain_id": 5}, "chain_id", id="wrong-chain-id"),
        pytest.param(
            {
                "issued_at": datetime.now(UTC) - timedelta(hours=2),
                "expiration_time": datetime.now(UTC) - timedelta(hours=1),
            },
            "expiration_time",
            id="expired-message",
        ),
        pytest.param(
            {"issued_at": datetime.now(UTC) + timedelta(hours=1)},
            "issued_at",
            id="future-issued-at",
        ),
        pytest.param(
            {"not_before": datetime.now(UTC) + timedelta(hours=1)}, "not_before", id="not-yet-valid"
        ),
    ],
)
def test_message_for_another_site_chain_or_time_is_refused(app, client, changes, field):
    account = Account.create()
    nonce, _ = request_nonce(client, account.address)
    message = _custom_message(nonce, account.address, **changes)
    refused(verify(client, message, sign(account, message)), 401, field, "message rejected")
    assert count(app, User) == 0


# --- 3. Sign-in with Ethereum: the signature and the address ---------------------------------


def _high_s(signature: str) -> str:
    """The malleable twin of a signature (s -> n - s, v flipped): same signer, high s."""
    raw = bytes.fromhex(signature.removeprefix("0x"))
    s = int.from_bytes(raw[32:64], "big")
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    return "0x" + (raw[:32] + (n - s).to_bytes(32, "big") + bytes([55 - raw[64]])).hex()


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda account, message: sign(Account.create(), message), id="other-key"),
        pytest.param(lambda account, message: _high_s(sign(account, message)), id="high-s"),
        pytest.param(lambda account, message: "0x1234", id="malformed"),
    ],
)
def test_forged_signature_is_refused(app, client, forge):
    account = Account.create()
    _, message = request_nonce(client, account.address)
    refused(verify(client, message, forge(account, message)), 401, "signature")
    assert count(app, User) == 0


def test_lowercase_address_in_message_is_refused(app, client):
    account = Account.create()
    _, message = request_nonce(client, account.address)
    tampered = message.replace(account.address, account.address.lower())
    refused(verify(client, tampered, sign(account, tampered)), 401, "address", "EIP-55")
    assert count(app, User) == 0


# --- 4. Access JWTs --------------------------------------------------------------------------


def _claims(app, **claims) -> dict:
    """Valid access-token claims for user 1, with changes (None drops a claim)."""
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
    base.update(claims)
    return {k: v for k, v in base.items() if v is not None}


def _token(app, _key: str | None = None, **claims) -> str:
    """An HS256 token signed with the app's secret (or ``_key``)."""
    return jwt.encode(_claims(app, **claims), _key or app.config["JWT_SECRET"], algorithm="HS256")


def _b64(data: dict) -> str:
    """base64url of compact JSON."""
    return jwt.utils.base64url_encode(json.dumps(data).encode()).decode()


def _hand_made(app, alg: str, **claims) -> str:
    """A token whose header says ``alg``, signed with our secret: HMAC-SHA512 for HS512, else
    HMAC-SHA256 (the algorithm-confusion attack); for ``none``, unsigned."""
    signing_input = f"{_b64({'alg': alg, 'typ': 'JWT'})}.{_b64(_claims(app, **claims))}"
    if alg == "none":
        return signing_input + "."
    digest = hashlib.sha512 if alg == "HS512" else hashlib.sha256
    mac = hmac.new(app.config["JWT_SECRET"].encode(), signing_input.encode(), digest).digest()
    return f"{signing_input}.{jwt.utils.base64url_encode(mac).decode()}"


def _tampered(app) -> str:
    """A genuine token whose payload was swapped for one claiming admin; signature kept."""
    header, _, signature = _token(app).split(".")
    return f"{header}.{_b64(_claims(app, role='admin'))}.{signature}"


INVALID = "Invalid access token"


@pytest.mark.parametrize(
    "make, says",
    [
        pytest.param(lambda app: _hand_made(app, "none"), INVALID, id="alg-none"),
        pytest.param(lambda app: _hand_made(app, "RS256"), INVALID, id="alg-rs256-confusion"),
        pytest.param(lambda app: _hand_made(app, "HS512"), INVALID, id="alg-hs512-right-key"),
        pytest.param(lambda app: _token(app, _key="wrong-key-" * 4), INVALID, id="wrong-key"),
        pytest.param(_tampered, INVALID, id="tampered-payload"),
        pytest.param(
            lambda app: _token(app, exp=int(datetime.now(UTC).timestamp()) - 10),
            "expired",
            id="expired",
        ),
        pytest.param(lambda app: _token(app, aud="someone-else"), INVALID, id="wrong-audience"),
        pytest.param(lambda app: _token(app, iss="someone-else"), INVALID, id="wrong-issuer"),
        pytest.param(lambda app: _token(app, sub=None), INVALID, id="no-sub"),
        pytest.param(lambda app: _token(app, exp=None), INVALID, id="no-exp"),
        pytest.param(lambda app: _token(app, typ="refresh"), INVALID, id="wrong-type"),
        pytest.param(lambda app: "not.a.jwt", INVALID, id="malformed"),
        pytest.param(lambda app: "garbage", INVALID, id="garbage"),
    ],
)
def test_bad_access_jwt_is_refused(app, client, make, says):
    refused(client.get("/api/v1/me", headers=bearer(make(app))), 401, says=says)


def test_refresh_token_is_not_an_access_token(client):
    user = sign_in(client)
    res = client.get("/api/v1/me", headers=bearer(user["refresh_token"]))
    refused(res, 401, says="not accepted here")


def test_demoted_admin_is_refused_at_once(app, client, runner):
    user = sign_in(client)
    runner.invoke(args=["users", "set-role", user["address"], "admin"])
    admin = sign_in(client, user["account"])  # a token that says role=admin, for 15 minutes
    runner.invoke(args=["users", "set-role", user["address"], "contributor"])
    res = client.post("/api/v1/admin/rounds", json={}, headers=admin["headers"])
    refused(res, 403, says="no longer an admin")
    assert count(app, TrainingRound) == 0


def test_a_stolen_access_jwt_is_dead_after_logout_and_its_devices_with_it(app, client):
    user = sign_in(client)
    minted = device_headers(client, user)  # what a thief would mint with the stolen JWT
    body = {"refresh_token": user["refresh_token"]}
    assert client.post("/api/v1/auth/logout", json=body, headers=user["headers"]).status_code == 204
    before = count(app, Credential)
    res = client.post("/api/v1/auth/devices", json={"name": "thief"}, headers=user["headers"])
    refused(res, 401, says="revoked by signing out")
    assert count(app, Credential) == before
    refused(client.get("/api/v1/me", headers=minted), 401, says="invalid or revoked")


def test_a_device_token_cannot_be_renewed_forever_by_a_thief(app, client):
    user = sign_in(client)
    stolen = device_headers(client, user)["Authorization"].split()[1]
    first = client.post("/api/v1/auth/devices/rotate", headers=bearer(stolen))
    thief = bearer(first.get_json()["token"])
    assert first.status_code == 201 and client.get("/api/v1/me", headers=thief).status_code == 200
    # The owner's copy of the same token, rotated again: the thief's successor dies.
    refused(client.post("/api/v1/auth/devices/rotate", headers=bearer(stolen)), 401)
    refused(client.get("/api/v1/me", headers=thief), 401)


def test_other_tokens_are_not_refresh_tokens(app, client):
    user = sign_in(client)
    device = device_headers(client, user)["Authorization"].split()[1]
    res = client.post("/api/v1/auth/refresh", json={"refresh_token": device})
    refused(res, 401, says="Refresh token is invalid")
    res = client.post("/api/v1/auth/refresh", json={"refresh_token": user["access_token"]})
    refused(res, 401, says="Refresh token is invalid")
    assert count(app, RefreshToken) == 1


# --- 5. Credentials used where another kind belongs ------------------------------------------


def _real_snapshot(client, lab_key: dict) -> int:
    """A contributor's pairwise feedback frozen into a snapshot by the lab; its id."""
    pair = {"text": qa_items()[0]["prediction 2"]}
    payload = make_feedback_payload(0, kind="pairwise", rating=None, other_answer=pair, choice="b")
    res = client.post("/api/v1/feedback", json=payload, headers=sign_in(client)["headers"])
    assert res.status_code == 201, res.get_json()
    return make_snapshot(client, lab_key)["id"]


@pytest.mark.parametrize("kind", ["device", "access"])
def test_contributor_token_is_refused_on_lab_endpoints(app, client, lab_key, kind):
    dataset_id = _real_snapshot(client, lab_key)
    user = sign_in(client)
    headers = device_headers(client, user) if kind == "device" else user["headers"]
    for method, path in [
        ("get", "/api/v1/datasets"),
        ("post", "/api/v1/datasets"),
        ("get", f"/api/v1/datasets/{dataset_id}"),
        ("get", f"/api/v1/datasets/{dataset_id}/card"),
        ("get", f"/api/v1/datasets/{dataset_id}/download?format=jsonl"),
    ]:
        res = getattr(client, method)(path, json={"name": "stolen"}, headers=headers)
        refused(res, 403, says=f"{kind} token cannot be used")
    assert (count(app, Dataset), count(app, Download)) == (1, 0)


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/v1/feedback"),
        ("post", "/api/v1/feedback/batch"),
        ("get", "/api/v1/feedback"),
        ("get", "/api/v1/feedback/{fid}"),
        ("patch", "/api/v1/feedback/{fid}"),
        ("delete", "/api/v1/feedback/{fid}"),
        ("get", "/api/v1/me"),
        ("patch", "/api/v1/me"),
        ("get", "/api/v1/me/earnings"),
        ("post", "/api/v1/claims"),
        ("post", "/api/v1/auth/devices"),
        ("get", "/api/v1/datasets/1/mine"),
    ],
)
def test_lab_key_is_refused_on_contributor_endpoints(app, client, lab_key, method, path):
    owner = sign_in(client)
    fid = client.post("/api/v1/feedback", json=make_feedback_payload(0), headers=owner["headers"])
    fid = fid.get_json()["id"]
    body = {
        "/api/v1/feedback": make_feedback_payload(1),
        "/api/v1/feedback/batch": {"items": [make_feedback_payload(1)]},
        "/api/v1/feedback/{fid}": {"rating": 1},
        "/api/v1/me": {"default_licence": "no-training"},
    }.get(path)
    res = getattr(client, method)(path.format(fid=fid), json=body, headers=lab_key)
    refused(res, 403, says="lab token cannot be used")
    stored = client.get(f"/api/v1/feedback/{fid}", headers=owner["headers"]).get_json()
    assert (stored["rating"], stored["withdrawn_at"]) == (-1, None)
    assert (count(app, Feedback), count(app, Credential, kind="device")) == (1, 0)


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/api/v1/auth/devices", {"name": "another"}),
        ("get", "/api/v1/auth/devices", None),
        ("patch", "/api/v1/me", {"default_licence": "no-training"}),
        ("post", "/api/v1/claims", None),
    ],
)
def test_device_token_is_refused_where_a_wallet_sign_in_is_required(
    app, client, method, path, body
):
    user = sign_in(client)
    res = getattr(client, method)(path, json=body, headers=device_headers(client, user))
    refused(res, 403, says="device token cannot be used")
    assert count(app, Credential, kind="device") == 1
    me = client.get("/api/v1/me", headers=user["headers"]).get_json()
    assert me["default_licence"] == "cc-by-4.0"


# --- 6. One user at another user's rows -------------------------------------------------------


@pytest.mark.parametrize("kind", ["access", "device"])
@pytest.mark.parametrize(
    "method, body",
    [("get", None), ("patch", {"rating": 1, "tags": ["verbose"]}), ("delete", None)],
    ids=["read", "edit", "withdraw"],
)
def test_other_users_feedback_is_not_found(app, client, kind, method, body):
    alice, bob = sign_in(client), sign_in(client)
    mine = client.post("/api/v1/feedback", json=make_feedback_payload(), headers=alice["headers"])
    before = mine.get_json()
    headers = device_headers(client, bob) if kind == "device" else bob["headers"]
    res = getattr(client, method)(f"/api/v1/feedback/{before['id']}", json=body, headers=headers)
    # Exactly what a row that does not exist gets: nothing says it is someone else's.
    missing = getattr(client, method)("/api/v1/feedback/999999", json=body, headers=headers)
    assert refused(res, 404) == refused(missing, 404)
    after = client.get(f"/api/v1/feedback/{before['id']}", headers=alice["headers"]).get_json()
    assert after == before and after["withdrawn_at"] is None
    assert count(app, Feedback) == 1


def test_lists_never_show_another_users_feedback(client):
    alice, bob = sign_in(client), sign_in(client)
    for rating in (1, -1):  # the second supersedes the first: Alice has a history too
        res = client.post(
            "/api/v1/feedback", json=make_feedback_payload(rating=rating), headers=alice["headers"]
        )
        assert res.status_code == 201, res.get_json()
    for query in ("", "?include_history=true", "?site=chatgpt&kind=rating"):
        assert client.get(f"/api/v1/feedback{query}", headers=bob["headers"]).get_json() == []
    history = client.get("/api/v1/feedback?include_history=true", headers=alice["headers"])
    assert len(history.get_json()) == 2


def test_other_users_device_cannot_be_revoked(client):
    alice, bob = sign_in(client), sign_in(client)
    device = client.post("/api/v1/auth/devices", json={}, headers=alice["headers"]).get_json()
    res = client.delete(f"/api/v1/auth/devices/{device['id']}", headers=bob["headers"])
    refused(res, 404, says="No device")
    assert client.get("/api/v1/me", headers=bearer(device["token"])).status_code == 200
