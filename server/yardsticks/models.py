"""A yardstick (versioned, content-hashed) and its pairs, and authors' lift on a lab's."""

from server.extensions import db
from server.models_base import UtcDateTime, utcnow


class Yardstick(db.Model):
    """One version of a named reference preference set; owned by the admins or by a lab."""

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False)
    version = db.Column(db.Integer, nullable=False)
    lab_id = db.Column(db.Integer, db.ForeignKey("lab.id"))
    content_hash = db.Column(db.String(64), nullable=False)
    n_pairs = db.Column(db.Integer, nullable=False)
    source = db.Column(db.String(200))
    created_by = db.Column(db.Integer, db.ForeignKey("user.id"))
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("name", "version"),)


class YardstickPair(db.Model):
    """A reference judgement `chosen > rejected`; read only by the round job."""

    id = db.Column(db.Integer, primary_key=True)
    yardstick_id = db.Column(db.Integer, db.ForeignKey("yardstick.id"), nullable=False)
    key = db.Column(db.String(64), nullable=False)
    prompt = db.Column(db.Text, nullable=False)
    chosen = db.Column(db.Text, nullable=False)
    rejected = db.Column(db.Text, nullable=False)

    __table_args__ = (db.UniqueConstraint("yardstick_id", "key"),)


class YardstickLift(db.Model):
    """An author's lift in a round measured on a lab's yardstick (splits its royalties)."""

    id = db.Column(db.Integer, primary_key=True)
    round_id = db.Column(db.Integer, db.ForeignKey("training_round.id"), nullable=False)
    yardstick_id = db.Column(db.Integer, db.ForeignKey("yardstick.id"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    lift = db.Column(db.Float, nullable=False)

    __table_args__ = (db.UniqueConstraint("round_id", "yardstick_id", "user_id"),)
