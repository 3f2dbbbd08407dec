"""Pay per use: a priced download credits royalties by the items' latest lift, in integer
units, once per (download, contributor), as hash-chained ledger entries."""

import pytest

from server.auth.models import User
from server.datasets.models import DatasetItem, Download, Royalty
from server.datasets.royalties import credit_royalties
from server.extensions import db
from server.models_base import utcnow
from server.rewards import ledger
from server.rewards.models import LedgerEntry
from server.rounds.models import PreferenceValue, TrainingRound
from tests.factories import make_snapshot, post_feedback, sign_in


@pytest.fixture
def priced(app, client, lab):
    """Three wallets with one item each in a dataset priced 1000: (dataset, {name: user id})."""
    users = {name: sign_in(client) for name in "abc"}
    for i, user in enumerate(users.values()):
        post_feedback(client, user, i)
    body = make_snapshot(client, lab, price="1000")
    with app.app_context():
        ids = {
            name: db.session.scalar(db.select(User.id).filter_by(address=u["account"].address))
            for name, u in users.items()
        }
    return body, ids


def _value(app, dataset_id: int, lifts_by_author: dict[int, float], status="finished") -> None:
    """A round valuing each author's item in the dataset at the given lift."""
    with app.app_context():
        round_ = TrainingRound(backbone="tiny", status=status, finished_at=utcnow())
        db.session.add(round_)
        db.session.flush()
        for item in db.session.scalars(db.select(DatasetItem).filter_by(dataset_id=dataset_id)):
            (author,) = item.author_ids
            db.session.add(
                PreferenceValue(
                    round_id=round_.id, preference_id=item.preference_id,
                    lift=lifts_by_author[author],
                )
            )  # fmt: skip
        db.session.commit()


def _download(client, lab, dataset_id: int) -> int:
    """Download as JSONL; the download's id."""
    res = client.get(f"/api/v1/datasets/{dataset_id}/download?format=jsonl", headers=lab)
    assert res.status_code == 200 and res.get_data()  # read it all: the stream ends its query
    res.close()
    return int(res.headers["X-Download-Id"])


def _royalties(app) -> dict[int, int]:
    """Royalty ledger totals per user."""
    with app.app_context():
        rows = db.session.execute(
            db.select(LedgerEntry.user_id, LedgerEntry.amount).filter_by(kind="royalty")
        )
        totals: dict[int, int] = {}
        for user_id, amount in rows:
            totals[user_id] = totals.get(user_id, 0) + amount
        return totals


def test_priced_download_pays_by_latest_lift_once(app, client, lab, priced):
    body, ids = priced
    a, b, c = ids["a"], ids["b"], ids["c"]
    _value(app, body["id"], {a: 0.1, b: 0.1, c: 0.9})  # older round
    _value(app, body["id"], {a: 0.3, b: 0.1, c: -0.2})  # latest round wins
    _value(app, body["id"], {a: 0.0, b: 5.0, c: 5.0}, status="failed")  # ignored
    download_id = _download(client, lab, body["id"])
    assert _royalties(app) == {a: 750, b: 250}
    with app.app_context():
        assert credit_royalties(download_id) == []
        assert {(r.user_id, r.amount) for r in db.session.scalars(db.select(Royalty))} == {
            (a, 750),
            (b, 250),
        }
        assert ledger.verify() == (2, None)
        assert ledger.totals(a)["claimable"] == 750
    _download(client, lab, body["id"])
    assert _royalties(app) == {a: 1500, b: 500}


def test_without_lift_every_item_weighs_the_same(app, client, lab, priced):
    body, ids = priced
    _download(client, lab, body["id"])
    assert _royalties(app) == {ids["a"]: 334, ids["b"]: 333, ids["c"]: 333}


def test_free_download_is_logged_without_royalties(app, client, lab):
    post_feedback(client, sign_in(client), 0)
    body = make_snapshot(client, lab)
    assert body["price"] == "0"
    download_id = _download(client, lab, body["id"])
    assert _royalties(app) == {}
    with app.app_context():
        assert db.session.get(Download, download_id).price == 0


def test_unknown_download_is_an_error(app):
    from server.errors import NotFound

    with app.app_context(), pytest.raises(NotFound):
        credit_royalties(12345)
