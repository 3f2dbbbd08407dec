"""Who is calling: parse the bearer token once per request, then check it where required."""

from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from functools import wraps

from flask import g, request

from server.auth import credentials
from server.auth.models import User
from server.auth.tokens import decode_access_token
from server.errors import ApiError, Forbidden, Unauthorized
from server.extensions import db
from server.models_base import utcnow
from server.ttl_cache import app_cache, cache_ttl

CONTRIBUTOR_SCOPES = frozenset(
    {"feedback:write", "feedback:read", "me:read", "me:write", "devices:manage", "rewards"}
)
DEVICE_SCOPES = frozenset({"feedback:write", "feedback:read", "me:read"})


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
    key_id: int | None = None  # the credential's id (a lab key or a device token)
    family: str | None = None  # the sign-in (refresh family) of an access token
    claims: dict | None = field(default=None, compare=False)  # an access token's claims


def _principal_from_credential(token: str) -> Principal:
    """Resolve a device token to its user, or a lab key to its lab; 401 if neither is live.
    A live one is remembered for CREDENTIAL_CACHE_TTL seconds (its expiry still counts)."""
    cache = app_cache(credentials.CACHE)
    key = credentials.hash_token(token)
    principal, expires_at = cache.get_or_load(key, cache_ttl(), lambda: _resolved(token))
    if expires_at is not None and expires_at <= utcnow():
        cache.drop(key)
        principal, _ = _resolved(token)  # raises the expiry's 401
    return principal


def _resolved(token: str) -> tuple[Principal, object]:
    """The principal behind a live credential and when it expires; 401 if none is live."""
    credential = credentials.authenticate(token)
    return _principal_of(credential), credential.expires_at


def _principal_of(credential) -> Principal:
    """The principal a live credential (``credentials.authenticate``'s row) stands for."""
    scopes = frozenset(credential.scopes.split())
    if credential.kind == "lab":
        key = credential
        return Principal(0, f"lab-key:{key.id}", "lab", "lab", scopes, key.lab_id, key.id)
    return Principal(
        credential.user_id,
        credential.address,
        credential.role,
        "device",
        scopes,
        key_id=credential.id,
    )


def _principal_from_header(header: str) -> Principal:
    """Parse ``Authorization: Bearer <token>`` into a principal, or raise 401."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Authorization header must be `Bearer <token>`.")
    if credentials.kind_of(token):
        return _principal_from_credential(token)
    if token.startswith("lld_"):
        raise Unauthorized("This kind of token is not accepted here.")
    claims = decode_access_token(token)
    scopes = CONTRIBUTOR_SCOPES | ({"admin"} if claims.get("role") == "admin" else set())
    return Principal(
        int(claims["sub"]),
        claims["addr"],
        claims["role"],
        "access",
        scopes,
        family=claims.get("fam"),
        claims=claims,
    )


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
