"""Seed a finished, credited round straight into a live server's database through the
server's own services (the round job's last steps, without training)."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from eth_account import Account

from server.auth.models import User
from server.extensions import db
from server.models_base import utcnow
from server.rewards.services import credit_round
from server.rounds.models import AuthorValue, Preference, PreferenceValue, TrainingRound

# The expert's three preferences and their lift; other authors' lift totals in the round.
MY_LIFTS = (0.004, 0.0015, -0.0005)
OTHER_LIFTS = (-0.002, -0.0005, 0.0, 0.0008, 0.001, 0.0012, 0.002, 0.0031, 0.006, 0.009)
RELIABILITY = 0.9


@dataclass
class SeededRound:
    """What was seeded: the round, the expert's credit and lift, everyone's lift totals."""

    round_id: int
    credited: int
    my_lift: float
    lifts: list[float]


def _preference(index: int, author_id: int, round_marker: int) -> Preference:
    text = f"round {round_marker} preference {index} by {author_id}"
    return Preference(
        key=hashlib.sha256(text.encode()).hexdigest(),
        prompt=f"How do I boil an egg? ({text})",
        chosen="Simmer it for nine minutes, then cool it in iced water.",
        rejected="Microwave it in its shell for five minutes.",
        margin=1.0,
        source="rating",
        site="chatgpt",
        licence="cc-by-4.0",
        feedback_ids=[],
        author_ids=[author_id],
    )


def seed_round(app, address: str) -> SeededRound:
    """A finished round where ``address`` (already signed in) and ten others were valued."""
    with app.app_context():
        me = db.session.scalar(db.select(User).where(User.address == address))
        assert me is not None, "sign the wallet in before seeding its round"
        others = [User(address=Account.create().address) for _ in OTHER_LIFTS]
        now = utcnow()
        round_ = TrainingRound(
            status="finished",
            backbone="tiny-test-backbone",
            started_at=now - timedelta(minutes=5),
            finished_at=now,
        )
        db.session.add_all([*others, round_])
        db.session.flush()
        prefs = [_preference(i, me.id, round_.id) for i in range(len(MY_LIFTS))]
        db.session.add_all(prefs)
        db.session.flush()
        for pref, lift in zip(prefs, MY_LIFTS, strict=True):
            weight = max(0.0, lift) * RELIABILITY
            db.session.add(
                PreferenceValue(round_id=round_.id, preference_id=pref.id, lift=lift, weight=weight)
            )
        authors = [(me, sum(MY_LIFTS)), *zip(others, OTHER_LIFTS, strict=True)]
        weights = {}
        for user, lift in authors:
            weights[user.id] = max(0.0, lift) * RELIABILITY
            db.session.add(
                AuthorValue(
                    round_id=round_.id,
                    user_id=user.id,
                    lift=lift,
                    reliability=RELIABILITY,
                    weight=weights[user.id],
                    preferences=len(MY_LIFTS) if user is me else 1,
                )
            )
        db.session.commit()
        entries = credit_round(round_.id, weights)
        credited = next(e.amount for e in entries if e.user_id == me.id)
        return SeededRound(round_.id, credited, sum(MY_LIFTS), [lift for _, lift in authors])
