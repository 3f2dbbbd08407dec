"""copies: a preference records its earliest feedback by server receipt; a preference's value
names its cluster's first post and the author holding its credit

Revision ID: 0011_copies
Revises: 0009_yardstick
Create Date: 2026-12-10 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from server.sqlite_pragmas import foreign_keys_off_in_migration

revision = "0011_copies"
down_revision = "0009_yardstick"
branch_labels = None
depends_on = None


def upgrade():
    with foreign_keys_off_in_migration():
        with op.batch_alter_table("preference") as batch:
            batch.add_column(sa.Column("receipt", sa.JSON(), nullable=False, server_default="[]"))
        with op.batch_alter_table("preference_value") as batch:
            batch.add_column(sa.Column("first_preference_id", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("credited_user_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                batch.f("fk_preference_value_first_preference_id_preference"),
                "preference", ["first_preference_id"], ["id"],
            )  # fmt: skip
            batch.create_foreign_key(
                batch.f("fk_preference_value_credited_user_id_user"),
                "user", ["credited_user_id"], ["id"],
            )  # fmt: skip


def downgrade():
    with foreign_keys_off_in_migration():
        with op.batch_alter_table("preference_value") as batch:
            batch.drop_constraint(
                batch.f("fk_preference_value_credited_user_id_user"), type_="foreignkey"
            )
            batch.drop_constraint(
                batch.f("fk_preference_value_first_preference_id_preference"), type_="foreignkey"
            )
            batch.drop_column("credited_user_id")
            batch.drop_column("first_preference_id")
        with op.batch_alter_table("preference") as batch:
            batch.drop_column("receipt")
