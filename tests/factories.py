"""Test factories: wallets that sign in through the real HTTP flow."""

from eth_account import Account
from eth_account.messages import encode_defunct

SIWE_DOMAIN, SIWE_URI = "localhost", "http://localhost"


def sign(account, message: str) -> str:
    """personal_sign of a text with a real key."""
    return account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()


def request_nonce(client, address: str) -> tuple[str, str]:
    """Ask for a nonce; return it and the EIP-4361 message to sign."""
    body = client.post("/api/v1/auth/nonce", json={"address": address}).get_json()
    return body["nonce"], body["message"]


def verify(client, message: str, signature: str):
    """POST a signed message to the verify endpoint; the response."""
    return client.post("/api/v1/auth/verify", json={"message": message, "signature": signature})


def sign_in(client, account=None) -> dict:
    """Sign in through the real nonce/verify flow; returns the token response plus account."""
    account = account or Account.create()
    _, message = request_nonce(client, account.address)
    res = verify(client, message, sign(account, message))
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    body["account"] = account
    body["headers"] = {"Authorization": f"Bearer {body['access_token']}"}
    return body
