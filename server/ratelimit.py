"""Rate-limit keys: per wallet when the caller is signed in, else per client IP."""

from flask import g, request


def rate_limit_key() -> str:
    """Key the current request by wallet address if authenticated, else by remote address."""
    user = getattr(g, "current_user", None)
    if user is not None:
        return f"wallet:{user.address}"
    return f"ip:{request.remote_addr or 'unknown'}"
