"""money: lab balances and charges, round pools, ledger head with each root, per-lab names

Revision ID: 0008_money
Revises: 0007_service
Create Date: 2026-12-01 08:46:40

Existing downloads were sent in full (they are ``complete``). Royalties credited before labs
had balances get a matching charge, which leaves the lab owing that amount (a negative
balance an admin settles with ``flask labs credit``). Rounds credited before pools were
recorded get the configured pool, so ``flask ledger verify`` shows any that paid more.
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

import server.models_base
from server.sqlite_pragmas import foreign_keys_off_in_migration
import server.rewards.models

revision = "0008_money"
down_revision = "0007_service"
branch_labels = None
depends_on = None

TS = server.models_base.UtcDateTime(timezone=True)
AMOUNT = server.rewards.models.Amount(length=80)
DEFAULT_POOL = 1_000 * 10**18



def upgrade():
    with foreign_keys_off_in_migration():
        _upgrade()


def _upgrade():
    op.create_table(
        "round_pool",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("pool", AMOUNT, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["training_round.id"], name=op.f("fk_round_pool_round_id_training_round")
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_round_pool")),
    )
    op.create_table(
        "lab_transaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lab_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount", AMOUNT, nullable=False),
        sa.Column("download_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint(
            "(kind = 'charge') = (download_id IS NOT NULL)",
            name=op.f("ck_lab_transaction_charge_has_download"),
        ),
        sa.CheckConstraint("kind IN ('deposit', 'charge')", name=op.f("ck_lab_transaction_kind")),
        sa.ForeignKeyConstraint(
            ["download_id"], ["download.id"], name=op.f("fk_lab_transaction_download_id_download")
        ),
        sa.ForeignKeyConstraint(["lab_id"], ["lab.id"], name=op.f("fk_lab_transaction_lab_id_lab")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lab_transaction")),
        sa.UniqueConstraint("download_id", name=op.f("uq_lab_transaction_download_id")),
    )
    with op.batch_alter_table("lab_transaction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lab_transaction_lab_id"), ["lab_id"], unique=False)

    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_dataset_name_version"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_dataset_lab_id_name_version"), ["lab_id", "name", "version"]
        )

    with op.batch_alter_table("download", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=8), nullable=False, server_default="complete")
        )
        batch_op.add_column(sa.Column("completed_at", TS, nullable=True))
    with op.batch_alter_table("download", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)

    with op.batch_alter_table("round_root", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ledger_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ledger_hash", sa.String(length=64), nullable=True))

    _backfill()


def _configured_pool() -> int:
    """The app's pool per round when run through Flask-Migrate, else the default."""
    try:
        from flask import current_app

        return int(current_app.config["REWARD_POOL_PER_ROUND"])
    except (RuntimeError, KeyError):
        return DEFAULT_POOL


def _backfill() -> None:
    """Charges for earlier royalties, pools for earlier credited rounds (exact ints)."""
    bind = op.get_bind()
    now = server.models_base.utcnow()
    royalty = sa.table("royalty", sa.column("download_id"), sa.column("amount", AMOUNT))
    download = sa.table("download", sa.column("id"), sa.column("lab_id"))
    owed: dict[tuple[int, int], int] = defaultdict(int)
    rows = bind.execute(
        sa.select(download.c.id, download.c.lab_id, royalty.c.amount).join(
            royalty, royalty.c.download_id == download.c.id
        )
    )
    for download_id, lab_id, amount in rows:
        owed[(download_id, lab_id)] += amount
    charge = sa.table(
        "lab_transaction",
        *(sa.column(c) for c in ("lab_id", "kind", "download_id", "note")),
        sa.column("amount", AMOUNT),
        sa.column("created_at", TS),
    )
    for (download_id, lab_id), amount in sorted(owed.items()):
        bind.execute(
            charge.insert().values(
                lab_id=lab_id, kind="charge", download_id=download_id, amount=amount,
                note="royalties credited before lab balances", created_at=now,
            )
        )  # fmt: skip
    entry = sa.table("ledger_entry", sa.column("round_id"), sa.column("kind"))
    credited = bind.execute(
        sa.select(entry.c.round_id).where(entry.c.kind == "credit").distinct()
    ).scalars()
    pool = sa.table(
        "round_pool", sa.column("round_id"), sa.column("pool", AMOUNT), sa.column("created_at", TS)
    )
    configured = _configured_pool()
    for round_id in sorted(r for r in credited if r is not None):
        bind.execute(pool.insert().values(round_id=round_id, pool=configured, created_at=now))


def downgrade():
    with foreign_keys_off_in_migration():
        _downgrade()


def _downgrade():
    with op.batch_alter_table("round_root", schema=None) as batch_op:
        batch_op.drop_column("ledger_hash")
        batch_op.drop_column("ledger_seq")

    with op.batch_alter_table("download", schema=None) as batch_op:
        batch_op.drop_column("completed_at")
        batch_op.drop_column("status")

    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_dataset_lab_id_name_version"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_dataset_name_version"), ["name", "version"]
        )

    with op.batch_alter_table("lab_transaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lab_transaction_lab_id"))

    op.drop_table("lab_transaction")
    op.drop_table("round_pool")
