"""50 simultaneous claim requests against a real gunicorn server (4 workers) make one voucher."""

import threading

import requests
from eth_account import Account

from server import create_app
from server.auth.models import User
from server.extensions import db
from server.models_base import utcnow
from server.rewards import ledger
from server.rewards.services import credit_round
from server.rewards.signer import DEV_KEYSTORE, DEV_PASSWORD
from server.rewards.vouchers import create_keystore
from server.rounds.models import TrainingRound
from tests.live import LiveServer


def _credit_on(database_url: str, redis_url: str, address: str) -> None:
    """Credit ``address`` a whole round straight in the live server's database."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url})
    with app.app_context():
        row = TrainingRound(backbone="tiny", status="finished", finished_at=utcnow())
        db.session.add(row)
        db.session.commit()
        uid = db.session.scalar(db.select(User.id).where(User.address == address))
        credit_round(row.id, {uid: 1.0})
        db.session.remove()


def _ledger_of(database_url: str, redis_url: str) -> tuple[int, object]:
    """(entries, first breach) of the live database's ledger."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url})
    with app.app_context():
        try:
            return ledger.verify()
        finally:
            db.session.remove()


def test_fifty_concurrent_http_claims_make_one_voucher(tmp_path, redis_url):
    server = LiveServer(tmp_path / "live", redis_url=redis_url, workers=4)
    keystore = tmp_path / "live" / "instance" / DEV_KEYSTORE
    keystore.parent.mkdir(parents=True, exist_ok=True)
    create_keystore(keystore, DEV_PASSWORD, kdf="pbkdf2", iterations=2)
    server.start()
    try:
        account = Account.create()
        token = server.sign_in(account)["access_token"]
        database_url = server.env["DATABASE_URL"]
        _credit_on(database_url, redis_url, account.address)
        barrier = threading.Barrier(50)
        codes: list[int] = []

        def claim() -> None:
            barrier.wait()
            res = requests.post(
                server.url + "/api/v1/claims",
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
            codes.append(res.status_code)

        threads = [threading.Thread(target=claim) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(codes) == [201] + [409] * 49
        listed = requests.get(
            server.url + "/api/v1/claims", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert len(listed) == 1 and listed[0]["cumulative_amount"] == listed[0]["amount"]
        assert _ledger_of(database_url, redis_url) == (2, None)
    finally:
        server.stop()
