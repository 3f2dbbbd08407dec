"""SIWE nonces in Redis: issued for one address, expiring, usable once."""

import secrets

import redis

from server.errors import ServiceUnavailable, Unauthorized
from server.extensions import redis_store

PREFIX = "siwe:nonce:"


def issue_nonce(address: str, ttl: int) -> str:
    """Create a nonce bound to the address; 503 when Redis is down."""
    nonce = secrets.token_hex(12)
    try:
        redis_store.client.set(PREFIX + nonce, address, ex=ttl, nx=True)
    except redis.RedisError as exc:
        raise ServiceUnavailable("Sign-in is unavailable right now; try again shortly.") from exc
    return nonce


def consume_nonce(nonce: str, address: str) -> None:
    """Spend a nonce atomically (GETDEL); 401 if unknown, expired, used or another address's."""
    try:
        owner = redis_store.client.getdel(PREFIX + nonce)
    except redis.RedisError as exc:
        raise ServiceUnavailable("Sign-in is unavailable right now; try again shortly.") from exc
    if owner is None:
        raise Unauthorized(
            "Nonce was not issued by us, has expired or was already used; request a new one.",
            {"nonce": ["unknown, expired or used"]},
        )
    if owner.decode() != address:
        raise Unauthorized(
            "Nonce was issued for another address.", {"nonce": ["issued for another address"]}
        )
