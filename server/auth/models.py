"""Accounts and their sign-in sessions: users and refresh tokens (API tokens: credentials.py)."""

from server.extensions import db
from server.models_base import UtcDateTime, utcnow

ROLES = ("contributor", "lab", "admin")
LICENCES = ("cc-by-4.0", "research-only", "no-training")


class User(db.Model):
    """A wallet-identified account."""

    id = db.Column(db.Integer, primary_key=True)
    address = db.Column(db.String(42), unique=True, nullable=False)
    role = db.Column(db.String(16), nullable=False, default="contributor")
    default_licence = db.Column(db.String(16), nullable=False, default="cc-by-4.0")
    # None = new author, neutral; set by valuation rounds.
    reliability = db.Column(db.Float, nullable=True)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)


class RefreshToken(db.Model):
    """A rotating refresh token, stored hashed; a family shares one sign-in."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    token_hash = db.Column(db.String(64), unique=True, nullable=False)
    family = db.Column(db.String(32), nullable=False, index=True)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)
    expires_at = db.Column(UtcDateTime, nullable=False)
    used_at = db.Column(UtcDateTime)
    revoked_at = db.Column(UtcDateTime)
