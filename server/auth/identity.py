"""Who is calling: parse the bearer token once per request, then check it where required."""

from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import g, request

from server.auth.labs import LAB_PREFIX, authenticate_key
from server.auth.models import DeviceToken, User
from server.auth.tokens import decode_access_token, hash_token
from server.errors import ApiError, Forbidden, Unauthorized
from server.extensions import db
from server.models_base import utcnow

CONTRIBUTOR_SCOPES = frozenset(
    {"feedback:write", "feedback:read", "me:read", "me:write", "devices:manage", "rewards"}
)
DEVICE_SCOPES = frozenset({"feedback:write", "feedback:read", "me:read"})
DEVICE_PREFIX = "lld_dev_"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a wallet user through an access JWT or a device token, or a
    lab through an API key (then ``user_id`` is 0 and ``address`` names the key, which keys
    rate limits per key)."""

    user_id: int
    address: str
    role: str
    kind: str  # "access" | "device" | "lab"
    scopes: frozenset[str]
    lab_id: int | None = None
    key_id: int | None = None


def _principal_from_lab_key(token: str) -> Principal:
    """Resolve a lab API key to a lab principal, or 401."""
    key = authenticate_key(token)
    scopes = frozenset(key.scopes.split())
    return Principal(0, f"lab-key:{key.id}", "lab", "lab", scopes, key.lab_id, key.id)


def _principal_from_device(token: str) -> Principal:
    """Resolve a device token to its user, or 401."""
    row = db.session.execute(
        db.select(DeviceToken, User)
        .join(User, User.id == DeviceToken.user_id)
        .where(DeviceToken.token_hash == hash_token(token))
    ).one_or_none()
    if row is None or row[0].revoked_at is not None:
        raise Unauthorized("Device token is invalid or revoked; link the extension again.")
    device, user = row
    now = utcnow()
    if device.last_used_at is None or now - device.last_used_at > timedelta(minutes=5):
        device.last_used_at = now  # throttled so ingest is not a write per request
        db.session.commit()
    return Principal(user.id, user.address, user.role, "device", frozenset(device.scopes.split()))


def _principal_from_header(header: str) -> Principal:
    """Parse ``Authorization: Bearer <token>`` into a principal, or raise 401."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Authorization header must be `Bearer <token>`.")
    if token.startswith(DEVICE_PREFIX):
        return _principal_from_device(token)
    if token.startswith(LAB_PREFIX):
        return _principal_from_lab_key(token)
    if token.startswith("lld_"):
        raise Unauthorized("This kind of token is not accepted here.")
    claims = decode_access_token(token)
    scopes = CONTRIBUTOR_SCOPES | ({"admin"} if claims.get("role") == "admin" else set())
    return Principal(int(claims["sub"]), claims["addr"], claims["role"], "access", scopes)


def load_identity() -> None:
    """before_request: remember the caller (or why the credentials failed) on ``g``."""
    g.principal, g.auth_error = None, None
    header = request.headers.get("Authorization")
    if not header:
        return
    try:
        g.principal = _principal_from_header(header)
    except ApiError as exc:
        g.auth_error = exc
    if g.principal is not None:
        g.current_user = g.principal


def current_principal(*scopes: str, kinds: tuple[str, ...] = ("access", "device")) -> Principal:
    """The caller, who must hold every scope given; 401 without credentials, 403 without rights."""
    principal = g.get("principal")
    if principal is None:
        raise g.get("auth_error") or Unauthorized("Sign in first: send `Authorization: Bearer`.")
    if principal.kind not in kinds:
        article = "An" if principal.kind[0] in "aeiou" else "A"
        raise Forbidden(f"{article} {principal.kind} token cannot be used for this endpoint.")
    missing = [s for s in scopes if s not in principal.scopes]
    if missing:
        raise Forbidden(f"This token lacks the scope(s): {', '.join(missing)}.")
    if "admin" in scopes:  # the token's role may be stale: a demotion counts at once
        role = db.session.scalar(db.select(User.role).where(User.id == principal.user_id))
        if role != "admin":
            raise Forbidden("This account is no longer an admin.")
    return principal


def auth_required(*scopes: str, kinds: tuple[str, ...] = ("access", "device")) -> Callable:
    """View decorator: require a principal with the scopes; the principal is ``g.principal``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            current_principal(*scopes, kinds=kinds)
            return view(*args, **kwargs)

        # Document the requirement on the OpenAPI operation, as flask-smorest's `doc` does.
        wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))
        wrapper._apidoc.setdefault("manual_doc", {})["security"] = [{"bearer": []}]
        return wrapper

    return decorator
