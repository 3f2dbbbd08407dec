"""Rewards fixtures: a known pool, a signer keystore, rounds and credits."""

from collections.abc import Callable

import pytest
from eth_account import Account

from server.extensions import db
from server.models_base import utcnow
from server.rewards.vouchers import create_keystore
from server.rounds.models import TrainingRound
from tests.server.rewards.helpers import PASSWORD, SIGNER


@pytest.fixture(autouse=True)
def _pool(request, monkeypatch):
    """A known pool per round (1e9 base units) whatever the configured default is."""
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        monkeypatch.setitem(app.config, "REWARD_POOL_PER_ROUND", 1_000_000_000)


@pytest.fixture
def signer(app, tmp_path, monkeypatch) -> Account:
    """The service's voucher key, in a real (cheap-KDF) keystore the app is pointed at."""
    path = tmp_path / "signer.json"
    create_keystore(path, PASSWORD, SIGNER.key, kdf="pbkdf2", iterations=2)
    monkeypatch.setitem(app.config, "SIGNER_KEY_FILE", str(path))
    monkeypatch.setitem(app.config, "SIGNER_KEY_PASSWORD", PASSWORD)
    yield SIGNER
    app.extensions.pop("liftledger_signers", None)


@pytest.fixture
def make_round(app) -> Callable[[], int]:
    """Factory: a finished training round; returns its id."""

    def make() -> int:
        with app.app_context():
            row = TrainingRound(backbone="tiny", status="finished", finished_at=utcnow())
            db.session.add(row)
            db.session.commit()
            return row.id

    return make
