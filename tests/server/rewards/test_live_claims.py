"""50 simultaneous claim requests against a real gunicorn server (4 workers) make one voucher."""

import subprocess
import sys

import requests
from eth_account import Account

from server.rewards.signer import DEV_KEYSTORE, DEV_PASSWORD
from server.rewards.vouchers import create_keystore
from tests.concurrency import at_once
from tests.live import ROOT, LiveServer

CREDIT = """
import sys
from server.auth.models import User
from server.extensions import db
from server.models_base import utcnow
from server.rewards.services import credit_round
from server.rounds.models import TrainingRound
from wsgi import app

with app.app_context():
    row = TrainingRound(backbone="tiny", status="finished", finished_at=utcnow())
    db.session.add(row)
    db.session.commit()
    uid = db.session.scalar(db.select(User.id).where(User.address == sys.argv[1]))
    credit_round(row.id, {uid: 1.0})
"""


def _run(server: LiveServer, *args: str) -> subprocess.CompletedProcess:
    """Run Python against the live server's database, in its own process."""
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=server.env, capture_output=True, text=True
    )


def test_fifty_concurrent_http_claims_make_one_voucher(tmp_path, redis_url):
    server = LiveServer(tmp_path / "live", redis_url=redis_url, workers=4)
    keystore = tmp_path / "live" / "instance" / DEV_KEYSTORE
    keystore.parent.mkdir(parents=True, exist_ok=True)
    create_keystore(keystore, DEV_PASSWORD, kdf="pbkdf2", iterations=2)
    server.start()
    try:
        account = Account.create()
        token = server.sign_in(account)["access_token"]
        credited = _run(server, "-c", CREDIT, account.address)
        assert credited.returncode == 0, credited.stderr

        def claim(_: int) -> int:
            headers = {"Authorization": f"Bearer {token}"}
            res = requests.post(server.url + "/api/v1/claims", headers=headers, timeout=60)
            return res.status_code

        codes = at_once(50, claim)  # a status code, or the exception a request raised
        assert sorted(map(str, codes)) == ["201"] + ["409"] * 49, codes
        listed = requests.get(
            server.url + "/api/v1/claims", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert len(listed) == 1 and listed[0]["cumulative_amount"] == listed[0]["amount"]
        verified = _run(server, "-m", "flask", "--app", "wsgi", "ledger", "verify")
        assert verified.returncode == 0 and "ledger ok: 2 entries" in verified.stdout
    finally:
        server.stop()
