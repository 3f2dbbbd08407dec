"""Claims: exactly one EIP-712 voucher per claimable balance.

A claim covers everything credited so far (``cumulative_amount``), or ``VOUCHER_CAP``
more than was already claimed when the balance is larger; the contract pays the difference
to what the wallet already withdrew. Vouchers are signed by the signer process
(``server.rewards.signer_client``); this process never holds the key. ``claim`` is unique
per (user, cumulative amount) and appends a ``claim`` ledger entry in the same transaction,
so concurrent requests for one balance make one voucher and the others find nothing left
(409). An unpaid voucher
whose deadline passed is re-signed (same nonce, new deadline) instead: the contract accepts
a nonce once, so at most one of the two signatures can ever pay.
"""

import secrets
import time

from flask import current_app

from server.errors import Conflict, NotFound
from server.extensions import db
from server.models_base import utcnow
from server.rewards import ledger, signer_client
from server.rewards.models import Claim, LedgerEntry
from server.rewards.settlement import verify_redemption
from server.rewards.vouchers import Voucher, build_domain

ZERO_ADDRESS = "0x" + "00" * 20


def _signed(claim: Claim, address: str, deadline: int) -> dict:
    """``claim``'s voucher, signed by the signer process (uint256 values as decimal strings)."""
    contract = current_app.config.get("CLAIMS_CONTRACT") or None
    domain = build_domain(current_app.config["CHAIN_ID"], contract or ZERO_ADDRESS)
    voucher = Voucher(address, claim.cumulative_amount, claim.round_id or 0, claim.nonce, deadline)
    return signer_client.sign(domain, voucher)


def _latest(user_id: int) -> Claim | None:
    """The user's claim for the highest cumulative amount."""
    claims = db.session.scalars(db.select(Claim).where(Claim.user_id == user_id)).all()
    return max(claims, key=lambda c: c.cumulative_amount, default=None)


def _refresh_expired(claim: Claim | None, address: str) -> Claim | None:
    """Re-sign an unpaid, expired voucher with a new deadline (one winner under races)."""
    now = int(time.time())
    if claim is None or claim.status != "issued" or claim.deadline >= now:
        return None
    deadline = now + current_app.config["VOUCHER_TTL"]
    voucher = _signed(claim, address, deadline)
    updated = db.session.execute(
        db.update(Claim)
        .where(Claim.id == claim.id, Claim.deadline == claim.deadline)
        .values(deadline=deadline, voucher=voucher)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(claim)
    return claim if updated == 1 else None


def _issue(user_id: int, address: str, money: dict[str, int]) -> Claim:
    """Insert the claim for the claimable balance (at most ``VOUCHER_CAP`` of it: a larger
    balance is claimed in parts), its ledger entry and its voucher."""
    amount = min(money["claimable"], current_app.config["VOUCHER_CAP"])
    last_round = db.session.scalar(
        db.select(db.func.max(LedgerEntry.round_id)).where(
            LedgerEntry.user_id == user_id, LedgerEntry.kind == "credit"
        )
    )
    claim = Claim(
        user_id=user_id,
        amount=amount,
        cumulative_amount=money["claimed"] + amount,
        round_id=last_round,
        nonce=secrets.randbits(64),
        deadline=int(time.time()) + current_app.config["VOUCHER_TTL"],
        chain_id=current_app.config["CHAIN_ID"],
        contract=current_app.config.get("CLAIMS_CONTRACT") or None,
        status="issued",
    )
    db.session.add(claim)
    db.session.flush()  # a concurrent twin collides here on (user_id, cumulative_amount)
    claim.ledger_seq = ledger.append("claim", user_id, claim.amount).seq
    claim.voucher = _signed(claim, address, claim.deadline)
    return claim


def create_claim(user_id: int, address: str) -> Claim:
    """Issue the voucher for everything claimable (up to the cap); 409 when nothing is."""

    def work() -> Claim:
        ledger.lock_ledger()
        money = ledger.totals(user_id)
        if money["claimable"] > 0:
            return _issue(user_id, address, money)
        refreshed = _refresh_expired(_latest(user_id), address)
        if refreshed is None:
            raise Conflict(
                "Nothing to claim: every credited amount already has a voucher.",
                {"claimable": "0", "total_claimed": str(money["claimed"])},
            )
        return refreshed

    return ledger.in_transaction(work)


def list_claims(user_id: int) -> list[Claim]:
    """The user's claims, newest first."""
    return list(
        db.session.scalars(
            db.select(Claim).where(Claim.user_id == user_id).order_by(Claim.id.desc())
        )
    )


def mark_paid(user_id: int, address: str, claim_id: int, tx_hash: str) -> Claim:
    """Record the transaction that redeemed one of the user's vouchers (idempotent): ``paid``
    once the chain confirms it redeemed this voucher, ``unverified`` when no chain node is
    configured to ask."""
    claim = db.session.get(Claim, claim_id)
    if claim is None or claim.user_id != user_id:
        raise NotFound(f"You have no claim {claim_id}.")
    tx_hash = tx_hash.lower()
    if claim.status in ("paid", "unverified") and claim.tx_hash != tx_hash:
        raise Conflict(f"Claim {claim_id} is already recorded as paid by {claim.tx_hash}.")
    if claim.status == "paid":
        return claim
    confirmed = verify_redemption(tx_hash, claim.contract, address, claim.nonce)
    claim.status, claim.tx_hash = ("paid" if confirmed else "unverified"), tx_hash
    claim.paid_at = utcnow() if confirmed else None
    db.session.commit()
    return claim
