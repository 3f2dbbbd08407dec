"""The feedback write endpoints' rate limit and idempotency marks, in one Redis call.

flask-limiter counts a request in its own ``before_request`` (one ``INCR`` script) and reads
the window back in ``after_request`` for the ``X-RateLimit-*`` headers (a ``GET`` and a
``TTL``: two more round trips on the response path); it has no hook through which the
idempotency check could ride along, so with it a write costs at least four round trips.
These two endpoints are therefore exempt from it and use this gate instead: one Lua script
counts the fixed window (the strategy flask-limiter uses, the same limit string and key) and
marks the body's client_ids as seen, returning which were seen before; the headers come from
its reply. A client_id seen before is looked up in the database first (a retry, or a reuse:
``ingest``); a new one goes straight to the optimistic insert, and nothing is remembered
after the commit, so a write costs this one round trip. The ``limits`` library
(flask-limiter's own) parses the limit and, while Redis is down, counts in process memory as
flask-limiter's fallback does; idempotency then rests on the database's unique constraint
alone, as it always does in the end.
"""

import functools
import time
import uuid
from collections.abc import Callable
from functools import wraps

import redis
from flask import after_this_request, current_app, g, request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from server.errors import TooManyRequests
from server.extensions import limiter, redis_store
from server.feedback.ingest import idem_key
from server.ratelimit import rate_limit_key

# KEYS[1]: the window counter; KEYS[2..]: idempotency keys. ARGV[1]: window seconds, ARGV[2]:
# 1 to count, ARGV[3]: seconds a mark lives. Marks every key; returns {count, seconds left,
# then per key 1 if it was marked before, else 0}.
SCRIPT = """
local count, ttl = 0, 0
if ARGV[2] == '1' then
  count = redis.call('INCR', KEYS[1])
  if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
  ttl = redis.call('TTL', KEYS[1])
end
local out = {count, ttl}
for i = 2, #KEYS do
  out[#out + 1] = redis.call('GET', KEYS[i]) and 1 or 0
  redis.call('SET', KEYS[i], '1', 'EX', ARGV[3])
end
return out
"""
_fallback = FixedWindowRateLimiter(MemoryStorage())
MAX_KEYS = 500  # a batch's items
# The writes this gate counts; flask-limiter leaves them alone (a decorator's exemption does
# not reach a MethodView's method, a request filter does).
GATED = frozenset({("feedback.FeedbackCollection", "POST"), ("feedback.batch", "POST")})


@limiter.request_filter
def counted_by_gate() -> bool:
    """flask-limiter filter: True for the writes this gate counts itself."""
    return (request.endpoint, request.method) in GATED


def limiter_skips_gated_writes(app) -> None:
    """Wrap flask-limiter's ``before_request`` hook so that the gated writes skip it: the
    request filter above exempts them, but only after the hook has resolved the endpoint's
    limits, a tenth of a write's time. Every other request runs the hook as before."""
    hooks = app.before_request_funcs.setdefault(None, [])
    check = limiter._check_request_limit
    if check not in hooks:
        return

    @wraps(check)
    def check_unless_gated():
        if (request.endpoint, request.method) in GATED:
            return None
        return check()

    hooks[hooks.index(check)] = check_unless_gated


def _client_ids() -> list[str]:
    """The body's client_ids (one item or a batch's), normalised as ingest stores them; the
    body itself is validated later."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return []
    items = body.get("items") if isinstance(body.get("items"), list) else [body]
    found = []
    for item in items[:MAX_KEYS]:
        raw = item.get("client_id") if isinstance(item, dict) else None
        try:
            found.append(str(uuid.UUID(raw)))
        except (TypeError, ValueError, AttributeError):
            continue
    return found


def _ask_redis(limit, key: str, user_id: int, cids: list[str], count: bool):
    """One scripted call: (count, seconds left, client_ids seen before); raises RedisError."""
    client = redis_store.client
    script = current_app.extensions.get("feedback_gate_script")
    if script is None:
        script = current_app.extensions["feedback_gate_script"] = client.register_script(SCRIPT)
    window = f"rl:feedback:{key}:{limit.amount}/{limit.get_expiry()}"
    reply = script(
        keys=[window, *(idem_key(user_id, c) for c in cids)],
        args=[
            limit.get_expiry(),
            "1" if count else "0",
            int(current_app.config["IDEMPOTENCY_TTL"]),
        ],
        client=client,
    )
    seen = frozenset(c for c, mark in zip(cids, reply[2:], strict=True) if mark)
    return int(reply[0]), int(reply[1]), seen


def _count_in_memory(limit, key: str) -> tuple[int, int]:
    """Count in this process while Redis is down: (count, seconds left)."""
    _fallback.hit(limit, "feedback", key)
    reset, remaining = _fallback.get_window_stats(limit, "feedback", key)
    return limit.amount - remaining, max(0, int(reset - time.time()))


@functools.cache
def _limit(text: str):
    """The parsed limit string (parsed once: it is a regex match per request otherwise)."""
    return parse(text)


def admit(user_id: int) -> frozenset[str]:
    """Count this request against the caller's limit (429 when over it), mark the body's
    client_ids seen and return those seen before (none while Redis is down)."""
    limit = _limit(current_app.config["RATELIMIT_FEEDBACK"])
    enabled = bool(current_app.config.get("RATELIMIT_ENABLED", True))
    key, cids = rate_limit_key(), _client_ids()
    try:
        count, ttl, seen = _ask_redis(limit, key, user_id, cids, enabled)
    except redis.RedisError:
        seen = frozenset()
        count, ttl = _count_in_memory(limit, key) if enabled else (0, 0)
    if not enabled:
        return seen
    reset_at = int(time.time()) + max(ttl, 0)
    headers = {
        "X-RateLimit-Limit": str(limit.amount),
        "X-RateLimit-Remaining": str(max(0, limit.amount - count)),
        "X-RateLimit-Reset": str(reset_at),
    }
    if count > limit.amount:
        retry = str(max(1, ttl))
        raise TooManyRequests(
            f"Rate limit of {limit} exceeded; retry later.",
            headers={**headers, "Retry-After": retry},
        )

    @after_this_request
    def _headers(response):
        response.headers.update(headers)
        return response

    return seen


def gated(view: Callable) -> Callable:
    """View decorator: admit the request and leave the client_ids seen before on
    ``g.idempotency`` for the view to hand to its service."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.idempotency = admit(g.principal.user_id)
        return view(*args, **kwargs)

    return wrapper
