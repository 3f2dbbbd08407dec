"""Preferences (derived from feedback, rebuildable), training rounds and per-preference lift."""

from server.extensions import db
from server.models_base import UtcDateTime, utcnow

ROUND_STATUSES = ("queued", "running", "crediting", "finished", "failed")


class Preference(db.Model):
    """A preference pair built from live feedback; keyed by its content hash."""

    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(64), unique=True, nullable=False)
    prompt = db.Column(db.Text, nullable=False)
    chosen = db.Column(db.Text, nullable=False)
    rejected = db.Column(db.Text, nullable=False)
    margin = db.Column(db.Float, nullable=False, default=0.0)
    source = db.Column(db.String(16), nullable=False)
    site = db.Column(db.String(16), nullable=False)
    licence = db.Column(db.String(16), nullable=False)
    trusted = db.Column(db.Boolean, nullable=False, default=False)
    feedback_ids = db.Column(db.JSON, nullable=False, default=list)
    author_ids = db.Column(db.JSON, nullable=False, default=list)
    cluster_ids = db.Column(db.JSON, nullable=False, default=list)
    # [received at, feedback id, author] of the earliest feedback: who posted it first
    receipt = db.Column(db.JSON, nullable=False, default=list)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UtcDateTime, nullable=False, default=utcnow)


class TrainingRound(db.Model):
    """One training round: its snapshot, settings, status, progress, metrics and artifact."""

    id = db.Column(db.Integer, primary_key=True)
    status = db.Column(db.String(16), nullable=False, default="queued")
    backbone = db.Column(db.String(200), nullable=False)
    seed = db.Column(db.Integer, nullable=False, default=0)
    config = db.Column(db.JSON, nullable=False, default=dict)
    train_ids = db.Column(db.JSON, nullable=False, default=list)
    heldout_ids = db.Column(db.JSON, nullable=False, default=list)
    progress = db.Column(db.JSON, nullable=False, default=dict)
    metrics = db.Column(db.JSON, nullable=False, default=dict)
    calibration = db.Column(db.JSON, nullable=False, default=dict)
    yardstick_id = db.Column(db.Integer, db.ForeignKey("yardstick.id"))
    yardstick_hash = db.Column(db.String(64))
    card = db.Column(db.JSON, nullable=False, default=dict)
    artifact_path = db.Column(db.String(500))
    job_id = db.Column(db.String(64))
    error = db.Column(db.Text)
    created_by = db.Column(db.Integer, db.ForeignKey("user.id"))
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)
    started_at = db.Column(UtcDateTime)
    finished_at = db.Column(UtcDateTime)


class PreferenceValue(db.Model):
    """A preference's measured lift in a round (positive = it helped the served model)."""

    id = db.Column(db.Integer, primary_key=True)
    round_id = db.Column(db.Integer, db.ForeignKey("training_round.id"), nullable=False)
    preference_id = db.Column(db.Integer, db.ForeignKey("preference.id"), nullable=False)
    lift = db.Column(db.Float, nullable=False)
    cluster_id = db.Column(db.String(64))
    weight = db.Column(db.Float, nullable=False, default=0.0)
    # the cluster's first post by server receipt, and the author holding its credit (None: a
    # later copy, which earns 0)
    first_preference_id = db.Column(db.Integer, db.ForeignKey("preference.id"))
    credited_user_id = db.Column(db.Integer, db.ForeignKey("user.id"))

    __table_args__ = (db.UniqueConstraint("round_id", "preference_id"),)


class AuthorValue(db.Model):
    """An author's totals in a round: lift, its error per pair (bootstrap standard error and
    95% interval), the shrunk quality it was paid on, the evidence carried to the next round,
    reliability and payout weight."""

    id = db.Column(db.Integer, primary_key=True)
    round_id = db.Column(db.Integer, db.ForeignKey("training_round.id"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    lift = db.Column(db.Float, nullable=False)
    reliability = db.Column(db.Float, nullable=False)
    weight = db.Column(db.Float, nullable=False)
    preferences = db.Column(db.Integer, nullable=False, default=0)
    lift_per_pair = db.Column(db.Float, nullable=False, default=0.0)
    stderr = db.Column(db.Float, nullable=False, default=0.0)
    low = db.Column(db.Float, nullable=False, default=0.0)
    high = db.Column(db.Float, nullable=False, default=0.0)
    quality = db.Column(db.Float, nullable=False, default=0.0)
    quality_var = db.Column(db.Float, nullable=False, default=0.0)
    evidence = db.Column(db.Float, nullable=False, default=0.0)
    evidence_var = db.Column(db.Float, nullable=False, default=0.0)

    __table_args__ = (db.UniqueConstraint("round_id", "user_id"),)
