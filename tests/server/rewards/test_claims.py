"""Claims: one voucher per claimable balance, signed by the service key, over HTTP and races."""

import time

import pytest

from server.errors import Conflict
from server.extensions import db
from server.rewards import ledger
from server.rewards.claims import create_claim
from server.rewards.models import Claim, LedgerEntry
from server.rewards.vouchers import Voucher, build_domain, recover_voucher_signer
from tests.concurrency import at_once
from tests.factories import make_credits, make_user, user_id

POOL = 1_000_000_000


@pytest.fixture
def credited(client, app, make_round, signer):
    """A signed-in user credited a whole round's pool."""
    me = make_user(client)
    me["user_id"] = user_id(app, me["address"])
    me["round_id"] = make_round()
    make_credits(app, me["round_id"], {me["user_id"]: 1.0})
    return me


def _voucher_of(body: dict) -> Voucher:
    """The voucher a claim response promises."""
    message = body["voucher"]["message"]
    return Voucher(
        message["claimant"],
        int(message["cumulativeAmount"]),
        int(message["round"]),
        int(message["nonce"]),
        int(message["deadline"]),
    )


def test_claim_issues_a_signed_voucher_once(client, credited, signer):
    res = client.post("/api/v1/claims", headers=credited["headers"])
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["status"] == "issued"
    assert body["amount"] == body["cumulative_amount"] == str(POOL)
    assert body["round_id"] == credited["round_id"] and body["contract"] is None
    assert body["chain_id"] == 1 and body["deadline"] > time.time() + 3600
    voucher = _voucher_of(body)
    assert (voucher.claimant, voucher.cumulative_amount) == (credited["address"], POOL)
    assert str(voucher.nonce) == body["nonce"]
    domain = build_domain(1, "0x" + "00" * 20)
    assert body["voucher"]["domain"] == domain
    recovered = recover_voucher_signer(domain, voucher, body["voucher"]["signature"])
    assert recovered == signer.address

    again = client.post("/api/v1/claims", headers=credited["headers"])
    assert again.status_code == 409
    assert again.get_json()["code"] == 409 and "Nothing to claim" in again.get_json()["message"]
    listed = client.get("/api/v1/claims", headers=credited["headers"]).get_json()
    assert [c["id"] for c in listed] == [body["id"]]
    earnings = client.get("/api/v1/me/earnings", headers=credited["headers"]).get_json()
    assert (earnings["total_claimed"], earnings["claimable"]) == (str(POOL), "0")


def test_new_credit_makes_a_new_cumulative_voucher(app, client, credited, make_round):
    first = client.post("/api/v1/claims", headers=credited["headers"]).get_json()
    make_credits(app, make_round(), {credited["user_id"]: 1.0, credited["user_id"] + 999: 0.0})
    second = client.post("/api/v1/claims", headers=credited["headers"])
    assert second.status_code == 201
    body = second.get_json()
    assert body["amount"] == str(POOL) and body["cumulative_amount"] == str(2 * POOL)
    assert body["nonce"] != first["nonce"]
    with app.app_context():
        assert ledger.totals(credited["user_id"]) == {
            "credited": 2 * POOL,
            "claimed": 2 * POOL,
            "claimable": 0,
        }
        assert ledger.verify()[1] is None


def test_nothing_credited_is_409(client, signer):
    me = make_user(client)
    res = client.post("/api/v1/claims", headers=me["headers"])
    assert res.status_code == 409 and res.get_json()["errors"]["claimable"] == "0"


def test_expired_voucher_is_resigned_with_the_same_nonce(app, client, credited, monkeypatch):
    monkeypatch.setitem(app.config, "VOUCHER_TTL", -60)
    stale = client.post("/api/v1/claims", headers=credited["headers"]).get_json()
    assert stale["deadline"] < time.time()
    monkeypatch.setitem(app.config, "VOUCHER_TTL", 3600)
    fresh = client.post("/api/v1/claims", headers=credited["headers"])
    assert fresh.status_code == 201
    body = fresh.get_json()
    assert (body["id"], body["nonce"]) == (stale["id"], stale["nonce"])
    assert body["deadline"] > time.time() and body["voucher"] != stale["voucher"]
    assert client.post("/api/v1/claims", headers=credited["headers"]).status_code == 409
    with app.app_context():  # re-signing appends no second claim entry
        assert ledger.totals(credited["user_id"])["claimed"] == POOL


def test_mark_paid(client, credited):
    claim = client.post("/api/v1/claims", headers=credited["headers"]).get_json()
    url = f"/api/v1/claims/{claim['id']}/paid"
    tx = "0x" + "ab" * 32
    res = client.post(url, json={"tx_hash": tx}, headers=credited["headers"])
    # No chain node is configured to check the transaction: it is kept, unverified.
    assert res.status_code == 200 and res.get_json()["status"] == "unverified"
    assert res.get_json()["tx_hash"] == tx and res.get_json()["paid_at"] is None
    assert client.post(url, json={"tx_hash": tx}, headers=credited["headers"]).status_code == 200
    other_tx = client.post(url, json={"tx_hash": "0x" + "cd" * 32}, headers=credited["headers"])
    assert other_tx.status_code == 409
    stranger = make_user(client)
    assert client.post(url, json={"tx_hash": tx}, headers=stranger["headers"]).status_code == 404


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, 422), ({"tx_hash": "0x12"}, 422), ({"tx_hash": 5}, 422), ({"tx_hash": "ab" * 33}, 422)],
)
def test_mark_paid_bad_input(client, credited, body, code):
    claim = client.post("/api/v1/claims", headers=credited["headers"]).get_json()
    res = client.post(f"/api/v1/claims/{claim['id']}/paid", json=body, headers=credited["headers"])
    assert res.status_code == code and res.get_json()["errors"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/v1/claims"), ("get", "/api/v1/claims"), ("post", "/api/v1/claims/1/paid")],
)
def test_claims_need_a_wallet_sign_in(client, method, path):
    res = getattr(client, method)(path, json={"tx_hash": "0x" + "ab" * 32})
    assert res.status_code == 401 and res.get_json()["code"] == 401


def test_device_tokens_cannot_claim(client, credited):
    device = client.post(
        "/api/v1/auth/devices", json={"name": "ext"}, headers=credited["headers"]
    ).get_json()
    res = client.post("/api/v1/claims", headers={"Authorization": f"Bearer {device['token']}"})
    assert res.status_code == 403


def test_without_a_running_signer_claims_are_503_and_nothing_is_written(
    app, client, credited, monkeypatch
):
    monkeypatch.setitem(app.config, "SIGNER_SOCKET", "/tmp/no-signer-here.sock")
    res = client.post("/api/v1/claims", headers=credited["headers"])
    assert res.status_code == 503 and "signer is not reachable" in res.get_json()["message"]
    assert res.headers["Retry-After"] == "5"  # the signer's estimate, not the limit's window
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Claim)) == 0
        assert ledger.totals(credited["user_id"])["claimable"] == POOL


def test_a_balance_above_the_voucher_cap_is_claimed_in_parts(app, client, credited, monkeypatch):
    monkeypatch.setitem(app.config, "VOUCHER_CAP", POOL // 3 + 1)
    parts = [client.post("/api/v1/claims", headers=credited["headers"]) for _ in range(4)]
    assert [p.status_code for p in parts] == [201, 201, 201, 409]
    bodies = [p.get_json() for p in parts[:3]]
    assert [b["amount"] for b in bodies] == [str(POOL // 3 + 1)] * 2 + [
        str(POOL - 2 * (POOL // 3 + 1))
    ]
    assert [int(b["cumulative_amount"]) for b in bodies][-1] == POOL


def test_fifty_concurrent_claims_yield_one_voucher(app, credited):
    """50 threads, each with its own session and connection, claim the same balance."""

    def claim(_: int) -> str:
        with app.app_context():
            try:
                create_claim(credited["user_id"], credited["address"])
                return "issued"
            except Conflict:
                return "conflict"
            finally:
                db.session.remove()

    outcomes = [o if isinstance(o, str) else repr(o) for o in at_once(50, claim)]
    assert sorted(outcomes) == ["conflict"] * 49 + ["issued"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Claim)) == 1
        kinds = db.session.scalars(db.select(LedgerEntry.kind).order_by(LedgerEntry.seq)).all()
        assert kinds == ["credit", "claim"]
        assert ledger.verify() == (2, None)
