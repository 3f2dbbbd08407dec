"""Concurrent first sign-ins of one new wallet on a real multi-worker server: every one
succeeds, and the wallet has one user row."""

import os
from concurrent.futures import ThreadPoolExecutor

import requests
from eth_account import Account

from tests.factories import sign
from tests.live import LiveServer

SIGN_INS = 16


def test_concurrent_first_sign_ins_of_one_wallet_all_succeed(app, database_url, tmp_path):
    # On PostgreSQL in CI's second pass (the `app` fixture empties its tables afterwards).
    on_server = database_url if os.environ.get("TEST_DATABASE_URL") else None
    server = LiveServer(tmp_path, workers=4, database_url=on_server)
    try:
        server.start(timeout=120)  # four workers importing at once on a busy machine
        account = Account.create()
        nonce_url, verify_url = (
            server.url + "/api/v1/auth/nonce",
            server.url + "/api/v1/auth/verify",
        )
        messages = [
            requests.post(nonce_url, json={"address": account.address}).json()["message"]
            for _ in range(SIGN_INS)
        ]
        bodies = [{"message": m, "signature": sign(account, m)} for m in messages]
        with ThreadPoolExecutor(SIGN_INS) as pool:
            responses = list(pool.map(lambda body: requests.post(verify_url, json=body), bodies))
        assert [r.status_code for r in responses] == [200] * SIGN_INS, [r.text for r in responses]
        assert {r.json()["address"] for r in responses} == {account.address}
        access = responses[0].json()["access_token"]
        me = requests.get(server.url + "/api/v1/me", headers={"Authorization": f"Bearer {access}"})
        assert me.status_code == 200
    finally:
        server.stop()
