"""Request and response schemas for sign-in, tokens, devices and the profile."""

import marshmallow as ma
from marshmallow import validate

from server.fields import Text


class NonceRequest(ma.Schema):
    """Ask for a nonce for a wallet address."""

    address = Text(
        required=True,
        validate=validate.Regexp(r"^0x[0-9a-fA-F]{40}$", error="not a 20-byte hex address"),
    )


class NonceResponse(ma.Schema):
    """A nonce and the EIP-4361 message to sign."""

    nonce = Text()
    message = Text()
    expires_at = ma.fields.DateTime()


class VerifyRequest(ma.Schema):
    """A signed EIP-4361 message (text, or hex as MetaMask's personal_sign sends it)."""

    message = Text(required=True, validate=validate.Length(min=1, max=8192))
    signature = Text(required=True, validate=validate.Length(min=1, max=200))


class TokenResponse(ma.Schema):
    """Access and refresh tokens."""

    access_token = Text()
    token_type = Text()
    expires_in = ma.fields.Integer()
    refresh_token = Text()
    address = Text()
    role = Text()


class RefreshRequest(ma.Schema):
    """A refresh token to rotate or revoke."""

    # Long enough that any token sent by mistake (an access JWT) gets 401, not a length error.
    refresh_token = Text(required=True, validate=validate.Length(min=1, max=4096))


class DeviceRequest(ma.Schema):
    """Name a new device (e.g. 'Chrome on laptop')."""

    name = Text(load_default="browser extension", validate=validate.Length(1, 80))


class DeviceSchema(ma.Schema):
    """A device token's metadata (never the token itself)."""

    id = ma.fields.Integer()
    name = Text()
    prefix = Text()
    scopes = ma.fields.Function(lambda d: d.scopes.split())
    created_at = ma.fields.DateTime()
    last_used_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    expires_at = ma.fields.DateTime(allow_none=True)
    rotated_at = ma.fields.DateTime(allow_none=True)


class NewDeviceSchema(DeviceSchema):
    """A freshly created device, with its token shown once."""

    token = Text()
