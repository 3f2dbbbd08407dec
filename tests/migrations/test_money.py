"""Migration 0008_money on a database with money already in it: downloads stay complete,
royalties credited before labs had balances become what the lab owes, rounds credited before
pools were recorded get the configured pool, and the books then balance."""

from flask_migrate import downgrade, upgrade

from server import create_app
from server.datasets.models import Download, Royalty
from server.extensions import db
from server.labs import accounts
from server.labs.models import LabTransaction
from server.rewards import ledger
from server.rewards.models import RoundPool
from tests.conftest import app_config
from tests.factories import (
    make_account,
    make_credential,
    make_dataset,
    make_lab,
)

ROUND = (
    "INSERT INTO training_round (id, status, backbone, seed, config, train_ids, heldout_ids, "
    "progress, metrics, calibration, created_at) VALUES (1, 'finished', 'tiny', 0, '{}', '[]', "
    "'[]', '{}', '{}', '{}', '2026-11-30 09:00:00')"
)
DOWNLOAD = (
    "INSERT INTO download (id, dataset_id, lab_id, key_id, format, price, created_at) "
    "VALUES (1, :dataset, :lab, :key, 'jsonl', '300', '2026-11-30 10:00:00')"
)


def test_upgrade_keeps_the_money_and_balances_the_books(tmp_path, redis_url):
    app = create_app(app_config(f"sqlite:///{tmp_path / 'money.db'}", redis_url))
    with app.app_context():
        upgrade(revision="0007_service")
        user, lab = make_account(), make_lab(name="Acme")
        key = make_credential("lab", lab_id=lab.id)
        # A raw row: the round model already has columns later migrations add.
        db.session.execute(db.text(ROUND))
        dataset = make_dataset(lab_id=lab.id, name="hh")
        ledger.append("credit", user.id, 500, 1)
        db.session.execute(
            db.text(DOWNLOAD), {"dataset": dataset.id, "lab": lab.id, "key": key.id}
        )
        entry = ledger.append("royalty", user.id, 300)
        db.session.add(Royalty(download_id=1, user_id=user.id, amount=300, ledger_seq=entry.seq))
        db.session.commit()
        lab_id, round_id = lab.id, 1

        upgrade()
        (charge,) = db.session.scalars(db.select(LabTransaction)).all()
        assert (charge.kind, charge.download_id, charge.amount) == ("charge", 1, 300)
        assert accounts.account(lab_id)["balance"] == -300  # what the lab owes
        pool = db.session.get(RoundPool, round_id).pool
        assert pool == app.config["REWARD_POOL_PER_ROUND"]
        assert db.session.get(Download, 1).status == "complete"
        db.session.remove()
        result = app.test_cli_runner().invoke(args=["ledger", "verify"])
        assert result.exit_code == 0 and "books ok" in result.output, result.output

        downgrade(revision="0007_service")
        upgrade()
        assert db.session.scalar(db.select(db.func.count()).select_from(LabTransaction)) == 1
        db.session.remove()
        db.engine.dispose()
