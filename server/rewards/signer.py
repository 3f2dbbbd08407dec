"""Where the voucher signer's key lives: the development keystore, created on demand.

Production needs ``SIGNER_KEY_FILE`` and ``SIGNER_KEY_PASSWORD`` in the signer process's
environment (``server.rewards.signer_service``), never in the web's. Elsewhere both default to
a development keystore at ``<instance>/signer-keystore.json`` with a well-known password,
which ``ensure_dev_signer`` creates (``flask setup`` calls it); never fund a contract that
trusts it.
"""

import logging
from pathlib import Path

from server.config import SignerSettings
from server.rewards.vouchers import create_keystore

logger = logging.getLogger(__name__)
DEV_KEYSTORE = "signer-keystore.json"
DEV_PASSWORD = "liftledger-dev-signer-not-secret"


def keystore_location(settings: SignerSettings) -> tuple[Path, str] | None:
    """(keystore path, password): as configured, the dev defaults outside production, or None."""
    if settings.env_name == "production":
        if settings.key_file and settings.password:
            return settings.key_file, settings.password
        return None
    path = settings.key_file or settings.instance / DEV_KEYSTORE
    return path, settings.password or DEV_PASSWORD


def ensure_dev_signer(settings: SignerSettings) -> Path | None:
    """Create the development keystore if it is missing (never in production); its path."""
    location = keystore_location(settings)
    if settings.env_name == "production" or location is None:
        return None
    path, password = location
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        account = create_keystore(path, password)
        logger.info("created development voucher signer %s at %s", account.address, path)
    return path
