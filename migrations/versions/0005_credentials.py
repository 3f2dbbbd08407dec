"""credentials: device tokens and lab keys become one table with a kind

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00

Lab keys keep their ids (datasets and downloads name them); device tokens are renumbered
after them. Only token hashes move: no token changes, so every issued one keeps working.
"""

import sqlalchemy as sa
from alembic import op

import server.models_base
from server.sqlite_pragmas import foreign_keys_off_in_migration

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = server.models_base.UtcDateTime(timezone=True)
COMMON = "token_hash, prefix, scopes, created_at, last_used_at, revoked_at"



def upgrade():
    with foreign_keys_off_in_migration():
        _upgrade()


def _upgrade():
    op.create_table(
        "credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("lab_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_used_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.CheckConstraint(
            "(kind = 'device' AND user_id IS NOT NULL AND lab_id IS NULL)"
            " OR (kind = 'lab' AND lab_id IS NOT NULL AND user_id IS NULL)",
            name=op.f("ck_credential_owner"),
        ),
        sa.ForeignKeyConstraint(["lab_id"], ["lab.id"], name=op.f("fk_credential_lab_id_lab")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_credential_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_credential_token_hash")),
    )
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credential_lab_id"), ["lab_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credential_user_id"), ["user_id"], unique=False)

    op.execute(
        f"INSERT INTO credential (id, kind, lab_id, {COMMON}) "
        f"SELECT id, 'lab', lab_id, key_hash, prefix, scopes, created_at, last_used_at, revoked_at "
        f"FROM lab_key"
    )
    op.execute(
        f"INSERT INTO credential (id, kind, user_id, name, {COMMON}) "
        f"SELECT id + (SELECT COALESCE(MAX(id), 0) FROM lab_key), 'device', user_id, name, "
        f"{COMMON} FROM device_token"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('credential', 'id'), "
            "(SELECT COALESCE(MAX(id), 0) + 1 FROM credential), false)"
        )
    for table in ("dataset", "download"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_key_id_lab_key", type_="foreignkey")
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_key_id_credential"), "credential", ["key_id"], ["id"]
            )
    with op.batch_alter_table("device_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_token_user_id"))
    op.drop_table("device_token")
    with op.batch_alter_table("lab_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lab_key_lab_id"))
    op.drop_table("lab_key")


def downgrade():
    raise NotImplementedError("credentials are not split back into two tables")
