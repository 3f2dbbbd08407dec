"""Opaque API credentials: the extension's device tokens and labs' API keys.

One model with a ``kind``: a device token (``lld_dev_...``) belongs to a user and writes
feedback; a lab key (``lld_lab_...``) belongs to a lab and reads or writes datasets. A token is
shown once when issued; only its SHA-256 is stored, with a short display prefix.
"""

from datetime import timedelta

from server.auth.tokens import hash_token, new_opaque_token
from server.errors import NotFound, Unauthorized
from server.extensions import db
from server.models_base import UtcDateTime, utcnow

PREFIXES = {"device": "lld_dev_", "lab": "lld_lab_"}
DISPLAY = {"device": 4, "lab": 6}  # characters of the random part kept as a display prefix
STALE = timedelta(minutes=5)  # last_used_at is refreshed at most this often
LABELS = {"device": "device", "lab": "lab key"}
REFUSED = {
    "device": "Device token is invalid or revoked; link the extension again.",
    "lab": "Lab key is invalid or revoked; ask for a new one.",
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

    user = db.relationship("User")
    lab = db.relationship("Lab")

    __table_args__ = (
        db.CheckConstraint(
            "(kind = 'device' AND user_id IS NOT NULL AND lab_id IS NULL)"
            " OR (kind = 'lab' AND lab_id IS NOT NULL AND user_id IS NULL)",
            name="owner",
        ),
    )


def kind_of(token: str) -> str | None:
    """The credential kind a token's prefix names, or None."""
    return next((kind for kind, prefix in PREFIXES.items() if token.startswith(prefix)), None)


def issue(kind: str, scopes: frozenset[str], **owner) -> tuple[Credential, str]:
    """Store a new credential of `kind` for its owner (``user_id=`` or ``lab_id=``, and an
    optional ``name=``); returns the row and the token, which is shown only now."""
    prefix = PREFIXES[kind]
    token = new_opaque_token(prefix)
    credential = Credential(
        kind=kind,
        token_hash=hash_token(token),
        prefix=token[: len(prefix) + DISPLAY[kind]],
        scopes=" ".join(sorted(scopes)),
        **owner,
    )
    db.session.add(credential)
    db.session.commit()
    return credential, token


def authenticate(token: str) -> Credential:
    """The live credential behind a presented token, or 401."""
    kind = kind_of(token)
    credential = db.session.execute(
        db.select(Credential)
        .filter_by(token_hash=hash_token(token), kind=kind)
        .options(db.joinedload(Credential.user))
    ).scalar_one_or_none()
    if credential is None or credential.revoked_at is not None:
        raise Unauthorized(REFUSED.get(kind, "This kind of token is not accepted here."))
    now = utcnow()
    if credential.last_used_at is None or now - credential.last_used_at > STALE:
        credential.last_used_at = now  # throttled so a request is not a write each
        db.session.commit()
    return credential


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
    return credential
