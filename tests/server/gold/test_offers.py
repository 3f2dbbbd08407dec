"""Offers after a rating (rate and daily cap decided by the server), answers once per user and
item, accuracy with its Wilson interval, and the record the round pipeline reads."""

from datetime import timedelta

import pytest

from server.extensions import db
from server.gold import services
from server.gold.models import GoldAnswer
from server.models_base import utcnow
from tests.factories import make_account, make_device, make_gold_answer, sign_in

OFFER, ANSWERS, ACCURACY = "/api/v1/gold/offer", "/api/v1/gold/answers", "/api/v1/gold/accuracy"


@pytest.fixture
def always(app, monkeypatch):
    """Offer after every rating (the cap still holds)."""
    monkeypatch.setitem(app.config, "GOLD_OFFER_RATE", 1.0)


def _offer(client, headers, reason="rating"):
    res = client.post(OFFER, json={"reason": reason}, headers=headers)
    assert res.status_code == 200, res.get_json()
    return res.get_json()["offer"]


def _better_side(app, user_address, item_id) -> str:
    """Which of A/B the server showed the better answer as (read from the database)."""
    from tests.factories import user_id

    uid = user_id(app, user_address)
    with app.app_context():
        row = db.session.execute(
            db.select(GoldAnswer).where(GoldAnswer.user_id == uid, GoldAnswer.item_id == item_id)
        ).scalar_one()
        return "a" if row.first == "better" else "b"


def test_offer_cap_no_repeats_and_pending_first(app, client, pool, always):
    user = sign_in(client)
    device = make_device(client, user)  # the extension's token is enough
    first = _offer(client, device)
    assert {first["a"], first["b"]} & {r["chosen"] for r in pool}
    assert _offer(client, device) == first  # unanswered: offered again, not a new one
    seen = {first["item_id"]}
    res = client.post(ANSWERS, json={"item_id": first["item_id"], "choice": "a"}, headers=device)
    assert res.status_code == 201
    for _ in range(2):
        shown = _offer(client, device)
        assert shown["item_id"] not in seen
        seen.add(shown["item_id"])
        client.post(ANSWERS, json={"item_id": shown["item_id"], "choice": "b"}, headers=device)
    assert _offer(client, device) is None  # the daily cap of 3
    assert _offer(client, user["headers"], "calibrate") is None  # the card shares the cap


def test_rate_zero_never_offers_after_a_rating(app, client, pool, monkeypatch):
    monkeypatch.setitem(app.config, "GOLD_OFFER_RATE", 0.0)
    user = sign_in(client)
    assert _offer(client, user["headers"]) is None
    assert _offer(client, user["headers"], "calibrate") is not None  # asked for on purpose


def test_a_b_order_is_shuffled(app, client, pool, always, monkeypatch):
    import random

    monkeypatch.setitem(app.config, "GOLD_DAILY_CAP", 100)
    monkeypatch.setattr(services, "_random", random.Random(7))  # a fixed draw of the order
    user = sign_in(client)
    firsts = set()
    for _ in range(len(pool)):
        shown = _offer(client, user["headers"])
        firsts.add(_better_side(app, user["address"], shown["item_id"]))
        client.post(ANSWERS, json={"item_id": shown["item_id"], "choice": "a"},
                    headers=user["headers"])  # fmt: skip
    assert firsts == {"a", "b"}  # the better answer is shown first sometimes, not always
    assert _offer(client, user["headers"]) is None  # every item was offered once


def test_answers_are_idempotent_and_a_different_one_is_409(app, client, pool, always):
    user = sign_in(client)
    shown = _offer(client, user["headers"])
    body = {"item_id": shown["item_id"], "choice": "b"}
    assert client.post(ANSWERS, json=body, headers=user["headers"]).status_code == 201
    again = client.post(ANSWERS, json=body, headers=user["headers"])
    assert again.status_code == 200 and again.get_json()["choice"] == "b"
    other = client.post(ANSWERS, json={**body, "choice": "a"}, headers=user["headers"])
    assert other.status_code == 409 and "already answered" in other.get_json()["message"]
    stranger = sign_in(client)  # never offered this item
    res = client.post(ANSWERS, json=body, headers=stranger["headers"])
    assert res.status_code == 404
    with app.app_context():
        assert db.session.query(GoldAnswer).filter(GoldAnswer.choice.is_not(None)).count() == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (ANSWERS, {"item_id": 1, "choice": "tie"}),
        (ANSWERS, {"item_id": 0, "choice": "a"}),
        (ANSWERS, {"item_id": 2**40, "choice": "a"}),
        (ANSWERS, {"choice": "a"}),
        (ANSWERS, {"item_id": 1, "choice": "\ud800"}),
        (OFFER, {"reason": "bored"}),
        (OFFER, {"reason": "rating\u0000"}),
    ],
)
def test_bad_input_is_422(client, path, body):
    user = sign_in(client)
    res = client.post(path, json=body, headers=user["headers"])
    assert res.status_code == 422 and res.get_json()["errors"]


def test_signed_out_is_401(client):
    assert client.post(OFFER, json={}).status_code == 401
    assert client.get(ACCURACY).status_code == 401


def test_accuracy_with_its_interval(app, client, pool, always):
    user = sign_in(client)
    empty = client.get(ACCURACY, headers=user["headers"]).get_json()
    assert empty == {"answered": 0, "correct": 0, "accuracy": None, "low": 0.0, "high": 1.0,
                     "confidence": 0.95}  # fmt: skip
    for right in (True, True, False):
        shown = _offer(client, user["headers"])
        better = _better_side(app, user["address"], shown["item_id"])
        choice = better if right else {"a": "b", "b": "a"}[better]
        client.post(ANSWERS, json={"item_id": shown["item_id"], "choice": choice},
                    headers=user["headers"])  # fmt: skip
    got = client.get(ACCURACY, headers=make_device(client, user)).get_json()
    assert (got["answered"], got["correct"]) == (3, 2)
    assert got["accuracy"] == pytest.approx(2 / 3)
    # Wilson 95% for 2 of 3, computed by hand: centre (2 + 1.92)/(3 + 3.84) = 0.5733,
    # half-width 1.96/6.84 * sqrt(2*1/3 + 0.96) = 0.3655.
    assert got["low"] == pytest.approx(0.2077, abs=1e-3)
    assert got["high"] == pytest.approx(0.9385, abs=1e-3)


def test_wilson_interval_edges():
    assert services.wilson(0, 0) == (0.0, 1.0)
    low, high = services.wilson(10, 10)
    assert high == 1.0 and low == pytest.approx(0.7225, abs=1e-3)
    low, high = services.wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-3)


def test_gold_record_counts_answers_up_to_a_time(app):
    with app.app_context():
        now = utcnow()
        rater, idle = make_account(), make_account()
        make_gold_answer(user_id=rater.id, answered_at=now - timedelta(days=2))
        make_gold_answer(user_id=rater.id, correct=False, choice="b",
                         answered_at=now - timedelta(days=1))  # fmt: skip
        make_gold_answer(user_id=rater.id, answered_at=now)
        make_gold_answer(user_id=rater.id, choice=None, correct=None, answered_at=None)
        got = services.gold_record([rater.id, idle.id])
        assert got == {rater.id: (2, 3), idle.id: (0, 0)}
        earlier = services.gold_record([rater.id], until=now - timedelta(hours=1))
        assert earlier == {rater.id: (1, 2)}
