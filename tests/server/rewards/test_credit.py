"""Crediting a round: the split, idempotence, the Merkle root, proofs and earnings."""

import math

import pytest

from server.errors import NotFound
from server.extensions import db
from server.rewards import ledger
from server.rewards.balance_merkle import MerkleTree, leaf, verify
from server.rewards.services import credit_round, round_root, split_pool, verify_pools
from server.rounds.models import AuthorValue
from tests.concurrency import at_once
from tests.factories import make_credits, make_user, user_id

POOL = 1_000_000_000


@pytest.mark.parametrize(
    ("pool", "weights", "expected"),
    [
        (100, {1: 1.0, 2: 1.0, 3: 1.0}, {1: 34, 2: 33, 3: 33}),  # tie: lower id first
        (100, {1: 0.5, 2: 0.25, 3: 0.25}, {1: 50, 2: 25, 3: 25}),
        (10, {1: 0.7, 2: 0.2, 3: 0.1}, {1: 7, 2: 2, 3: 1}),
        (7, {5: 2.0, 9: 1.0}, {5: 5, 9: 2}),  # 4.67 / 2.33: the larger remainder wins
        (100, {1: 1.0, 2: 0.0, 3: -2.0}, {1: 100}),
        (100, {1: 0.0}, {}),
        (0, {1: 1.0}, {}),
        (2, {1: 1.0, 2: 1.0, 3: 1.0}, {1: 1, 2: 1}),
        (10**27, {1: 1e-9, 2: 3e-9}, {1: 250 * 10**24, 2: 750 * 10**24}),
    ],
)
def test_split_pool_largest_remainder(pool, weights, expected):
    assert split_pool(pool, weights) == expected


@pytest.mark.parametrize(
    ("pool", "weights"), [(100, {1: math.nan}), (100, {1: math.inf}), (-1, {1: 1.0})]
)
def test_split_pool_refuses_nonsense(pool, weights):
    with pytest.raises(ValueError):
        split_pool(pool, weights)


def test_credit_round_splits_the_pool_and_is_idempotent(client, app, make_round):
    users = [user_id(app, make_user(client)["address"]) for _ in range(3)]
    round_id = make_round()
    weights = {users[0]: 0.5, users[1]: 0.25, users[2]: 0.25}
    first = make_credits(app, round_id, weights)
    assert sorted(a for _, a in first) == [POOL // 4, POOL // 4, POOL // 2]
    assert make_credits(app, round_id, weights) == []  # rerun: nothing twice
    assert make_credits(app, round_id, {users[0]: 9.0}) == []  # even with other weights
    with app.app_context():
        assert sum(ledger.totals(u)["credited"] for u in users) == POOL
        assert ledger.verify() == (3, None)


def test_unknown_round_is_not_credited(app):
    with app.app_context(), pytest.raises(NotFound):
        credit_round(424242, {1: 1.0})


def test_root_covers_cumulative_balances_through_the_round(client, app, make_round):
    accounts = [make_user(client) for _ in range(3)]
    a, b, c = (user_id(app, acc["address"]) for acc in accounts)
    r1, r2 = make_round(), make_round()
    make_credits(app, r1, {a: 1.0, b: 1.0})
    make_credits(app, r2, {b: 1.0, c: 3.0})
    addr = {u: acc["address"] for u, acc in zip((a, b, c), accounts, strict=True)}
    expected1 = {addr[a]: POOL // 2, addr[b]: POOL // 2}
    expected2 = {addr[a]: POOL // 2, addr[b]: POOL // 2 + POOL // 4, addr[c]: 3 * POOL // 4}
    with app.app_context():
        assert round_root(r1) == "0x" + MerkleTree.from_balances(expected1).root.hex()
        assert round_root(r2) == "0x" + MerkleTree.from_balances(expected2).root.hex()
        assert round_root(make_round()) is None


def test_proof_endpoint_proves_the_leaf(app, client, make_round):
    accounts = [make_user(client) for _ in range(5)]
    ids = [user_id(app, acc["address"]) for acc in accounts]
    round_id = make_round()
    make_credits(app, round_id, {uid: float(i + 1) for i, uid in enumerate(ids)})
    with app.app_context():
        root = round_root(round_id)
    for acc in accounts:
        res = client.get(f"/api/v1/rounds/{round_id}/proofs/{acc['address'].lower()}")
        assert res.status_code == 200, res.get_json()
        body = res.get_json()
        assert body["address"] == acc["address"] and body["root"] == root
        assert isinstance(body["cumulative_amount"], str)
        node = leaf(acc["address"], int(body["cumulative_amount"]))
        proof = [bytes.fromhex(p[2:]) for p in body["proof"]]
        assert verify(proof, bytes.fromhex(root[2:]), node)


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/v1/rounds/{round}/proofs/0x000000000000000000000000000000000000dEaD", 404),
        ("/api/v1/rounds/999999/proofs/{address}", 404),
        ("/api/v1/rounds/{round}/proofs/not-an-address", 422),
        ("/api/v1/rounds/{round}/proofs/0x12", 422),
        ("/api/v1/rounds/{round}/proofs/0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 404),
        ("/api/v1/rounds/{round}/proofs/0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 422),
    ],
)
def test_proof_errors(app, client, make_round, path, code):
    account = make_user(client)
    round_id = make_round()
    make_credits(app, round_id, {user_id(app, account["address"]): 1.0})
    res = client.get(path.format(round=round_id, address=account["address"]))
    assert res.status_code == code
    body = res.get_json()
    assert body["code"] == code and body["message"]


def test_earnings(app, client, make_round):
    me, other = make_user(client), make_user(client)
    mine, theirs = user_id(app, me["address"]), user_id(app, other["address"])
    r1, r2, r3 = make_round(), make_round(), make_round()
    with app.app_context():
        db.session.add(
            AuthorValue(
                round_id=r1, user_id=mine, lift=0.002, reliability=0.9, weight=0.0018, preferences=4
            )
        )
        db.session.commit()
    make_credits(app, r1, {mine: 3.0, theirs: 1.0})
    make_credits(app, r2, {theirs: 1.0})
    make_credits(app, r3, {mine: 1.0})
    res = client.get("/api/v1/me/earnings", headers=me["headers"])
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["address"] == me["address"]
    total = 3 * POOL // 4 + POOL
    assert body["total_credited"] == str(total)
    assert body["total_claimed"] == "0" and body["claimable"] == str(total)
    assert [r["round_id"] for r in body["rounds"]] == [r3, r1]
    line = body["rounds"][1]
    assert line["credited"] == str(3 * POOL // 4)
    assert (line["lift"], line["reliability"], line["preferences"]) == (0.002, 0.9, 4)
    assert line["merkle_root"].startswith("0x") and line["finished_at"]
    assert body["rounds"][0]["lift"] is None


def test_earnings_need_sign_in(client):
    res = client.get("/api/v1/me/earnings")
    assert res.status_code == 401 and res.get_json()["code"] == 401


def test_earnings_of_a_new_user_are_zero(client):
    me = make_user(client)
    body = client.get("/api/v1/me/earnings", headers=me["headers"]).get_json()
    assert (body["total_credited"], body["claimable"], body["rounds"]) == ("0", "0", [])


def test_concurrent_credit_of_one_round_credits_each_author_once(client, app, make_round):
    """Eight threads credit the same round at once: the pool is paid out exactly once."""
    users = [user_id(app, make_user(client)["address"]) for _ in range(4)]
    round_id = make_round()
    weights = {uid: float(i + 1) for i, uid in enumerate(users)}

    def run(_: int) -> int:
        with app.app_context():
            try:
                return len(credit_round(round_id, weights))
            finally:
                db.session.remove()

    assert sorted(at_once(8, run)) == [0] * 7 + [4]
    with app.app_context():
        assert sum(ledger.totals(u)["credited"] for u in users) == POOL
        assert ledger.verify() == (4, None)


def test_a_rerun_with_newcomers_never_pays_beyond_the_pool(app, client, runner, make_round):
    old, new = (user_id(app, make_user(client)["address"]) for _ in range(2))
    round_id = make_round()
    assert make_credits(app, round_id, {old: 1.0}) == [(old, POOL)]
    assert make_credits(app, round_id, {old: 1.0, new: 2.0}) == []  # other weights, a newcomer
    with app.app_context():
        assert ledger.totals(new)["credited"] == 0
        assert verify_pools() == []
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0 and "books ok" in result.output


def test_verify_finds_a_round_credited_beyond_its_pool(app, client, runner, make_round):
    uid = user_id(app, make_user(client)["address"])
    round_id = make_round()
    make_credits(app, round_id, {uid: 1.0})
    with app.app_context():
        ledger.append("credit", user_id(app, make_user(client)["address"]), 5, round_id)
        db.session.commit()
        assert verify_pools() == [f"round {round_id}: credited {POOL + 5} > its pool {POOL}"]
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1 and f"round {round_id}: credited" in result.output
