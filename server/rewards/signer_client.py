"""The web side of voucher signing: ask the signer process over its unix socket.

Web workers never load the signer key; see ``server.rewards.signer_service``.
"""

from pathlib import Path

from flask import current_app

from server.errors import Conflict, ServiceUnavailable
from server.line_socket import exchange
from server.rewards.vouchers import Voucher

TIMEOUT_S = 10


def socket_path() -> Path:
    """Where the signer listens: ``SIGNER_SOCKET`` or ``<instance>/signer.sock``."""
    configured = current_app.config.get("SIGNER_SOCKET")
    return Path(configured or Path(current_app.instance_path) / "signer.sock")


def sign(domain: dict, voucher: Voucher) -> dict:
    """The signed voucher (uint256 values as decimal strings); 503 when the signer is down
    or its daily limit is reached, 409 when the voucher is above its cap."""
    message = {k: str(v) if isinstance(v, int) else v for k, v in voucher.message().items()}
    try:
        reply = exchange(socket_path(), {"domain": domain, "voucher": message}, TIMEOUT_S)
    except (OSError, ValueError):
        raise ServiceUnavailable(
            "The voucher signer is not reachable; retry shortly.", headers={"Retry-After": "5"}
        ) from None
    if reply.get("ok"):
        return reply["signed"]
    if reply.get("reason") == "cap":
        raise Conflict(reply.get("message", "The voucher is above the signer's cap."))
    retry = {"Retry-After": "3600"} if reply.get("reason") == "daily" else {}
    raise ServiceUnavailable(reply.get("message", "The signer refused the voucher."), headers=retry)
