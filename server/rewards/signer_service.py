"""The voucher signer: the one process that holds the signer key, signing vouchers for the
web workers over a unix socket, within a per-voucher cap and a daily limit.

    python -m server.rewards.signer_service      (``make run`` and compose start it)

A web-tier breach can then ask for vouchers but never read the key, and what it can get is
bounded: the signer remembers, in its own SQLite file, the highest cumulative amount it
signed per claimant, so each voucher's *increment* over that is known to it whatever the web
says; an increment above ``VOUCHER_CAP`` is refused, and so is one that would take the last
24 hours' increments above ``SIGNER_DAILY_LIMIT``. Re-signing the same amount (a new
deadline) adds nothing. Vouchers are signed only for the ``LiftClaims`` domain on the
configured chain (and contract, when one is configured).

Protocol: one JSON object per line each way. Request ``{"domain": {...}, "voucher":
{"claimant", "cumulativeAmount", "round", "nonce", "deadline"}}`` (uint256 values as decimal
strings); answer ``{"ok": true, "signed": {...}}`` or ``{"ok": false, "reason": "cap" |
"daily" | "invalid", "message": "..."}``. Requests are served one at a time, so the limits
are checked and recorded atomically.
"""

import contextlib
import json
import logging
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path

from eth_account.signers.local import LocalAccount

from server.config import SignerSettings, signer_settings
from server.line_socket import PrivateLineServer
from server.rewards.signer import ensure_dev_signer, keystore_location
from server.rewards.vouchers import DOMAIN_NAME, DOMAIN_VERSION, Voucher, load_signer, sign_voucher

logger = logging.getLogger(__name__)
DAY_S = 24 * 3600
MAX_REQUEST = 64 * 1024


class Refused(Exception):
    """A voucher the signer will not sign; ``reason`` is cap, daily or invalid."""

    def __init__(self, reason: str, message: str) -> None:
        """Keep the reason code and a message for the web tier."""
        super().__init__(message)
        self.reason, self.message = reason, message


class Signer:
    """Signs vouchers with ``account`` within the caps, recording what it signed."""

    def __init__(
        self,
        account: LocalAccount,
        state_file: Path,
        voucher_cap: int,
        daily_limit: int,
        chain_id: int | None = None,
        contract: str | None = None,
    ) -> None:
        """Open (or create) the record of signed vouchers."""
        self.account, self.voucher_cap, self.daily_limit = account, voucher_cap, daily_limit
        self.chain_id, self.contract = chain_id, contract
        self.db = sqlite3.connect(state_file, check_same_thread=False)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS signed (claimant TEXT NOT NULL, cumulative TEXT NOT NULL,"
            " increment TEXT NOT NULL, nonce TEXT NOT NULL, at REAL NOT NULL)"
        )
        self.db.commit()

    def _check_domain(self, domain: dict) -> None:
        """Only LiftClaims v1 on the configured chain (and contract)."""
        wrong = (
            domain.get("name") != DOMAIN_NAME
            or domain.get("version") != DOMAIN_VERSION
            or (self.chain_id is not None and domain.get("chainId") != self.chain_id)
            or (
                self.contract is not None
                and str(domain.get("verifyingContract", "")).lower() != self.contract.lower()
            )
        )
        if wrong:
            raise Refused("invalid", "The signer does not sign for this EIP-712 domain.")

    def _increment(self, voucher: Voucher) -> int:
        """How much this voucher adds to the most this signer signed for the claimant."""
        rows = self.db.execute(
            "SELECT cumulative FROM signed WHERE claimant = ?", (voucher.claimant,)
        )
        highest = max((int(value) for (value,) in rows), default=0)
        return max(0, voucher.cumulative_amount - highest)

    def _signed_today(self) -> int:
        """The increments signed in the last 24 hours."""
        rows = self.db.execute("SELECT increment FROM signed WHERE at > ?", (time.time() - DAY_S,))
        return sum(int(value) for (value,) in rows)

    def sign(self, request: dict) -> dict:
        """Sign one request's voucher, or raise ``Refused``."""
        try:
            domain, fields = dict(request["domain"]), dict(request["voucher"])
            voucher = Voucher(
                fields["claimant"],
                *(int(fields[k]) for k in ("cumulativeAmount", "round", "nonce", "deadline")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise Refused("invalid", f"Not a voucher request: {error}") from None
        self._check_domain(domain)
        increment = self._increment(voucher)
        if increment > self.voucher_cap:
            raise Refused("cap", f"A voucher adds at most {self.voucher_cap} base units.")
        if increment and self._signed_today() + increment > self.daily_limit:
            raise Refused("daily", "The signer's daily limit is reached; retry later.")
        signed = sign_voucher(self.account, domain, voucher)
        values = (voucher.claimant, str(voucher.cumulative_amount), str(increment))
        self.db.execute(
            "INSERT INTO signed VALUES (?, ?, ?, ?, ?)", (*values, str(voucher.nonce), time.time())
        )
        self.db.commit()
        signed["message"] = {
            k: str(v) if isinstance(v, int) else v for k, v in signed["message"].items()
        }
        logger.info("signed voucher for %s (+%d)", voucher.claimant, increment)
        return signed

    def answer(self, line: bytes) -> dict:
        """The reply to one request line."""
        try:
            return {"ok": True, "signed": self.sign(json.loads(line))}
        except Refused as refused:
            return {"ok": False, "reason": refused.reason, "message": refused.message}
        except ValueError as error:  # not JSON
            return {"ok": False, "reason": "invalid", "message": f"Not JSON: {error}"}


class SignerServer(PrivateLineServer):
    """The signer's socket: one request at a time, so the caps and limits stay atomic."""

    max_request = MAX_REQUEST
    connection_timeout = 10.0

    def __init__(self, path: Path, signer: Signer) -> None:
        """Bind ``path`` for ``signer``."""
        super().__init__(path, signer)
        self.signer = signer


def build(settings: SignerSettings) -> Signer:
    """The signer its settings describe (the development keystore is created if missing)."""
    ensure_dev_signer(settings)
    location = keystore_location(settings)
    if location is None:
        raise SystemExit("Set SIGNER_KEY_FILE and SIGNER_KEY_PASSWORD for the voucher signer.")
    path, password = location
    if not path.exists():
        raise SystemExit(f"No signer keystore at {path}: create it with `flask ledger new-signer`.")
    try:
        account = load_signer(path, password)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    state = settings.state_file or path.with_name(path.stem + "-signed.sqlite3")
    return Signer(
        account,
        state,
        settings.voucher_cap,
        settings.daily_limit,
        settings.chain_id,
        settings.contract,
    )


def main() -> int:
    """Serve until interrupted."""
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), stream=sys.stdout)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # close the socket on the way out
    settings = signer_settings()
    signer = build(settings)
    with SignerServer(settings.socket, signer) as server:
        logger.info("voucher signer %s on %s", signer.account.address, settings.socket)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
