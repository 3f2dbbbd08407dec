"""Rewards services: credit a round's pool, Merkle roots and proofs, a user's earnings.

Claims live in ``server.rewards.claims``.
"""

import logging
import math
from collections import defaultdict
from fractions import Fraction

from flask import current_app

from server.auth.models import User
from server.errors import NotFound, Unprocessable
from server.extensions import db
from server.rewards import ledger
from server.rewards.balance_merkle import MerkleTree, to_eip55
from server.rewards.models import LedgerEntry, RoundBalance, RoundPool, RoundRoot
from server.rounds.models import AuthorValue, TrainingRound

logger = logging.getLogger(__name__)


def split_pool(pool: int, weights: dict[int, float]) -> dict[int, int]:
    """Split ``pool`` base units in proportion to the positive weights (largest remainder).

    Each weight is read as the shortest decimal that round-trips its float (``1e-9`` is
    exactly 10**-9, not the binary float's long tail); leftover units go to the largest
    fractional parts, ties to the lower user id, so the result is deterministic and sums to
    ``pool`` whenever some weight is positive. Non-positive weights get nothing.
    """
    if isinstance(pool, bool) or not isinstance(pool, int) or pool < 0:
        raise ValueError(f"pool must be a non-negative int, got {pool!r}")
    exact: dict[int, Fraction] = {}
    for user_id, weight in weights.items():
        weight = float(weight)
        if not math.isfinite(weight):
            raise ValueError(f"weight of user {user_id} is not finite: {weight!r}")
        if weight > 0:
            exact[int(user_id)] = Fraction(repr(weight))
    total = sum(exact.values(), Fraction(0))
    if not exact or pool == 0:
        return {}
    shares = {uid: pool * w / total for uid, w in exact.items()}
    floors = {uid: math.floor(s) for uid, s in shares.items()}
    leftover = pool - sum(floors.values())
    order = sorted(shares, key=lambda uid: (-(shares[uid] - floors[uid]), uid))
    for uid in order[:leftover]:
        floors[uid] += 1
    return {uid: amount for uid, amount in floors.items() if amount > 0}


def credit_round(round_id: int, weights: dict[int, float]) -> list[LedgerEntry]:
    """Credit round ``round_id``'s pool by ``weights`` and store its Merkle root.

    A round is credited once: the first call that credits anyone records the round's pool
    and its entries in one transaction; any later call, with whatever weights, appends
    nothing, so a round's credits never exceed its pool (a partial unique index also keeps
    one credit per (round, author)). Returns the entries appended by this call.
    """
    if db.session.get(TrainingRound, round_id) is None:
        raise NotFound(f"No round {round_id}.")
    pool = current_app.config["REWARD_POOL_PER_ROUND"]
    allocation = split_pool(pool, weights)

    def work() -> list[LedgerEntry]:
        ledger.lock_ledger()
        appended: list[LedgerEntry] = []
        if db.session.get(RoundPool, round_id) is None and allocation:
            db.session.add(RoundPool(round_id=round_id, pool=pool))
            db.session.flush()  # a concurrent first crediting collides here and retries
            appended = [
                ledger.append("credit", uid, amount, round_id)
                for uid, amount in sorted(allocation.items())
            ]
        if appended or db.session.get(RoundRoot, round_id) is None:
            _store_root(round_id)
        return appended

    entries = ledger.in_transaction(work)
    logger.info("round %s: %d credit entries appended", round_id, len(entries))
    return entries


def verify_pools() -> list[str]:
    """Each round's credits sum to at most the pool it was credited from; what breaks that."""
    sums: dict[int, int] = defaultdict(int)
    rows = db.session.execute(
        db.select(LedgerEntry.round_id, LedgerEntry.amount).where(LedgerEntry.kind == "credit")
    )
    for round_id, amount in rows:
        sums[round_id] += amount
    pools = dict(db.session.execute(db.select(RoundPool.round_id, RoundPool.pool)).all())
    problems = []
    for round_id, total in sorted(sums.items(), key=lambda item: item[0] or 0):
        if round_id not in pools:
            problems.append(f"round {round_id}: credited {total} without a recorded pool")
        elif total > pools[round_id]:
            problems.append(f"round {round_id}: credited {total} > its pool {pools[round_id]}")
    return problems


def _balances_through(round_id: int) -> dict[int, int]:
    """Cumulative credited amount per user over rounds ``<= round_id``."""
    totals: dict[int, int] = defaultdict(int)
    rows = db.session.execute(
        db.select(LedgerEntry.user_id, LedgerEntry.amount).where(
            LedgerEntry.kind == "credit", LedgerEntry.round_id <= round_id
        )
    )
    for user_id, amount in rows:
        totals[user_id] += amount
    return dict(totals)


def _store_root(round_id: int) -> None:
    """(Re)build round ``round_id``'s tree from the ledger and store its root and leaves."""
    balances = _balances_through(round_id)
    db.session.execute(db.delete(RoundBalance).where(RoundBalance.round_id == round_id))
    existing = db.session.get(RoundRoot, round_id)
    if existing is not None:
        db.session.delete(existing)
    db.session.flush()
    if not balances:
        return
    query = db.select(User.id, User.address).where(User.id.in_(balances))
    addresses = dict(db.session.execute(query).all())
    leaves = {addresses[uid]: amount for uid, amount in balances.items()}
    tree = MerkleTree.from_balances(leaves)
    db.session.add_all(
        RoundBalance(round_id=round_id, address=addresses[uid], user_id=uid, cumulative_amount=a)
        for uid, a in balances.items()
    )
    root = "0x" + tree.root.hex()
    seq, head = ledger.head()
    db.session.add(
        RoundRoot(
            round_id=round_id,
            root=root,
            leaves=len(tree),
            total=sum(balances.values()),
            ledger_seq=seq,
            ledger_hash=head,
        )
    )
    db.session.flush()


def round_root(round_id: int) -> str | None:
    """The round's Merkle root as ``0x`` hex, or None when it has none (yet)."""
    return round_roots([round_id]).get(round_id)


def round_roots(round_ids: list[int]) -> dict[int, str]:
    """The Merkle roots of those of these rounds that have one, in one query."""
    if not round_ids:
        return {}
    query = db.select(RoundRoot.round_id, RoundRoot.root).where(RoundRoot.round_id.in_(round_ids))
    return {round_id: root for round_id, root in db.session.execute(query)}


def proof(round_id: int, address: str) -> dict:
    """``address``'s leaf in round ``round_id``'s tree, with the proof for ``claimWithProof``."""
    try:
        address = to_eip55(address)
    except ValueError as error:
        raise Unprocessable("Not an Ethereum address.", {"address": [str(error)]}) from None
    root = db.session.get(RoundRoot, round_id)
    if root is None:
        raise NotFound(f"Round {round_id} has no Merkle root (unknown or not credited yet).")
    rows = db.session.execute(
        db.select(RoundBalance.address, RoundBalance.cumulative_amount).where(
            RoundBalance.round_id == round_id
        )
    ).all()
    balances = dict(rows)
    if address not in balances:
        raise NotFound(f"{address} has no balance in round {round_id}.")
    tree = MerkleTree.from_balances(balances)
    path = tree.proof_for(address, balances[address])
    return {
        "round_id": round_id,
        "address": address,
        "cumulative_amount": balances[address],
        "root": root.root,
        "ledger_seq": root.ledger_seq,
        "ledger_hash": root.ledger_hash,
        "proof": ["0x" + node.hex() for node in path],
    }


def earnings(user_id: int) -> dict:
    """``GET /me/earnings``: totals and one line per round the user was credited in."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    rows = db.session.execute(
        db.select(LedgerEntry, TrainingRound, AuthorValue, RoundRoot.root)
        .join(TrainingRound, TrainingRound.id == LedgerEntry.round_id)
        .outerjoin(
            AuthorValue,
            (AuthorValue.round_id == LedgerEntry.round_id) & (AuthorValue.user_id == user_id),
        )
        .outerjoin(RoundRoot, RoundRoot.round_id == LedgerEntry.round_id)
        .where(LedgerEntry.user_id == user_id, LedgerEntry.kind == "credit")
        .order_by(LedgerEntry.round_id.desc())
    ).all()
    money = ledger.totals(user_id)
    return {
        "address": user.address,
        "total_credited": money["credited"],
        "total_claimed": money["claimed"],
        "claimable": money["claimable"],
        "rounds": [
            {
                "round_id": entry.round_id,
                "credited": entry.amount,
                "lift": value.lift if value else None,
                "reliability": value.reliability if value else None,
                "preferences": value.preferences if value else None,
                "finished_at": round_.finished_at,
                "merkle_root": root,
            }
            for entry, round_, value, root in rows
        ],
    }
