"""Offer gold items, record answers, and measure each rater's accuracy on them.

An offer is decided here, never by the client: after a rating it is made with probability
`GOLD_OFFER_RATE`; asked for on purpose (the dashboard's calibrate card) it is always made;
either way no user is offered more than `GOLD_DAILY_CAP` new items per UTC day, and never an
item (by content, across pool versions) offered to them before. A comparison offered and not
yet answered is offered again before a new one. The order of the two answers is drawn per
offer and stored, so that the answer can be scored and cannot choose its own order.

Accuracy is the share of answered items whose choice picked the better answer, with a Wilson
score interval (Wilson 1927), which stays inside [0, 1] and is sensible for few answers::

    centre = (k + z²/2) / (n + z²),  half = z / (n + z²) · sqrt(k (n - k) / n + z²/4)
"""

import math
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from server.errors import Conflict, NotFound
from server.extensions import db
from server.gold.models import GoldAnswer, GoldItem
from server.models_base import utcnow

REASONS = ("rating", "calibrate")
Z95 = 1.959963984540054
_random = secrets.SystemRandom()


def _pending(user_id: int) -> GoldAnswer | None:
    """The user's oldest offer still unanswered whose item is active."""
    return db.session.execute(
        db.select(GoldAnswer)
        .join(GoldItem, GoldItem.id == GoldAnswer.item_id)
        .where(GoldAnswer.user_id == user_id, GoldAnswer.choice.is_(None), GoldItem.active)
        .order_by(GoldAnswer.offered_at, GoldAnswer.id)
        .limit(1)
    ).scalar_one_or_none()


def _offered_since(user_id: int, since: datetime) -> int:
    """How many items the user was offered since `since`."""
    return db.session.scalar(
        db.select(db.func.count(GoldAnswer.id))
        .where(GoldAnswer.user_id == user_id, GoldAnswer.offered_at >= since)
    )  # fmt: skip


def _fresh_item(user_id: int) -> GoldItem | None:
    """A random active item whose comparison the user has never been offered."""
    seen = (
        db.select(GoldItem.key)
        .join(GoldAnswer, GoldAnswer.item_id == GoldItem.id)
        .where(GoldAnswer.user_id == user_id)
    )
    candidates = db.select(GoldItem.id).where(GoldItem.active, GoldItem.key.not_in(seen))
    total = db.session.scalar(db.select(db.func.count()).select_from(candidates.subquery()))
    if not total:
        return None
    pick = db.session.scalar(candidates.order_by(GoldItem.id).offset(_random.randrange(total)))
    return db.session.get(GoldItem, pick)


def offer_view(offer: GoldAnswer) -> dict:
    """What the rater sees: the prompt and the two answers as A and B (never which is
    better)."""
    item = db.session.get(GoldItem, offer.item_id)
    a, b = (item.better, item.worse) if offer.first == "better" else (item.worse, item.better)
    return {"item_id": item.id, "prompt": item.prompt, "a": a, "b": b}


def offer(
    user_id: int, reason: str, rate: float, daily_cap: int, now: datetime | None = None
) -> dict | None:
    """A gold comparison to show the user now, or None (not this time, the day's cap is
    reached, or nothing left to offer)."""
    now = now or utcnow()
    if reason == "rating" and _random.random() >= rate:
        return None
    pending = _pending(user_id)
    if pending is not None:
        return offer_view(pending)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if _offered_since(user_id, midnight) >= daily_cap:
        return None
    item = _fresh_item(user_id)
    if item is None:
        return None
    row = GoldAnswer(
        user_id=user_id, item_id=item.id, first=_random.choice(("better", "worse")), offered_at=now
    )
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent offer to the same user took this item first
        db.session.rollback()
        return None
    return offer_view(row)


def answer(
    user_id: int, item_id: int, choice: str, now: datetime | None = None
) -> tuple[dict, bool]:
    """(the answer, created): record the user's choice on an item offered to them. The same
    choice again is a no-op; a different one is a 409; an item never offered is a 404."""
    row = db.session.execute(
        db.select(GoldAnswer).where(GoldAnswer.user_id == user_id, GoldAnswer.item_id == item_id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"Gold comparison {item_id} was not offered to you.")
    if row.choice is None:
        correct = (choice == "a") == (row.first == "better")
        # Only the first answer lands, even when two arrive at once.
        done = db.session.execute(
            db.update(GoldAnswer)
            .where(GoldAnswer.id == row.id, GoldAnswer.choice.is_(None))
            .values(choice=choice, correct=correct, answered_at=now or utcnow())
        ).rowcount  # fmt: skip
        db.session.commit()
        db.session.refresh(row)
        if done:
            return _answer_view(row), True
    if row.choice != choice:
        raise Conflict(f"You already answered gold comparison {item_id} with {row.choice!r}.")
    return _answer_view(row), False


def _answer_view(row: GoldAnswer) -> dict:
    """An answer as returned to its author (whether it was correct is not said per item)."""
    return {"item_id": row.item_id, "choice": row.choice, "answered_at": row.answered_at}


def gold_record(
    user_ids: Iterable[int], until: datetime | None = None
) -> dict[int, tuple[int, int]]:
    """{user: (correct, answered)} on gold items answered up to `until` (all when None);
    (0, 0) for a user who answered none (neutral evidence, not bad evidence)."""
    record = {uid: (0, 0) for uid in user_ids}
    ids = list(record)
    for start in range(0, len(ids), 1000):
        query = (
            db.select(
                GoldAnswer.user_id,
                db.func.sum(db.case((GoldAnswer.correct.is_(True), 1), else_=0)),
                db.func.count(GoldAnswer.id),
            )
            .where(GoldAnswer.user_id.in_(ids[start : start + 1000]))
            .where(GoldAnswer.choice.is_not(None))
            .group_by(GoldAnswer.user_id)
        )
        if until is not None:
            query = query.where(GoldAnswer.answered_at <= until)
        for uid, correct, answered in db.session.execute(query):
            record[uid] = (int(correct or 0), int(answered))
    return record


def wilson(correct: int, answered: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion; (0, 1) with no answers."""
    if answered == 0:
        return 0.0, 1.0
    n, k, z2 = answered, correct, z * z
    centre = (k + z2 / 2) / (n + z2)
    half = z / (n + z2) * math.sqrt(k * (n - k) / n + z2 / 4)
    return max(0.0, centre - half), min(1.0, centre + half)


def accuracy(user_id: int) -> dict:
    """The user's accuracy on gold items with its 95% Wilson interval."""
    correct, answered = gold_record([user_id])[user_id]
    low, high = wilson(correct, answered)
    return {
        "answered": answered,
        "correct": correct,
        "accuracy": correct / answered if answered else None,
        "low": low,
        "high": high,
        "confidence": 0.95,
    }


def seed_answers(user_id: int, is_correct: list[bool], start: datetime, per_day: int) -> int:
    """Offer and answer gold items for a simulated rater, `per_day` a day from `start` on,
    each answer correct or not as `is_correct` says (the demo's contributors); how many."""
    done = 0
    for n, right in enumerate(is_correct):
        when = start + timedelta(days=n // per_day, minutes=n % per_day)
        view = offer(user_id, "calibrate", 1.0, per_day, now=when)
        if view is None:
            break
        row = db.session.execute(
            db.select(GoldAnswer).where(
                GoldAnswer.user_id == user_id, GoldAnswer.item_id == view["item_id"]
            )
        ).scalar_one()
        better = "a" if row.first == "better" else "b"
        choice = better if right else ("b" if better == "a" else "a")
        answer(user_id, view["item_id"], choice, now=when)
        done += 1
    return done
