"""Pay per use: admins price snapshots and credit labs' balances; a download is charged
once, when its body was sent in full, and its charge is credited to contributors by the
items' latest lift, so every royalty has a matching lab debit and the books balance."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from server.auth.models import User
from server.datasets.models import DatasetItem, Download, Royalty
from server.datasets.royalties import complete_download, verify_royalties
from server.extensions import db
from server.labs.models import LabTransaction
from server.models_base import utcnow
from server.rewards import ledger
from server.rewards.models import LedgerEntry
from server.rounds.models import PreferenceValue, TrainingRound
from tests.factories import make_snapshot, post_feedback, sign_in

URL = "/api/v1/datasets/{}/download?format=jsonl"


def _cli(runner, *args: str) -> str:
    """Run an admin command that must succeed; its output."""
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def priced(app, client, runner, lab):
    """Three wallets with one item each in a dataset an admin priced 1000, and a lab
    credited 2500: (dataset, {name: user id})."""
    users = {name: sign_in(client) for name in "abc"}
    for i, user in enumerate(users.values()):
        post_feedback(client, user, i)
    body = make_snapshot(client, lab)
    assert body["price"] == "0"  # the default per-item price is 0
    _cli(runner, "datasets", "price", str(body["id"]), "1000")
    _cli(runner, "labs", "credit", "Acme", "2500")
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
    """Download as JSONL, reading the whole body; the download's id."""
    res = client.get(URL.format(dataset_id), headers=lab)
    assert res.status_code == 200 and res.get_data()
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


def _account(client, lab) -> dict:
    """The lab's account as its key sees it."""
    res = client.get("/api/v1/labs/me", headers=lab)
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def test_priced_download_pays_by_latest_lift_once(app, client, runner, lab, priced):
    body, ids = priced
    a, b, c = ids["a"], ids["b"], ids["c"]
    _value(app, body["id"], {a: 0.1, b: 0.1, c: 0.9})  # older round
    _value(app, body["id"], {a: 0.3, b: 0.1, c: -0.2})  # latest round wins
    _value(app, body["id"], {a: 0.0, b: 5.0, c: 5.0}, status="failed")  # ignored
    download_id = _download(client, lab, body["id"])
    assert _royalties(app) == {a: 750, b: 250}
    with app.app_context():
        assert complete_download(download_id) == []  # idempotent per download id
        assert {(r.user_id, r.amount) for r in db.session.scalars(db.select(Royalty))} == {
            (a, 750),
            (b, 250),
        }
        assert ledger.verify() == (2, None)
        assert ledger.totals(a)["claimable"] == 750
        assert db.session.get(Download, download_id).status == "complete"
    assert _account(client, lab)["balance"] == "1500"
    _download(client, lab, body["id"])
    assert _royalties(app) == {a: 1500, b: 500}
    account = _account(client, lab)
    assert (account["balance"], account["charged"], account["deposited"]) == ("500", "2000", "2500")
    charges = client.get("/api/v1/labs/me/charges", headers=lab).get_json()
    assert [c["amount"] for c in charges] == ["1000", "1000"]
    assert charges[0]["dataset"] == "hh-v1" and charges[1]["download_id"] == download_id
    out = _cli(runner, "ledger", "verify")
    assert "ledger ok: 4 entries" in out and "books ok" in out


def test_without_lift_every_item_weighs_the_same(app, client, lab, priced):
    body, ids = priced
    _download(client, lab, body["id"])
    assert _royalties(app) == {ids["a"]: 334, ids["b"]: 333, ids["c"]: 333}


def test_insufficient_balance_is_402_before_any_byte(app, client, runner, lab, priced):
    body, _ = priced
    _download(client, lab, body["id"])
    _download(client, lab, body["id"])
    res = client.get(URL.format(body["id"]), headers=lab)  # 500 left, price 1000
    assert res.status_code == 402
    err = res.get_json()
    assert err["code"] == 402 and "credit" in err["message"]
    assert err["errors"] == {"price": "1000", "available": "500"}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Download)) == 2


def test_head_and_aborted_transfers_cost_nothing(app, client, lab, priced):
    body, _ = priced
    head = client.head(URL.format(body["id"]), headers=lab)
    assert head.status_code == 200 and head.headers["X-Price"] == "1000"
    assert "X-Download-Id" not in head.headers
    res = client.get(URL.format(body["id"]), headers=lab, buffered=False)
    assert res.status_code == 200
    assert next(iter(res.response))  # the first chunk only, then the lab hangs up
    assert _account(client, lab)["held"] == "1000"  # held while it streams
    res.close()
    with app.app_context():
        rows = db.session.execute(db.select(Download.id, Download.status)).all()
        assert [status for _, status in rows] == ["aborted"]
        assert db.session.scalar(db.select(db.func.count()).select_from(LabTransaction)) == 1
    assert _royalties(app) == {}
    account = _account(client, lab)
    assert (account["balance"], account["held"], account["available"]) == ("2500", "0", "2500")


def test_a_streaming_download_holds_its_price(app, client, runner, lab, priced):
    body, _ = priced
    started, resume = threading.Event(), threading.Event()

    def slow_download() -> bytes:
        """A download in its own thread (as a server runs it) that pauses after one chunk."""
        res = app.test_client().get(URL.format(body["id"]), headers=lab, buffered=False)
        chunks = iter(res.response)
        data = next(chunks)
        started.set()
        resume.wait(30)
        data += b"".join(chunks)
        res.close()
        return data

    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(slow_download)
        assert started.wait(30)
        _download(client, lab, body["id"])  # 2500 - 1000 held - 1000 charged = 500 available
        assert client.get(URL.format(body["id"]), headers=lab).status_code == 402
        resume.set()
        assert first.result(30)
    account = _account(client, lab)
    assert (account["balance"], account["held"]) == ("500", "0")


def test_a_lab_cannot_set_a_price(client, lab):
    post_feedback(client, sign_in(client), 0)
    res = client.post("/api/v1/datasets", json={"name": "x", "price": "10" * 15}, headers=lab)
    assert res.status_code == 422 and "price" in res.get_json()["errors"]["json"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["datasets", "price", "{id}", "1" + "0" * 30], "from 0 to the cap"),  # over the cap
        (["datasets", "price", "{id}", "١٠٠"], "ASCII digits"),  # Arabic-Indic 100
        (["datasets", "price", "{id}", "--", "-5"], "ASCII digits"),
        (["datasets", "price", "999999", "5"], "No dataset 999999"),
        (["labs", "credit", "Acme", "٥"], "ASCII digits"),
        (["labs", "credit", "Acme", "0"], "positive"),
        (["labs", "credit", "Nobody", "5"], "No lab named"),
    ],
)
def test_admin_money_commands_refuse_bad_amounts(client, runner, lab, args, message):
    post_feedback(client, sign_in(client), 0)
    dataset = make_snapshot(client, lab)
    result = runner.invoke(args=[a.format(id=dataset["id"]) for a in args])
    assert result.exit_code != 0 and message in result.output, result.output


def test_price_per_item_and_cap_come_from_config(app, client, lab, monkeypatch):
    for i in range(3):
        post_feedback(client, sign_in(client), i)
    monkeypatch.setitem(app.config, "DATASET_PRICE_PER_ITEM", 40)
    assert make_snapshot(client, lab)["price"] == "120"
    monkeypatch.setitem(app.config, "DATASET_PRICE_CAP", 100)
    assert make_snapshot(client, lab)["price"] == "100"


def test_verify_finds_royalties_without_a_matching_charge(app, runner, priced, client, lab):
    body, ids = priced
    download_id = _download(client, lab, body["id"])
    with app.app_context():
        ledger.append("royalty", ids["a"], 5)  # a royalty no lab paid for
        db.session.add(
            LabTransaction(lab_id=1, kind="deposit", amount=1)  # harmless
        )
        db.session.execute(
            db.update(LabTransaction)
            .where(LabTransaction.download_id == download_id)
            .values(amount=999)
        )
        db.session.commit()
        problems = verify_royalties()
    assert problems == [
        f"download {download_id}: royalties 1000 != lab charge 999",
        "royalty entry 4 has no download",
    ]
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1 and "books do not balance" in result.output
