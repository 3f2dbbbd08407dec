"""Access JWTs (HS256, pinned claims), rotating refresh tokens and hashed opaque tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta

import jwt
from flask import current_app

from server.auth.models import RefreshToken, User
from server.errors import Unauthorized
from server.extensions import db
from server.models_base import utcnow

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "aud"]


def hash_token(token: str) -> str:
    """SHA-256 of an opaque token: what the database stores instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_opaque_token(prefix: str) -> str:
    """A random URL-safe token with a recognisable prefix (e.g. ``lld_dev_``)."""
    return prefix + secrets.token_urlsafe(32)


def issue_access_token(user: User, now: datetime | None = None) -> tuple[str, int]:
    """Sign a short-lived access JWT for the user; return it and its lifetime in seconds."""
    cfg = current_app.config
    now = now or utcnow()
    ttl = int(cfg["JWT_ACCESS_TTL"])
    claims = {
        "iss": cfg["JWT_ISSUER"],
        "aud": cfg["JWT_AUDIENCE"],
        "sub": str(user.id),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl)).timestamp()),
        "addr": user.address,
        "role": user.role,
        "typ": "access",
    }
    return jwt.encode(claims, cfg["JWT_SECRET"], algorithm=ALGORITHM), ttl


def decode_access_token(token: str) -> dict:
    """Verify an access JWT (algorithm, signature, issuer, audience, expiry); 401 otherwise."""
    cfg = current_app.config
    try:
        claims = jwt.decode(
            token,
            cfg["JWT_SECRET"],
            algorithms=[ALGORITHM],
            audience=cfg["JWT_AUDIENCE"],
            issuer=cfg["JWT_ISSUER"],
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("Access token expired; refresh it.") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"Invalid access token: {exc}.") from exc
    if claims.get("typ") != "access" or not str(claims["sub"]).isdigit():
        raise Unauthorized("Invalid access token: not an access token.")
    return claims


def issue_refresh_token(user: User, family: str | None = None) -> str:
    """Create and store (hashed) a refresh token; the caller commits."""
    token = new_opaque_token("lld_rt_")
    ttl = int(current_app.config["JWT_REFRESH_TTL"])
    db.session.add(
        RefreshToken(
            user_id=user.id,
            token_hash=hash_token(token),
            family=family or secrets.token_hex(16),
            expires_at=utcnow() + timedelta(seconds=ttl),
        )
    )
    return token


def rotate_refresh_token(token: str) -> tuple[User, str]:
    """Spend a refresh token and hand out its successor; a reused token revokes its family."""
    row = db.session.execute(
        db.select(RefreshToken).filter_by(token_hash=hash_token(token))
    ).scalar_one_or_none()
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized("Refresh token is invalid, expired or revoked; sign in again.")
    # Conditional update: of two concurrent refreshes with one token, exactly one wins.
    spent = db.session.execute(
        db.update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        revoke_family(row.family)
        db.session.commit()
        raise Unauthorized("Refresh token was already used; every session of it is revoked.")
    user = db.session.get(User, row.user_id)
    successor = issue_refresh_token(user, family=row.family)
    db.session.commit()
    return user, successor


def revoke_family(family: str) -> None:
    """Revoke every refresh token of a sign-in; the caller commits."""
    db.session.execute(
        db.update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_refresh_token(token: str, user_id: int) -> None:
    """Log out: revoke the sign-in that this refresh token belongs to."""
    row = db.session.execute(
        db.select(RefreshToken).filter_by(token_hash=hash_token(token))
    ).scalar_one_or_none()
    if row is None or row.user_id != user_id:
        raise Unauthorized("Unknown refresh token.")
    revoke_family(row.family)
    db.session.commit()
