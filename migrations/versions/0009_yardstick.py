"""yardsticks: reference sets lift is measured on; a round names its yardstick and card;
authors' lift carries its error and shrunk quality; lift on labs' yardsticks

Revision ID: 0009_yardstick
Revises: 0008_money
Create Date: 2026-12-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import server.models_base
from server.sqlite_pragmas import foreign_keys_off_in_migration

revision = "0009_yardstick"
down_revision = "0008_money"
branch_labels = None
depends_on = None

TS = server.models_base.UtcDateTime(timezone=True)
AUTHOR_FLOATS = (
    "lift_per_pair", "stderr", "low", "high", "quality", "quality_var", "evidence", "evidence_var"
)  # fmt: skip



def upgrade():
    with foreign_keys_off_in_migration():
        _upgrade()


def _upgrade():
    op.create_table(
        "yardstick",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("lab_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("n_pairs", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["lab_id"], ["lab.id"], name=op.f("fk_yardstick_lab_id_lab")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user.id"], name=op.f("fk_yardstick_created_by_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_yardstick")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_yardstick_name_version")),
    )
    op.create_table(
        "yardstick_pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("yardstick_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("chosen", sa.Text(), nullable=False),
        sa.Column("rejected", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["yardstick_id"],
            ["yardstick.id"],
            name=op.f("fk_yardstick_pair_yardstick_id_yardstick"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_yardstick_pair")),
        sa.UniqueConstraint("yardstick_id", "key", name=op.f("uq_yardstick_pair_yardstick_id_key")),
    )
    op.create_table(
        "yardstick_lift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("yardstick_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lift", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["training_round.id"], name=op.f("fk_yardstick_lift_round_id_training_round")
        ),
        sa.ForeignKeyConstraint(
            ["yardstick_id"], ["yardstick.id"], name=op.f("fk_yardstick_lift_yardstick_id_yardstick")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_yardstick_lift_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_yardstick_lift")),
        sa.UniqueConstraint(
            "round_id", "yardstick_id", "user_id",
            name=op.f("uq_yardstick_lift_round_id_yardstick_id_user_id"),
        ),
    )  # fmt: skip
    with op.batch_alter_table("training_round") as batch:
        batch.add_column(sa.Column("yardstick_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("yardstick_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("card", sa.JSON(), nullable=False, server_default="{}"))
        batch.create_foreign_key(
            op.f("fk_training_round_yardstick_id_yardstick"), "yardstick", ["yardstick_id"], ["id"]
        )
    with op.batch_alter_table("author_value") as batch:
        for name in AUTHOR_FLOATS:
            batch.add_column(sa.Column(name, sa.Float(), nullable=False, server_default="0"))


def downgrade():
    with foreign_keys_off_in_migration():
        _downgrade()


def _downgrade():
    with op.batch_alter_table("author_value") as batch:
        for name in AUTHOR_FLOATS:
            batch.drop_column(name)
    with op.batch_alter_table("training_round") as batch:
        batch.drop_constraint(op.f("fk_training_round_yardstick_id_yardstick"), type_="foreignkey")
        batch.drop_column("card")
        batch.drop_column("yardstick_hash")
        batch.drop_column("yardstick_id")
    op.drop_table("yardstick_lift")
    op.drop_table("yardstick_pair")
    op.drop_table("yardstick")
