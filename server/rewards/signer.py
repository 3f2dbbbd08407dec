"""The service's voucher signer: where its keystore lives, loading it once, a dev keystore.

Production needs ``SIGNER_KEY_FILE`` and ``SIGNER_KEY_PASSWORD``. Elsewhere both default to a
development keystore at ``<instance>/signer-keystore.json`` with a well-known password, which
``ensure_dev_signer`` creates (``flask setup`` calls it); never fund a contract that trusts it.
"""

import logging
import threading
from pathlib import Path

from eth_account.signers.local import LocalAccount
from flask import Flask, current_app

from server.errors import ServiceUnavailable
from server.rewards.vouchers import create_keystore, load_signer

logger = logging.getLogger(__name__)
DEV_KEYSTORE = "signer-keystore.json"
DEV_PASSWORD = "liftledger-dev-signer-not-secret"
_lock = threading.Lock()


def keystore_settings(app: Flask) -> tuple[Path, str] | None:
    """(keystore path, password) from config, the dev defaults outside production, or None."""
    path, password = app.config.get("SIGNER_KEY_FILE"), app.config.get("SIGNER_KEY_PASSWORD")
    if app.config["ENV_NAME"] == "production":
        return (Path(path), password) if path and password else None
    return Path(path or Path(app.instance_path) / DEV_KEYSTORE), password or DEV_PASSWORD


def ensure_dev_signer(app: Flask) -> Path | None:
    """Create the development keystore if it is missing (never in production); its path."""
    settings = keystore_settings(app)
    if app.config["ENV_NAME"] == "production" or settings is None:
        return None
    path, password = settings
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        account = create_keystore(path, password)
        logger.info("created development voucher signer %s at %s", account.address, path)
    return path


def get_signer() -> LocalAccount:
    """The signing account, decrypted once per process and key file."""
    settings = keystore_settings(current_app)
    if settings is None:
        raise ServiceUnavailable(
            "Claims are not configured: set SIGNER_KEY_FILE and SIGNER_KEY_PASSWORD."
        )
    path, password = settings
    cache = current_app.extensions.setdefault("liftledger_signers", {})
    with _lock:
        if (str(path), password) not in cache:
            if not path.exists():
                raise ServiceUnavailable(f"Voucher signer keystore {path} is missing.")
            try:
                cache[(str(path), password)] = load_signer(path, password)
            except ValueError as error:
                logger.error("%s", error)
                raise ServiceUnavailable("The voucher signer cannot be unlocked.") from None
        return cache[(str(path), password)]
