"""Request and response schemas for sign-in, tokens, devices and the profile."""

import marshmallow as ma
from marshmallow import validate


class NonceRequest(ma.Schema):
    """Ask for a nonce for a wallet address."""

    address = ma.fields.String(required=True, validate=validate.Length(max=64))


class NonceResponse(ma.Schema):
    """A nonce and the EIP-4361 message to sign."""

    nonce = ma.fields.String()
    message = ma.fields.String()
    expires_at = ma.fields.DateTime()


class VerifyRequest(ma.Schema):
    """A signed EIP-4361 message (text, or hex as MetaMask's personal_sign sends it)."""

    message = ma.fields.String(required=True, validate=validate.Length(min=1, max=8192))
    signature = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenResponse(ma.Schema):
    """Access and refresh tokens."""

    access_token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer()
    refresh_token = ma.fields.String()
    address = ma.fields.String()
    role = ma.fields.String()


class RefreshRequest(ma.Schema):
    """A refresh token to rotate or revoke."""

    # Long enough that any token sent by mistake (an access JWT) gets 401, not a length error.
    refresh_token = ma.fields.String(required=True, validate=validate.Length(min=1, max=4096))


class DeviceRequest(ma.Schema):
    """Name a new device (e.g. 'Chrome on laptop')."""

    name = ma.fields.String(load_default="browser extension", validate=validate.Length(1, 80))


class DeviceSchema(ma.Schema):
    """A device token's metadata (never the token itself)."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    prefix = ma.fields.String()
    scopes = ma.fields.Function(lambda d: d.scopes.split())
    created_at = ma.fields.DateTime()
    last_used_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)


class NewDeviceSchema(DeviceSchema):
    """A freshly created device, with its token shown once."""

    token = ma.fields.String()
