"""Answers (stored once) and feedback on them (one current per user and answer)."""

from server.extensions import db
from server.models_base import UtcDateTime, utcnow

KINDS = ("rating", "pairwise", "correction")
SITES = ("chatgpt", "claude", "gemini", "generic")
CHOICES = ("a", "b", "tie")
TAGS = (
    "factually_wrong",
    "harmful",
    "biased",
    "unhelpful",
    "off_topic",
    "verbose",
    "incoherent",
    "unsafe",
    "irrelevant",
    "unverifiable",
    "redundant",
    "missing_info",
    "wrong_grounding",
    "great_answer",
    "well_written",
)


UNLINKED = "superseded_at IS NOT NULL AND superseded_by_id IS NULL"


class Answer(db.Model):
    """A chatbot answer and its prompt, identified by site, message id (when the site gives
    one) and the hashes of both texts."""

    id = db.Column(db.Integer, primary_key=True)
    site = db.Column(db.String(16), nullable=False)
    conversation_id = db.Column(db.String(128))
    message_id = db.Column(db.String(128))
    model_name = db.Column(db.String(80))
    prompt_text = db.Column(db.Text, nullable=False)
    answer_text = db.Column(db.Text, nullable=False)
    prompt_hash = db.Column(db.String(64), nullable=False, index=True)
    answer_hash = db.Column(db.String(64), nullable=False)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.Index(
            "uq_answer_site_message_content",
            "site",
            "message_id",
            "prompt_hash",
            "answer_hash",
            unique=True,
            sqlite_where=db.text("message_id IS NOT NULL"),
            postgresql_where=db.text("message_id IS NOT NULL"),
        ),
        db.Index(
            "uq_answer_site_content",
            "site",
            "prompt_hash",
            "answer_hash",
            unique=True,
            sqlite_where=db.text("message_id IS NULL"),
            postgresql_where=db.text("message_id IS NULL"),
        ),
    )


class Feedback(db.Model):
    """One user's judgement of an answer; a newer one on the same answer supersedes it."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    answer_id = db.Column(db.Integer, db.ForeignKey("answer.id"), nullable=False, index=True)
    client_id = db.Column(db.String(36), nullable=False)
    kind = db.Column(db.String(16), nullable=False)
    rating = db.Column(db.SmallInteger)
    tags = db.Column(db.JSON, nullable=False, default=list)
    spans = db.Column(db.JSON, nullable=False, default=list)
    comment = db.Column(db.Text)
    corrected_text = db.Column(db.Text)
    other_answer_id = db.Column(db.Integer, db.ForeignKey("answer.id"))
    choice = db.Column(db.String(4))
    licence = db.Column(db.String(16), nullable=False)
    captured_at = db.Column(UtcDateTime)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UtcDateTime, nullable=False, default=utcnow)
    withdrawn_at = db.Column(UtcDateTime)
    superseded_at = db.Column(UtcDateTime)
    superseded_by_id = db.Column(db.Integer, db.ForeignKey("feedback.id"))
    content_hash = db.Column(db.String(64), nullable=False)
    # A near-duplicate group id; ingest leaves it empty (grouping happens at round time).
    cluster_id = db.Column(db.Integer, index=True)

    answer = db.relationship(Answer, foreign_keys=[answer_id], lazy="joined")
    other_answer = db.relationship(Answer, foreign_keys=[other_answer_id], lazy="joined")

    __table_args__ = (
        db.UniqueConstraint("user_id", "client_id"),
        # A user's feedback paged by id (keyset) without scanning anyone else's.
        db.Index("ix_feedback_user_id_id", "user_id", "id"),
        # Superseded rows not yet linked to their successor: empty between statements, it lets
        # the history trigger (0010_ingest) find them without scanning the user's feedback.
        db.Index(
            "ix_feedback_unlinked",
            "user_id",
            "answer_id",
            sqlite_where=db.text(UNLINKED),
            postgresql_where=db.text(UNLINKED),
        ),
        # At most one live feedback per user and answer; older ones stay as history.
        db.Index(
            "uq_feedback_current",
            "user_id",
            "answer_id",
            unique=True,
            sqlite_where=db.text("superseded_at IS NULL AND withdrawn_at IS NULL"),
            postgresql_where=db.text("superseded_at IS NULL AND withdrawn_at IS NULL"),
        ),
    )
