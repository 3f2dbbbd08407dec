"""Sign-in with Ethereum, token refresh/logout, and device tokens."""

from datetime import timedelta

from eth_utils import is_address, to_checksum_address
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from server.auth import credentials, revocation, siwe
from server.auth.credentials import Credential
from server.auth.identity import DEVICE_SCOPES, Principal
from server.auth.models import User
from server.auth.nonces import consume_nonce, issue_nonce
from server.auth.tokens import (
    issue_access_token,
    issue_refresh_token,
    require_live_family,
    revoke_everything,
    revoke_refresh_token,
    rotate_refresh_token,
)
from server.errors import Unauthorized, Unprocessable
from server.extensions import db
from server.models_base import utcnow


def request_nonce(address: str) -> dict:
    """Issue a nonce for the address and the full EIP-4361 message for the wallet to sign."""
    if not is_address(address):
        raise Unprocessable("Not an Ethereum address.", {"address": ["not a 20-byte hex address"]})
    address = to_checksum_address(address)
    cfg = current_app.config
    ttl = int(cfg["SIWE_NONCE_TTL"])  # the message expires with its nonce
    nonce = issue_nonce(address, ttl)
    now = utcnow().replace(microsecond=0)
    expires_at = now + timedelta(seconds=ttl)
    message = siwe.build_message(
        domain=cfg["SIWE_DOMAIN"],
        address=address,
        uri=cfg["SIWE_URI"],
        chain_id=int(cfg["CHAIN_ID"]),
        nonce=nonce,
        issued_at=now,
        statement=cfg["SIWE_STATEMENT"],
        expiration_time=expires_at,
    )
    return {"nonce": nonce, "message": message.to_text(), "expires_at": expires_at}


def _get_or_create_user(address: str) -> User:
    """The user for a wallet address, created on first sign-in. The insert skips an existing
    row instead of failing, so concurrent first sign-ins of one wallet all get the same user."""
    table = User.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(table)
        .values(address=address)  # column defaults fill the rest
        .on_conflict_do_nothing(index_elements=[table.c.address])
    )
    return db.session.execute(db.select(User).filter_by(address=address)).scalar_one()


def _payload(user: User, refresh_token: str, family: str) -> dict:
    """The sign-in response: a fresh access token of this sign-in beside its refresh token."""
    access, ttl = issue_access_token(user, family)
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ttl,
        "refresh_token": refresh_token,
        "address": user.address,
        "role": user.role,
    }


def sign_in(message: str, signature: str) -> dict:
    """Verify a signed EIP-4361 message and its nonce; return tokens for the signer."""
    cfg = current_app.config
    try:
        parsed = siwe.verify(
            message,
            signature,
            domain=cfg["SIWE_DOMAIN"],
            uri=cfg["SIWE_URI"],
            chain_id=int(cfg["CHAIN_ID"]),
            now=utcnow(),
        )
    except siwe.SiweError as exc:
        raise Unauthorized(f"Sign-in message rejected: {exc}", {exc.field: [str(exc)]}) from exc
    consume_nonce(parsed.nonce, parsed.address)
    user = _get_or_create_user(parsed.address)
    refresh_token, family = issue_refresh_token(user)
    db.session.commit()
    return _payload(user, refresh_token, family)


def refresh(refresh_token: str) -> dict:
    """Rotate a refresh token into a new token pair."""
    user, successor, family = rotate_refresh_token(refresh_token)
    return _payload(user, successor, family)


def logout(refresh_token: str, principal: Principal) -> None:
    """Revoke the caller's sign-in: its refresh tokens, the device tokens it issued, and the
    access token of this request."""
    revoke_refresh_token(refresh_token, principal.user_id)
    revocation.deny(principal.claims)


def logout_everywhere(principal: Principal) -> None:
    """Revoke every sign-in, device token and access token of the caller."""
    revoke_everything(principal.user_id)
    revocation.deny(principal.claims)


def create_device(user_id: int, name: str, family: str | None = None) -> tuple[Credential, str]:
    """Create an expiring device token for the extension under a sign-in (`family`, whose
    end revokes it; 401 once it has ended); the token itself is returned only now."""
    require_live_family(family)
    return credentials.issue(
        "device",
        DEVICE_SCOPES,
        user_id=user_id,
        name=name,
        family=family,
        expires_at=credentials.device_expiry(),
    )


def rotate_device(principal: Principal) -> tuple[Credential, str]:
    """Exchange the presented device token for a successor (the old one lives briefly on)."""
    return credentials.rotate(principal.key_id)


def list_devices(user_id: int) -> list[Credential]:
    """The user's device tokens, newest first."""
    return credentials.owned("device", user_id=user_id)


def revoke_device(user_id: int, device_id: int) -> None:
    """Revoke one of the user's device tokens (idempotent)."""
    credentials.revoke("device", device_id, user_id=user_id)
