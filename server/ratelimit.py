"""Rate-limit keys and headers.

Sign-in endpoints are limited per client IP whatever the request carries: a bearer token
(valid or not) must not move a caller into a fresh per-wallet bucket. Elsewhere a signed-in
caller is limited per wallet, others per IP (the client address as ProxyFix resolves it from
the configured number of trusted proxies).
"""

from flask import Response, g, request

# Endpoints whose limit exists to slow down guessing and nonce farming: always per IP.
PER_IP = frozenset({"auth.nonce", "auth.verify", "auth.refresh"})


def rate_limit_key() -> str:
    """Key the current request by wallet address if authenticated, else by remote address."""
    user = getattr(g, "current_user", None)
    if user is not None and request.endpoint not in PER_IP:
        return f"wallet:{user.address}"
    return f"ip:{request.remote_addr or 'unknown'}"


def retry_after_only_when_refused(response: Response) -> Response:
    """after_request: flask-limiter sets Retry-After on every response; it means "wait before
    retrying", so it belongs on 429 (and 503) only, and on a 503 it is the service's own
    estimate (flask-limiter would replace it with its window). The X-RateLimit-* headers stay."""
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    elif response.status_code == 503 and g.get("retry_after"):
        response.headers["Retry-After"] = g.retry_after
    return response
