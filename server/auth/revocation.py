"""Access JWTs refused before they expire: a short deny-list in Redis.

Logout puts the access token's ``jti`` on the list for what remains of its life, and ending a
sign-in (logout, or a reused refresh token) lists its family (``fam``), so every access token
of that sign-in dies with it, not only the one presented (a thief's copy of an earlier one
included); "sign out everywhere" records a cut-off time per user, refusing every access token
issued before it. Entries expire with the longest-lived access token, so the list stays
small.

If Redis cannot be reached the check lets tokens through (logged): an access token lives
15 minutes, and refusing every signed-in request while Redis is down would take the
dashboard down with it. Refresh and device tokens are revoked in the database regardless.
"""

import logging
import time

import redis
from flask import current_app

from server.errors import Unauthorized
from server.extensions import redis_store

logger = logging.getLogger(__name__)
DENIED = "auth:deny:"
CUTOFF = "auth:cutoff:"
ENDED = "auth:ended:"


def deny(claims: dict) -> None:
    """Refuse this access token from now until it expires (best effort if Redis is down)."""
    remaining = int(claims["exp"] - time.time()) + 1
    if remaining <= 0 or not claims.get("jti"):
        return
    try:
        redis_store.client.set(DENIED + claims["jti"], 1, ex=remaining)
    except redis.RedisError:
        logger.warning("redis unavailable: access token %s not deny-listed", claims["jti"])


def end_family(family: str) -> None:
    """Refuse every access token of this sign-in from now on (best effort if Redis is down;
    device tokens are refused in the database either way)."""
    ttl = int(current_app.config["JWT_ACCESS_TTL"]) + 1
    try:
        redis_store.client.set(ENDED + family, 1, ex=ttl)
    except redis.RedisError:
        logger.warning("redis unavailable: access tokens of sign-in %s not deny-listed", family)


def cut_off(user_id: int) -> None:
    """Refuse every access token of this user issued until now."""
    ttl = int(current_app.config["JWT_ACCESS_TTL"]) + 1
    try:
        redis_store.client.set(CUTOFF + str(user_id), repr(time.time()), ex=ttl)
    except redis.RedisError:
        logger.warning("redis unavailable: access tokens of user %s not cut off", user_id)


def check(claims: dict) -> None:
    """401 if this access token was logged out, belongs to a sign-in that ended, or was issued
    before a "sign out everywhere"."""
    keys = [DENIED + str(claims.get("jti")), CUTOFF + str(claims["sub"])]
    if claims.get("fam"):
        keys.append(ENDED + str(claims["fam"]))
    try:
        denied, cutoff, *ended = redis_store.client.mget(keys)
    except redis.RedisError:
        logger.warning("redis unavailable: access token deny-list not checked")
        return
    before_cutoff = cutoff is not None and claims["iat"] <= float(cutoff)
    if denied is not None or before_cutoff or any(e is not None for e in ended):
        raise Unauthorized("Access token was revoked by signing out; sign in again.")
