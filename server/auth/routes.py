"""/api/v1/auth: SIWE nonce/verify, refresh, logout (here or everywhere), device tokens."""

from flask import current_app, g
from flask.views import MethodView

from server.auth import schemas, services
from server.auth.identity import auth_required
from server.extensions import limiter
from server.openapi import Blueprint

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in and tokens")


def _auth_limit() -> str:
    """Per-IP limit for unauthenticated auth endpoints."""
    return current_app.config["RATELIMIT_AUTH"]


@blp.route("/nonce", methods=["POST"])
@limiter.limit(_auth_limit)
@blp.arguments(schemas.NonceRequest)
@blp.response(200, schemas.NonceResponse)
def nonce(body: dict):
    """Get a single-use nonce and the EIP-4361 message for a wallet to sign."""
    return services.request_nonce(body["address"])


@blp.route("/verify", methods=["POST"])
@limiter.limit(_auth_limit)
@blp.arguments(schemas.VerifyRequest)
@blp.response(200, schemas.TokenResponse)
def verify(body: dict):
    """Exchange a signed EIP-4361 message for an access JWT and a refresh token."""
    return services.sign_in(body["message"], body["signature"])


@blp.route("/refresh", methods=["POST"])
@limiter.limit(_auth_limit)
@blp.arguments(schemas.RefreshRequest)
@blp.response(200, schemas.TokenResponse)
def refresh(body: dict):
    """Rotate a refresh token: the old one is spent, a new pair is returned."""
    return services.refresh(body["refresh_token"])


@blp.route("/logout", methods=["POST"])
@auth_required(kinds=("access",))
@blp.arguments(schemas.RefreshRequest)
@blp.response(204)
def logout(body: dict):
    """Revoke this sign-in: its refresh tokens, its device tokens and this access token."""
    services.logout(body["refresh_token"], g.principal)


@blp.route("/logout-everywhere", methods=["POST"])
@auth_required(kinds=("access",))
@blp.response(204)
def logout_everywhere():
    """Sign out everywhere: every sign-in, device token and access token of this wallet."""
    services.logout_everywhere(g.principal)


@blp.route("/devices")
class Devices(MethodView):
    """The caller's device tokens (for the browser extension)."""

    @auth_required("devices:manage", kinds=("access",))
    @blp.arguments(schemas.DeviceRequest)
    @blp.response(201, schemas.NewDeviceSchema)
    def post(self, body: dict):
        """Create a device token scoped to writing feedback; the token is shown only once."""
        principal = g.principal
        device, token = services.create_device(principal.user_id, body["name"], principal.family)
        device.token = token  # shown once; never stored
        return device

    @auth_required("devices:manage", kinds=("access",))
    @blp.response(200, schemas.DeviceSchema(many=True))
    def get(self):
        """List device tokens, revoked ones included."""
        return services.list_devices(g.principal.user_id)


@blp.route("/devices/rotate", methods=["POST"])
@auth_required(kinds=("device",))
@blp.response(201, schemas.NewDeviceSchema)
def rotate_device():
    """Exchange this device token for a new one with a full lifetime; this one stays valid
    for a short grace period, and may not be rotated again."""
    device, token = services.rotate_device(g.principal)
    device.token = token  # shown once; never stored
    return device


@blp.route("/devices/<id:device_id>", methods=["DELETE"])
@auth_required("devices:manage", kinds=("access",))
@blp.response(204)
def revoke_device(device_id: int):
    """Revoke a device token; the extension using it stops being accepted at once."""
    services.revoke_device(g.principal.user_id, device_id)
