"""adapter health: anonymous events from the extension

Revision ID: 0006_adapter_health
Revises: 0005
Create Date: 2026-12-01 09:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

import server.models_base


# revision identifiers, used by Alembic.
revision = "0006_adapter_health"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "adapter_health_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=20), nullable=False),
        sa.Column("adapter_version", sa.String(length=20), nullable=False),
        sa.Column("selector", sa.String(length=200), nullable=False),
        sa.Column("problem", sa.String(length=40), nullable=False),
        sa.Column("created_at", server.models_base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adapter_health_event")),
    )
    op.create_index(
        op.f("ix_adapter_health_event_created_at"),
        "adapter_health_event",
        ["created_at"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_adapter_health_event_created_at"), table_name="adapter_health_event")
    op.drop_table("adapter_health_event")
