"""Rewards tables: the append-only ledger, per-round Merkle roots and balances, claims.

Amounts are integers in the token's base units and may exceed 2**64 (1e27 must fit), so
they use ``Amount``: ``NUMERIC(78, 0)`` on PostgreSQL (any uint256 fits) and a canonical
decimal string on SQLite, whose NUMERIC affinity would silently turn big values into floats.
"""

from decimal import Decimal

from sqlalchemy.types import Numeric, String, TypeDecorator

from server.extensions import db
from server.models_base import UtcDateTime, utcnow

LEDGER_KINDS = ("credit", "claim", "royalty")
# "unverified": the holder reported a transaction no chain node was configured to check.
CLAIM_STATUSES = ("issued", "paid", "unverified")


class Amount(TypeDecorator):
    """A non-negative integer of up to 78 digits, read back as a Python ``int``."""

    impl = String(80)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        """NUMERIC(78, 0) where the database has exact big decimals, else a string."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(78, 0))
        return dialect.type_descriptor(String(80))

    def process_bind_param(self, value: int | None, dialect) -> str | Decimal | None:
        """Store ints only (never floats: they would round)."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"amounts are ints in base units, got {value!r}")
        return Decimal(value) if dialect.name == "postgresql" else str(value)

    def process_result_value(self, value: str | Decimal | None, dialect) -> int | None:
        """Read back an exact int."""
        return None if value is None else int(value)


class LedgerEntry(db.Model):
    """One append-only ledger line; ``hash`` covers it and the previous line's hash.

    The database refuses UPDATE and DELETE on this table (triggers, see
    ``server.rewards.triggers``); ``flask ledger verify`` recomputes the chain.
    """

    seq = db.Column(db.Integer, primary_key=True, autoincrement=False)
    kind = db.Column(db.String(16), nullable=False)
    round_id = db.Column(db.Integer, db.ForeignKey("training_round.id"), nullable=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    amount = db.Column(Amount(), nullable=False)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)
    prev_hash = db.Column(db.String(64), nullable=False)
    hash = db.Column(db.String(64), nullable=False, unique=True)

    __table_args__ = (
        db.CheckConstraint("kind IN ('credit', 'claim', 'royalty')", name="kind"),
        # One credit per (round, author): the database itself makes crediting idempotent.
        db.Index(
            "uq_ledger_entry_credit_round_user",
            "round_id",
            "user_id",
            unique=True,
            sqlite_where=db.text("kind = 'credit'"),
            postgresql_where=db.text("kind = 'credit'"),
        ),
    )


class RoundPool(db.Model):
    """The pool a round was credited from, fixed by its one crediting (reruns add nothing)."""

    round_id = db.Column(db.Integer, db.ForeignKey("training_round.id"), primary_key=True)
    pool = db.Column(Amount(), nullable=False)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)


class RoundRoot(db.Model):
    """A round's Merkle root over (address, cumulative credited amount through the round),
    published with the ledger head (seq and hash) the tree was built from."""

    round_id = db.Column(db.Integer, db.ForeignKey("training_round.id"), primary_key=True)
    root = db.Column(db.String(66), nullable=False)
    leaves = db.Column(db.Integer, nullable=False)
    total = db.Column(Amount(), nullable=False)
    ledger_seq = db.Column(db.Integer, nullable=True)
    ledger_hash = db.Column(db.String(64), nullable=True)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)


class RoundBalance(db.Model):
    """A leaf of a round's tree: an address and its cumulative credited amount."""

    round_id = db.Column(db.Integer, db.ForeignKey("training_round.id"), primary_key=True)
    address = db.Column(db.String(42), primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    cumulative_amount = db.Column(Amount(), nullable=False)


class Claim(db.Model):
    """A signed voucher for a cumulative amount; unique per (user, cumulative amount)."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    amount = db.Column(Amount(), nullable=False)
    cumulative_amount = db.Column(Amount(), nullable=False)
    round_id = db.Column(db.Integer, db.ForeignKey("training_round.id"), nullable=True)
    nonce = db.Column(Amount(), nullable=False)
    deadline = db.Column(db.BigInteger, nullable=False)
    chain_id = db.Column(db.BigInteger, nullable=False)
    contract = db.Column(db.String(42), nullable=True)
    voucher = db.Column(db.JSON, nullable=True)
    status = db.Column(db.String(16), nullable=False, default="issued")
    ledger_seq = db.Column(db.Integer, nullable=True)
    tx_hash = db.Column(db.String(66), nullable=True)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)
    paid_at = db.Column(UtcDateTime, nullable=True)

    __table_args__ = (db.UniqueConstraint("user_id", "cumulative_amount"),)
