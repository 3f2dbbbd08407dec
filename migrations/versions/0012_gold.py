"""gold items: a versioned pool of reference comparisons with known answers, and what each
user was offered and answered (kept apart from feedback)

Revision ID: 0012_gold
Revises: 0009_yardstick
Create Date: 2026-12-01 11:50:05
"""

import sqlalchemy as sa
from alembic import op

import server.models_base

revision = "0012_gold"
down_revision = "0009_yardstick"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gold_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("better", sa.Text(), nullable=False),
        sa.Column("worse", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", server.models_base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user.id"], name=op.f("fk_gold_item_created_by_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_item")),
        sa.UniqueConstraint("pool", "version", "key", name=op.f("uq_gold_item_pool_version_key")),
    )
    with op.batch_alter_table("gold_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gold_item_key"), ["key"], unique=False)

    op.create_table(
        "gold_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("first", sa.String(length=6), nullable=False),
        sa.Column("choice", sa.String(length=1), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("offered_at", server.models_base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", server.models_base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["gold_item.id"], name=op.f("fk_gold_answer_item_id_gold_item")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_gold_answer_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_answer")),
        sa.UniqueConstraint("user_id", "item_id", name=op.f("uq_gold_answer_user_id_item_id")),
    )
    with op.batch_alter_table("gold_answer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gold_answer_user_id_offered_at", ["user_id", "offered_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("gold_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_gold_answer_user_id_offered_at")

    op.drop_table("gold_answer")
    with op.batch_alter_table("gold_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gold_item_key"))

    op.drop_table("gold_item")
