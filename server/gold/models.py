"""Gold items (a versioned pool of comparisons with a known better answer) and what each user
was offered and answered. Kept apart from feedback: no snapshot, export or training reads
these tables."""

from server.extensions import db
from server.models_base import UtcDateTime, utcnow

SIDES = ("better", "worse")
CHOICES = ("a", "b")


class GoldItem(db.Model):
    """One reference comparison of a pool version: for `prompt`, `better` beats `worse`."""

    id = db.Column(db.Integer, primary_key=True)
    pool = db.Column(db.String(80), nullable=False)
    version = db.Column(db.Integer, nullable=False)
    prompt = db.Column(db.Text, nullable=False)
    better = db.Column(db.Text, nullable=False)
    worse = db.Column(db.Text, nullable=False)
    # reward_model.yardstick.overlap_key: the comparison whichever side won, normalised.
    key = db.Column(db.String(64), nullable=False, index=True)
    active = db.Column(db.Boolean, nullable=False, default=True)
    source = db.Column(db.String(200))
    created_by = db.Column(db.Integer, db.ForeignKey("user.id"))
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("pool", "version", "key"),)


class GoldAnswer(db.Model):
    """A gold item offered to a user, in a shuffled order, and the user's choice once given.

    `first` says which side was shown as A; `correct` is whether the choice picked the better
    side. One row per user and item: an item is never offered to the same user twice."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    item_id = db.Column(db.Integer, db.ForeignKey("gold_item.id"), nullable=False)
    first = db.Column(db.String(6), nullable=False)
    choice = db.Column(db.String(1))
    correct = db.Column(db.Boolean)
    offered_at = db.Column(UtcDateTime, nullable=False, default=utcnow)
    answered_at = db.Column(UtcDateTime)

    __table_args__ = (
        db.UniqueConstraint("user_id", "item_id"),
        db.Index("ix_gold_answer_user_id_offered_at", "user_id", "offered_at"),
    )
