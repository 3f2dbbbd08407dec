"""Labs (the paying customers) and their API keys: stored hashed, scoped, revocable.

A key looks like ``lld_lab_<random>``; it is shown once when created and only its SHA-256 is
kept. A key authenticates as a ``Principal`` of kind ``"lab"``; routes that take contributor
tokens refuse it, and lab routes (``kinds=("lab",)``) refuse contributor tokens.
"""

import re
from datetime import timedelta

from server.auth.tokens import hash_token, new_opaque_token
from server.errors import Conflict, NotFound, Unauthorized, Unprocessable
from server.extensions import db
from server.models_base import UtcDateTime, utcnow

LAB_PREFIX = "lld_lab_"
LAB_SCOPES = frozenset({"datasets:read", "datasets:write"})
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$")


class Lab(db.Model):
    """A customer organisation that downloads datasets."""

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), unique=True, nullable=False)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)


class LabKey(db.Model):
    """One API key of a lab: its hash, a display prefix, its scopes, and revocation."""

    id = db.Column(db.Integer, primary_key=True)
    lab_id = db.Column(db.Integer, db.ForeignKey("lab.id"), nullable=False, index=True)
    key_hash = db.Column(db.String(64), unique=True, nullable=False)
    prefix = db.Column(db.String(20), nullable=False)
    scopes = db.Column(db.String(200), nullable=False)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(UtcDateTime)
    revoked_at = db.Column(UtcDateTime)

    lab = db.relationship(Lab)


def create_lab(name: str) -> Lab:
    """Create a lab with a unique name."""
    name = name.strip()
    if not _NAME.match(name):
        raise Unprocessable(
            "A lab name is 1-80 letters, digits, spaces, dots, dashes or underscores.",
            {"name": ["invalid lab name"]},
        )
    if db.session.scalar(db.select(Lab.id).filter_by(name=name)) is not None:
        raise Conflict(f"A lab named {name!r} already exists.")
    lab = Lab(name=name)
    db.session.add(lab)
    db.session.commit()
    return lab


def get_lab(name: str) -> Lab:
    """The lab with this name, or 404."""
    lab = db.session.execute(db.select(Lab).filter_by(name=name)).scalar_one_or_none()
    if lab is None:
        raise NotFound(f"No lab named {name!r}; create it with `flask labs create`.")
    return lab


def parse_scopes(text: str) -> frozenset[str]:
    """Comma- or space-separated scopes, each one of LAB_SCOPES."""
    scopes = frozenset(s for s in re.split(r"[,\s]+", text.strip()) if s)
    unknown = sorted(scopes - LAB_SCOPES)
    if not scopes or unknown:
        raise Unprocessable(
            f"Scopes must be some of {', '.join(sorted(LAB_SCOPES))}.",
            {"scopes": [f"unknown scope: {s}" for s in unknown] or ["no scope given"]},
        )
    return scopes


def create_key(lab_name: str, scopes: frozenset[str]) -> tuple[LabKey, str]:
    """Issue a key for the lab; returns the stored row and the key (shown only now)."""
    lab = get_lab(lab_name)
    token = new_opaque_token(LAB_PREFIX)
    key = LabKey(
        lab_id=lab.id,
        key_hash=hash_token(token),
        prefix=token[: len(LAB_PREFIX) + 6],
        scopes=" ".join(sorted(scopes)),
    )
    db.session.add(key)
    db.session.commit()
    return key, token


def revoke_key(key_id: int) -> LabKey:
    """Revoke a key (idempotent); it stops working on the next request."""
    key = db.session.get(LabKey, key_id)
    if key is None:
        raise NotFound(f"No lab key {key_id}.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        db.session.commit()
    return key


def list_keys(lab_name: str) -> list[LabKey]:
    """A lab's keys, oldest first (hashes are never shown)."""
    lab = get_lab(lab_name)
    return list(db.session.scalars(db.select(LabKey).filter_by(lab_id=lab.id).order_by(LabKey.id)))


def authenticate_key(token: str) -> LabKey:
    """The live key behind a presented token, or 401."""
    key = db.session.execute(
        db.select(LabKey).filter_by(key_hash=hash_token(token))
    ).scalar_one_or_none()
    if key is None or key.revoked_at is not None:
        raise Unauthorized("Lab key is invalid or revoked; ask for a new one.")
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=5):
        key.last_used_at = now  # throttled: downloads should not each cost a write
        db.session.commit()
    return key
