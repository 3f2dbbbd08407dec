"""Access JWTs (HS256, pinned claims) and rotating refresh tokens.

An access token names its sign-in (``fam``, the refresh family) so that device tokens it
creates are revoked with that sign-in, and carries a ``jti`` for the logout deny-list.
"""

import secrets
from datetime import datetime, timedelta

import jwt
from flask import current_app

from server.auth import revocation
from server.auth.credentials import (
    hash_token,
    new_opaque_token,
    revoke_family_devices,
    revoke_user_devices,
)
from server.auth.models import RefreshToken, User
from server.errors import Unauthorized
from server.extensions import db
from server.models_base import utcnow

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "aud"]


def issue_access_token(
    user: User, family: str | None = None, now: datetime | None = None
) -> tuple[str, int]:
    """Sign a short-lived access JWT for the user's sign-in `family`; return it and its
    lifetime in seconds."""
    cfg = current_app.config
    now = now or utcnow()
    ttl = int(cfg["JWT_ACCESS_TTL"])
    claims = {
        "iss": cfg["JWT_ISSUER"],
        "aud": cfg["JWT_AUDIENCE"],
        "sub": str(user.id),
        # Sub-second: a "sign out everywhere" refuses tokens issued before it, not after.
        "iat": now.timestamp(),
        "exp": int((now + timedelta(seconds=ttl)).timestamp()),
        "addr": user.address,
        "role": user.role,
        "typ": "access",
        "jti": secrets.token_hex(16),
        "fam": family,
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
    revocation.check(claims)
    return claims


def issue_refresh_token(user: User, family: str | None = None) -> tuple[str, str]:
    """Create and store (hashed) a refresh token; return it and its family. The caller
    commits."""
    token = new_opaque_token("lld_rt_")
    family = family or secrets.token_hex(16)
    ttl = int(current_app.config["JWT_REFRESH_TTL"])
    db.session.add(
        RefreshToken(
            user_id=user.id,
            token_hash=hash_token(token),
            family=family,
            expires_at=utcnow() + timedelta(seconds=ttl),
        )
    )
    return token, family


def rotate_refresh_token(token: str) -> tuple[User, str, str]:
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
    successor, family = issue_refresh_token(user, family=row.family)
    db.session.commit()
    return user, successor, family


def revoke_family(family: str) -> None:
    """Revoke every refresh token of a sign-in, the device tokens it issued and (through the
    deny-list) its access tokens; the caller commits."""
    db.session.execute(
        db.update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    revoke_family_devices(family)
    revocation.end_family(family)


def require_live_family(family: str | None) -> None:
    """401 unless the sign-in ``family`` still has an unrevoked refresh token: an access token
    of an ended sign-in mints nothing, even while Redis (its deny-list) is unreachable."""
    if family is None:
        return
    live = db.session.scalar(
        db.select(RefreshToken.id)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .limit(1)
    )
    if live is None:
        raise Unauthorized("This sign-in has ended (signed out or revoked); sign in again.")


def revoke_everything(user_id: int) -> None:
    """Sign a user out everywhere: every refresh token, every device token, and (through the
    deny-list) every access token issued until now."""
    db.session.execute(
        db.update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    revoke_user_devices(user_id)
    db.session.commit()
    revocation.cut_off(user_id)


def revoke_refresh_token(token: str, user_id: int) -> None:
    """Log out: revoke the sign-in that this refresh token belongs to."""
    row = db.session.execute(
        db.select(RefreshToken).filter_by(token_hash=hash_token(token))
    ).scalar_one_or_none()
    if row is None or row.user_id != user_id:
        raise Unauthorized("Unknown refresh token.")
    revoke_family(row.family)
    db.session.commit()
