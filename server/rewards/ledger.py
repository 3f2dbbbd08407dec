"""The hash-chained, append-only ledger.

Canonical encoding of an entry (what ``hash`` covers): the UTF-8 bytes of the JSON object

    {"amount":"<decimal>","created_at":"YYYY-MM-DDTHH:MM:SS.ffffffZ","kind":"credit",
     "prev_hash":"<64 hex>","round_id":<int or null>,"seq":<int>,"user_id":<int>}

with keys sorted, no whitespace, the amount as a decimal string (it may exceed 2**53) and
the time in UTC with microseconds. ``hash = sha256(encoding)`` in lower-case hex;
``prev_hash`` is the previous entry's ``hash`` (64 zeros for ``seq`` 1). Sequence numbers
start at 1 and have no gaps, so a deleted, altered, reordered or inserted line shows.

Appending is safe under concurrency: ``seq`` is the primary key, so two writers that read
the same head collide and ``in_transaction`` retries the loser from the start; on PostgreSQL
an advisory transaction lock queues writers first so they rarely collide at all.
"""

import hashlib
import json
import logging
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError

from server.errors import ServiceUnavailable
from server.extensions import db
from server.models_base import utcnow
from server.rewards.models import LEDGER_KINDS, LedgerEntry

logger = logging.getLogger(__name__)
GENESIS = "0" * 64
LOCK_KEY = 0x4C69667453454E  # any constant; names the ledger's advisory lock
T = TypeVar("T")


def canonical(
    seq: int,
    kind: str,
    round_id: int | None,
    user_id: int,
    amount: int,
    created_at: datetime,
    prev_hash: str,
) -> bytes:
    """The exact bytes an entry's hash covers (see the module docstring)."""
    stamp = created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = {
        "amount": str(int(amount)),
        "created_at": stamp,
        "kind": kind,
        "prev_hash": prev_hash,
        "round_id": round_id,
        "seq": seq,
        "user_id": user_id,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(entry: LedgerEntry) -> str:
    """Recompute ``entry``'s hash from its stored fields."""
    data = canonical(
        entry.seq,
        entry.kind,
        entry.round_id,
        entry.user_id,
        entry.amount,
        entry.created_at,
        entry.prev_hash,
    )
    return hashlib.sha256(data).hexdigest()


def lock_ledger() -> None:
    """Queue ledger writers on PostgreSQL (released at commit); SQLite serialises writes."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def head() -> tuple[int, str]:
    """The latest entry's (seq, hash); (0, GENESIS) on an empty ledger."""
    row = db.session.execute(
        db.select(LedgerEntry.seq, LedgerEntry.hash).order_by(LedgerEntry.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def append(kind: str, user_id: int, amount: int, round_id: int | None = None) -> LedgerEntry:
    """Add one entry after the current head, in the caller's transaction (not committed)."""
    if kind not in LEDGER_KINDS:
        raise ValueError(f"kind must be one of {LEDGER_KINDS}, not {kind!r}")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError(f"amount must be a positive int in base units, got {amount!r}")
    last, prev_hash = head()
    seq = last + 1
    entry = LedgerEntry(
        seq=seq,
        kind=kind,
        round_id=round_id,
        user_id=user_id,
        amount=amount,
        created_at=utcnow(),
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(entry)
    db.session.add(entry)
    db.session.flush()
    return entry


def in_transaction(work: Callable[[], T], attempts: int = 30) -> T:
    """Run ``work`` and commit; on a write collision roll back and run it again.

    ``work`` must read what it decides on inside itself, so a retry sees the winner's rows.
    Unique-key collisions are retried up to ``attempts`` times; a locked or unavailable
    database (which already waited its busy timeout) only twice more, then 503.
    Service errors (``ApiError``) roll back and propagate unchanged.
    """
    locked = 0
    for attempt in range(1, attempts + 1):
        try:
            result = work()
            db.session.commit()
            return result
        except (IntegrityError, OperationalError) as error:
            db.session.rollback()
            logger.info("ledger write collided (attempt %d): %s", attempt, error.orig)
            locked += isinstance(error, OperationalError)
            if locked > 2:
                break
            time.sleep(random.uniform(0, 0.005 * attempt))
        except BaseException:
            db.session.rollback()
            raise
    raise ServiceUnavailable("The ledger is busy; retry shortly.", headers={"Retry-After": "1"})


def totals(user_id: int) -> dict[str, int]:
    """The user's credited and claimed totals, and what is left to claim."""
    sums = {"credit": 0, "claim": 0, "royalty": 0}
    rows = db.session.execute(
        db.select(LedgerEntry.kind, LedgerEntry.amount).where(LedgerEntry.user_id == user_id)
    )
    for kind, amount in rows:
        sums[kind] += amount
    credited = sums["credit"] + sums["royalty"]
    return {"credited": credited, "claimed": sums["claim"], "claimable": credited - sums["claim"]}


def verify_claims() -> list[str]:
    """Books per claimant: nobody claimed more than they were credited (rounds and
    royalties). Returns each over-claimed user (empty: none is)."""
    sums: dict[tuple[int, str], int] = defaultdict(int)
    for user_id, kind, amount in db.session.execute(
        db.select(LedgerEntry.user_id, LedgerEntry.kind, LedgerEntry.amount)
    ):
        sums[user_id, kind] += amount
    users = sorted({user_id for user_id, _ in sums})
    problems = []
    for user_id in users:
        credited = sums[user_id, "credit"] + sums[user_id, "royalty"]
        if sums[user_id, "claim"] > credited:
            problems.append(
                f"user {user_id}: claimed {sums[user_id, 'claim']} > credited {credited}"
            )
    return problems


@dataclass(frozen=True)
class Breach:
    """The first ledger entry that does not check out, and why."""

    seq: int
    reason: str


def _entries(batch: int = 1000) -> Iterator[LedgerEntry]:
    """Every entry in sequence order, read in batches."""
    query = db.select(LedgerEntry).order_by(LedgerEntry.seq).execution_options(yield_per=batch)
    yield from db.session.scalars(query)


def verify() -> tuple[int, Breach | None]:
    """Recompute the chain: (entries checked, the first breach or None)."""
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for entry in _entries():
        count += 1
        if entry.seq != expected_seq:
            return count, Breach(expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return count, Breach(entry.seq, "prev_hash does not match the previous entry's hash")
        if entry_hash(entry) != entry.hash:
            return count, Breach(entry.seq, "hash does not match the entry's contents")
        expected_seq, prev_hash = expected_seq + 1, entry.hash
    return count, None
