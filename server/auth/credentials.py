"""Opaque API credentials: the extension's device tokens and labs' API keys.

One model with a ``kind``: a device token (``lld_dev_...``) belongs to a user and writes
feedback; a lab key (``lld_lab_...``) belongs to a lab and reads or writes datasets. A token is
shown once when issued; only its SHA-256 is stored, with a short display prefix.

A device token expires (``DEVICE_TOKEN_TTL``) and belongs to the sign-in (refresh ``family``)
whose access token created it, so signing out revokes it with that sign-in. The extension
keeps it alive by rotation: the successor gets a full lifetime, the old token a short grace
period (requests already in flight still succeed). Rotating the old token again replaces a
successor nobody has used (a lost response); once the successor has been used, it means two
holders of one token, and every successor is revoked, as a reused refresh token revokes its
family.
"""

import functools
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app

from server.errors import NotFound, Unauthorized
from server.extensions import db
from server.models_base import UtcDateTime, utcnow
from server.ttl_cache import app_cache

PREFIXES = {"device": "lld_dev_", "lab": "lld_lab_"}
DISPLAY = {"device": 4, "lab": 6}  # characters of the random part kept as a display prefix
STALE = timedelta(minutes=5)  # last_used_at is refreshed at most this often
LABELS = {"device": "device", "lab": "lab key"}
REFUSED = {
    "device": "Device token is invalid or revoked; link the extension again.",
    "lab": "Lab key is invalid or revoked; ask for a new one.",
}
# The web process's cache of live credentials (server/ttl_cache.py): cleared here on every
# revocation or rotation, so this process sees it at once and others within the TTL.
CACHE = "credentials"
EXPIRED = {
    "device": "Device token has expired; link the extension again.",
    "lab": "Lab key has expired; ask for a new one.",
}


class Credential(db.Model):
    """A device token (``user_id`` set) or a lab key (``lab_id`` set): hash, scopes, state."""

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(8), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), index=True)
    lab_id = db.Column(db.Integer, db.ForeignKey("lab.id"), index=True)
    name = db.Column(db.String(80))
    token_hash = db.Column(db.String(64), unique=True, nullable=False)
    prefix = db.Column(db.String(20), nullable=False)
    scopes = db.Column(db.String(200), nullable=False)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(UtcDateTime)
    revoked_at = db.Column(UtcDateTime)
    # None: does not expire (lab keys, until an admin sets a date).
    expires_at = db.Column(UtcDateTime)
    # The refresh-token family of the sign-in that issued a device token.
    family = db.Column(db.String(32), index=True)
    rotated_at = db.Column(UtcDateTime)
    replaced_by_id = db.Column(db.Integer, db.ForeignKey("credential.id"))

    user = db.relationship("User")
    lab = db.relationship("Lab")

    __table_args__ = (
        db.CheckConstraint(
            "(kind = 'device' AND user_id IS NOT NULL AND lab_id IS NULL)"
            " OR (kind = 'lab' AND lab_id IS NOT NULL AND user_id IS NULL)",
            name="owner",
        ),
    )


def hash_token(token: str) -> str:
    """SHA-256 of an opaque token: what the database stores instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_opaque_token(prefix: str) -> str:
    """A random URL-safe token with a recognisable prefix (e.g. ``lld_dev_``)."""
    return prefix + secrets.token_urlsafe(32)


def kind_of(token: str) -> str | None:
    """The credential kind a token's prefix names, or None."""
    return next((kind for kind, prefix in PREFIXES.items() if token.startswith(prefix)), None)


def device_expiry(now: datetime | None = None) -> datetime:
    """When a device token issued now expires."""
    return (now or utcnow()) + timedelta(seconds=int(current_app.config["DEVICE_TOKEN_TTL"]))


def issue(
    kind: str, scopes: frozenset[str], commit: bool = True, **fields
) -> tuple[Credential, str]:
    """Store a new credential of `kind` for its owner (``user_id=`` or ``lab_id=``, and
    optional ``name=``, ``family=``, ``expires_at=``); returns the row and the token, which is
    shown only now."""
    prefix = PREFIXES[kind]
    token = new_opaque_token(prefix)
    credential = Credential(
        kind=kind,
        token_hash=hash_token(token),
        prefix=token[: len(prefix) + DISPLAY[kind]],
        scopes=" ".join(sorted(scopes)),
        **fields,
    )
    db.session.add(credential)
    if commit:
        db.session.commit()
    return credential, token


@functools.cache
def _lookup_statement():
    """The live-credential SELECT, built once: credential and user columns by token hash."""
    from server.auth.models import User  # the auth models import this module

    table, users = Credential.__table__, User.__table__
    return (
        db.select(
            table.c.id, table.c.kind, table.c.scopes, table.c.lab_id, table.c.expires_at,
            table.c.revoked_at, table.c.last_used_at, table.c.user_id,
            users.c.address, users.c.role,
        )
        .select_from(table.outerjoin(users, users.c.id == table.c.user_id))
        .where(table.c.token_hash == db.bindparam("token_hash"))
        .where(table.c.kind == db.bindparam("kind"))
    )  # fmt: skip


def authenticate(token: str):
    """The live credential behind a presented token, or 401: a row with the credential's id,
    kind, scopes, lab_id and expires_at, and its user's id, address and role.

    Core on a connection of its own, one SELECT with the user joined: this runs whenever the
    credential cache misses (for each token every CREDENTIAL_CACHE_TTL seconds, in each
    process), and an ORM session and its objects cost several times the query."""
    kind = kind_of(token)
    with db.engine.connect() as conn:
        found = conn.execute(
            _lookup_statement(), {"token_hash": hash_token(token), "kind": kind}
        ).one_or_none()
    if found is None or found.revoked_at is not None:
        raise Unauthorized(REFUSED.get(kind, "This kind of token is not accepted here."))
    now = utcnow()
    if found.expires_at is not None and found.expires_at <= now:
        raise Unauthorized(EXPIRED[kind])
    if found.last_used_at is None or now - found.last_used_at > STALE:
        table = Credential.__table__  # throttled so that a request is not a write each
        with db.engine.begin() as conn:
            conn.execute(db.update(table).where(table.c.id == found.id).values(last_used_at=now))
    return found


def rotate(credential_id: int) -> tuple[Credential, str]:
    """Replace a device token by a successor with a full lifetime; the old one lives on for
    DEVICE_ROTATION_GRACE. Rotating it again replaces a successor that was never used (its
    response was lost); once a successor has been used, a second rotation is a stolen copy
    at work: every successor is revoked (401)."""
    now = utcnow()
    # Conditional update: of two concurrent rotations of one token, exactly one wins.
    won = db.session.execute(
        db.update(Credential)
        .where(Credential.id == credential_id, Credential.rotated_at.is_(None))
        .values(rotated_at=now)
    )
    old = db.session.get(Credential, credential_id)
    if won.rowcount != 1:
        previous = db.session.get(Credential, old.replaced_by_id)
        if previous.last_used_at is not None or previous.revoked_at is not None:
            _revoke_successors(old, now)
            db.session.commit()
            raise Unauthorized(
                "Device token was already rotated and its successor used; every successor is "
                "revoked. Link the extension again."
            )
        previous.revoked_at = now  # never used: its holder never got it
    grace = now + timedelta(seconds=int(current_app.config["DEVICE_ROTATION_GRACE"]))
    if old.expires_at is None or old.expires_at > grace:
        old.expires_at = grace
    new, token = issue(
        "device",
        frozenset(old.scopes.split()),
        commit=False,
        user_id=old.user_id,
        name=old.name,
        family=old.family,
        expires_at=device_expiry(now),
    )
    db.session.flush()
    old.replaced_by_id = new.id
    db.session.commit()
    _forget_cached()
    return new, token


def _forget_cached() -> None:
    """Drop this process's cached credentials after a revocation or rotation."""
    app_cache(CACHE).clear()


def _revoke_successors(credential: Credential, now: datetime) -> None:
    """Revoke every token that replaced this one, directly or not; the caller commits."""
    _forget_cached()
    successor = credential.replaced_by_id
    while successor is not None:
        row = db.session.get(Credential, successor)
        if row.revoked_at is None:
            row.revoked_at = now
        successor = row.replaced_by_id


def revoke_family_devices(family: str) -> None:
    """Revoke the device tokens issued under one sign-in; the caller commits."""
    _forget_cached()
    db.session.execute(
        db.update(Credential)
        .where(Credential.family == family, Credential.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_user_devices(user_id: int) -> None:
    """Revoke every device token of a user; the caller commits."""
    _forget_cached()
    db.session.execute(
        db.update(Credential)
        .where(
            Credential.kind == "device",
            Credential.user_id == user_id,
            Credential.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


def owned(kind: str, **owner) -> list[Credential]:
    """An owner's credentials of one kind, newest first, revoked ones included."""
    query = db.select(Credential).filter_by(kind=kind, **owner).order_by(Credential.id.desc())
    return list(db.session.scalars(query))


def revoke(kind: str, credential_id: int, **owner) -> Credential:
    """Revoke a credential of this kind (and owner, when given); idempotent; 404 if none."""
    credential = db.session.get(Credential, credential_id)
    mismatch = credential is None or credential.kind != kind
    if mismatch or any(getattr(credential, k) != v for k, v in owner.items()):
        raise NotFound(f"No {LABELS[kind]} {credential_id}.")
    if credential.revoked_at is None:
        credential.revoked_at = utcnow()
        db.session.commit()
    _forget_cached()
    return credential
