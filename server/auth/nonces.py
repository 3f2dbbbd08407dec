"""SIWE nonces in Redis: issued for one address, expiring, usable once, and only by it."""

import secrets

import redis

from server.errors import ServiceUnavailable, Unauthorized
from server.extensions import redis_store

PREFIX = "siwe:nonce:"
# Compare and delete in one step: a nonce presented for another address stays where it is, so
# a failed attempt at someone else's nonce cannot burn it.
_CONSUME = """
local owner = redis.call('GET', KEYS[1])
if not owner then return 0 end
if owner ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[1])
return 1
"""
UNAVAILABLE = "Sign-in is unavailable right now; try again shortly."


def issue_nonce(address: str, ttl: int) -> str:
    """Create a nonce bound to the address; 503 when Redis is down."""
    nonce = secrets.token_hex(12)
    try:
        redis_store.client.set(PREFIX + nonce, address, ex=ttl, nx=True)
    except redis.RedisError as exc:
        raise ServiceUnavailable(UNAVAILABLE) from exc
    return nonce


def consume_nonce(nonce: str, address: str) -> None:
    """Spend a nonce atomically if it was issued for this address; 401 if unknown, expired,
    used or another address's (then it is left for its owner)."""
    try:
        outcome = redis_store.client.eval(_CONSUME, 1, PREFIX + nonce, address)
    except redis.RedisError as exc:
        raise ServiceUnavailable(UNAVAILABLE) from exc
    if outcome == 0:
        raise Unauthorized(
            "Nonce was not issued by us, has expired or was already used; request a new one.",
            {"nonce": ["unknown, expired or used"]},
        )
    if outcome == -1:
        raise Unauthorized(
            "Nonce was issued for another address.", {"nonce": ["issued for another address"]}
        )
