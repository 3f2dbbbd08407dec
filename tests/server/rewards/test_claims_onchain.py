"""The API's vouchers and Merkle proofs redeemed on the real LiftClaims contract (py-evm)."""

import json
from pathlib import Path

import pytest
from eth_account import Account
from eth_tester.exceptions import TransactionFailed
from eth_utils import keccak
from web3 import EthereumTesterProvider, Web3
from web3.contract import Contract

from server.extensions import db
from server.rewards.services import round_root
from tests.factories import make_credits, make_user, user_id

ARTIFACTS = Path(__file__).resolve().parents[3] / "chain" / "artifacts"
POOL = 3 * 10**27  # base units beyond 2**64, as real 18-decimal pools are
RPC_URL = "http://py-evm.invalid:8545"


def _deploy(w3: Web3, name: str, *args, sender: str) -> Contract:
    """Deploy a committed artifact."""
    artifact = json.loads((ARTIFACTS / f"{name}.json").read_text(encoding="utf-8"))
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    tx = factory.constructor(*args).transact({"from": sender})
    address = w3.eth.wait_for_transaction_receipt(tx)["contractAddress"]
    return w3.eth.contract(address=address, abi=artifact["abi"])


@pytest.fixture
def chain(app, signer, monkeypatch):
    """LiftToken + LiftClaims trusting the service's signer, funded; the app points at it."""
    w3 = Web3(EthereumTesterProvider())
    owner = w3.eth.accounts[0]
    token = _deploy(w3, "LiftToken", "Lift", "LIFT", sender=owner)
    claims = _deploy(w3, "LiftClaims", token.address, signer.address, 10 * POOL, sender=owner)
    token.functions.mint(claims.address, 10 * POOL).transact({"from": owner})
    monkeypatch.setitem(app.config, "CLAIMS_CONTRACT", claims.address)
    monkeypatch.setitem(app.config, "CHAIN_ID", w3.eth.chain_id)
    monkeypatch.setitem(app.config, "REWARD_POOL_PER_ROUND", POOL)
    monkeypatch.setitem(app.config, "VOUCHER_CAP", 10 * POOL)
    # The service checks reported transactions on this chain: its client for the configured
    # node URL is this py-evm chain's.
    monkeypatch.setitem(app.config, "CHAIN_RPC_URL", RPC_URL)
    monkeypatch.setitem(app.extensions, "liftledger_chains", {RPC_URL: w3})
    return w3, token, claims, owner


def _wallet(w3: Web3, owner: str):
    """A fresh wallet with gas money."""
    account = Account.create()
    w3.eth.send_transaction({"from": owner, "to": account.address, "value": 10**18})
    return account


def _send(w3: Web3, account, call) -> dict:
    """Sign ``call`` with ``account``'s own key, send it, return the receipt."""
    tx = call.build_transaction(
        {
            "from": account.address,
            "nonce": w3.eth.get_transaction_count(account.address),
            "gas": 300_000,
        }
    )
    signed = account.sign_transaction(tx)
    return w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))


def _assert_reverts(error: BaseException, signature: str) -> None:
    """``error`` is a revert whose data is exactly the custom error ``signature``'s selector."""
    selector = keccak(text=signature)[:4]
    assert isinstance(error, TransactionFailed), repr(error)
    assert str(error) == f"execution reverted: {selector!r}", f"{error} is not {signature}"


def _voucher_call(claims: Contract, body: dict):
    """``claimWithVoucher`` with the API's voucher, as a dapp would build it."""
    m = body["voucher"]["message"]
    return claims.functions.claimWithVoucher(
        m["claimant"],
        int(m["cumulativeAmount"]),
        int(m["round"]),
        int(m["nonce"]),
        int(m["deadline"]),
        body["voucher"]["signature"],
    )


def test_api_voucher_pays_on_chain_once(app, client, make_round, chain):
    w3, token, claims, owner = chain
    wallet = _wallet(w3, owner)
    me = make_user(client, wallet)
    make_credits(app, make_round(), {user_id(app, wallet.address): 1.0})

    res = client.post("/api/v1/claims", headers=me["headers"])
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["contract"] == claims.address and body["chain_id"] == w3.eth.chain_id
    receipt = _send(w3, wallet, _voucher_call(claims, body))
    assert receipt["status"] == 1
    assert token.functions.balanceOf(wallet.address).call() == POOL

    assert _send(w3, wallet, _voucher_call(claims, body))["status"] == 0  # replay mined, failed
    with pytest.raises(TransactionFailed) as caught:  # and why
        _voucher_call(claims, body).call({"from": wallet.address})
    _assert_reverts(caught.value, "AlreadyClaimed()")
    assert token.functions.balanceOf(wallet.address).call() == POOL

    tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
    paid = client.post(
        f"/api/v1/claims/{body['id']}/paid", json={"tx_hash": tx_hash}, headers=me["headers"]
    )
    assert paid.status_code == 200 and paid.get_json()["status"] == "paid"  # checked on chain
    assert paid.get_json()["paid_at"]


def test_paid_is_refused_unless_the_chain_shows_this_redemption(app, client, make_round, chain):
    w3, token, claims, owner = chain
    wallet, other = _wallet(w3, owner), _wallet(w3, owner)
    me, them = make_user(client, wallet), make_user(client, other)
    credit_ids = {user_id(app, wallet.address): 1.0, user_id(app, other.address): 1.0}
    make_credits(app, make_round(), credit_ids)
    mine = client.post("/api/v1/claims", headers=me["headers"]).get_json()
    theirs = client.post("/api/v1/claims", headers=them["headers"]).get_json()
    transfer = w3.eth.send_transaction({"from": owner, "to": wallet.address, "value": 1})
    their_redemption = _send(w3, other, _voucher_call(claims, theirs))
    failed = _send(w3, other, _voucher_call(claims, theirs))  # a replay: mined, reverted
    assert failed["status"] == 0
    url = f"/api/v1/claims/{mine['id']}/paid"
    cases = [
        ("0x" + bytes(transfer).hex(), 422),  # not a redemption at all
        ("0x" + bytes(their_redemption["transactionHash"]).hex(), 422),  # someone else's voucher
        ("0x" + bytes(failed["transactionHash"]).hex(), 422),  # reverted
        ("0x" + "ee" * 32, 409),  # not mined
    ]
    for tx_hash, code in cases:
        res = client.post(url, json={"tx_hash": tx_hash}, headers=me["headers"])
        assert res.status_code == code, (tx_hash, res.get_json())
    listed = client.get("/api/v1/claims", headers=me["headers"]).get_json()
    assert [(c["status"], c["tx_hash"]) for c in listed] == [("issued", None)]


def test_second_voucher_pays_only_the_difference(app, client, make_round, chain):
    w3, token, claims, owner = chain
    wallet = _wallet(w3, owner)
    me = make_user(client, wallet)
    uid = user_id(app, wallet.address)
    make_credits(app, make_round(), {uid: 1.0})
    first = client.post("/api/v1/claims", headers=me["headers"]).get_json()
    make_credits(app, make_round(), {uid: 1.0, uid + 10_000: 0.0})
    second = client.post("/api/v1/claims", headers=me["headers"]).get_json()
    assert _send(w3, wallet, _voucher_call(claims, second))["status"] == 1
    assert token.functions.balanceOf(wallet.address).call() == 2 * POOL
    assert _send(w3, wallet, _voucher_call(claims, first))["status"] == 0
    with pytest.raises(TransactionFailed) as caught:
        _voucher_call(claims, first).call({"from": wallet.address})
    _assert_reverts(caught.value, "AlreadyClaimed()")
    assert token.functions.balanceOf(wallet.address).call() == 2 * POOL


def test_round_root_and_proof_pay_on_chain(app, client, make_round, chain):
    w3, token, claims, owner = chain
    wallets = [_wallet(w3, owner) for _ in range(3)]
    for wallet in wallets:
        make_user(client, wallet)
    round_id = make_round()
    make_credits(
        app, round_id, {user_id(app, w.address): float(i + 1) for i, w in enumerate(wallets)}
    )
    with app.app_context():
        root = round_root(round_id)
        db.session.remove()
    claims.functions.publishRoot(round_id, root).transact({"from": owner})
    for wallet in wallets:
        body = client.get(f"/api/v1/rounds/{round_id}/proofs/{wallet.address}").get_json()
        amount = int(body["cumulative_amount"])
        call = claims.functions.claimWithProof(wallet.address, round_id, amount, body["proof"])
        assert _send(w3, wallet, call)["status"] == 1
        assert token.functions.balanceOf(wallet.address).call() == amount
    total = sum(token.functions.balanceOf(w.address).call() for w in wallets)
    assert total == POOL
