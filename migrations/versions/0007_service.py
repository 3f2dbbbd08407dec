"""service: expiring, rotating device tokens tied to their sign-in; answers keyed by content

Revision ID: 0007_service
Revises: 0006_adapter_health
Create Date: 2026-12-01 10:00:00

Device tokens issued before this revision get the default lifetime from now (30 days), so no
linked extension stops at once. An answer's message id no longer identifies it alone: the
unique key adds the prompt and answer hashes (existing rows already satisfy it).
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import server.models_base

revision = "0007_service"
down_revision = "0006_adapter_health"
branch_labels = None
depends_on = None

TS = server.models_base.UtcDateTime(timezone=True)
DEVICE_TTL = timedelta(days=30)


def upgrade():
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", TS, nullable=True))
        batch_op.add_column(sa.Column("family", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("rotated_at", TS, nullable=True))
        batch_op.add_column(sa.Column("replaced_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_credential_family"), ["family"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_credential_replaced_by_id_credential"),
            "credential",
            ["replaced_by_id"],
            ["id"],
        )
    credential = sa.table("credential", sa.column("kind"), sa.column("expires_at", TS))
    op.execute(
        credential.update()
        .where(credential.c.kind == "device")
        .values(expires_at=datetime.now(UTC) + DEVICE_TTL)
    )

    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index("uq_answer_site_message")
        batch_op.create_index(
            "uq_answer_site_message_content",
            ["site", "message_id", "prompt_hash", "answer_hash"],
            unique=True,
            sqlite_where=sa.text("message_id IS NOT NULL"),
            postgresql_where=sa.text("message_id IS NOT NULL"),
        )


def downgrade():
    # Fails if two answers now share a message id: which text is "the" answer is not ours to
    # choose, so that has to be resolved by hand first.
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index("uq_answer_site_message_content")
        batch_op.create_index(
            "uq_answer_site_message",
            ["site", "message_id"],
            unique=True,
            sqlite_where=sa.text("message_id IS NOT NULL"),
            postgresql_where=sa.text("message_id IS NOT NULL"),
        )
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_credential_replaced_by_id_credential"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_credential_family"))
        batch_op.drop_column("replaced_by_id")
        batch_op.drop_column("rotated_at")
        batch_op.drop_column("family")
        batch_op.drop_column("expires_at")
