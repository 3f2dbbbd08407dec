"""ingest: free-text clusters leave the request (their tables go; feedback.cluster_id stays as
a plain column filled at round time); an index for paging one user's feedback by id

Revision ID: 0010_ingest
Revises: 0009_yardstick
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import server.models_base
from server.sqlite_pragmas import foreign_keys_off_in_migration

revision = "0010_ingest"
down_revision = "0009_yardstick"
branch_labels = None
depends_on = None

LIVE = "superseded_at IS NULL AND withdrawn_at IS NULL"


def upgrade():
    with foreign_keys_off_in_migration():
        # The rebuild on SQLite would lose the partial index's WHERE: it is dropped first and
        # made again after.
        op.drop_index("uq_feedback_current", table_name="feedback")
        with op.batch_alter_table("feedback", schema=None) as batch_op:
            batch_op.drop_constraint("fk_feedback_cluster_id_text_cluster", type_="foreignkey")
            batch_op.create_index("ix_feedback_user_id_id", ["user_id", "id"], unique=False)
        _live_index()
        op.drop_table("text_bucket")
        op.drop_table("text_cluster")


def _live_index():
    op.create_index(
        "uq_feedback_current",
        "feedback",
        ["user_id", "answer_id"],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )


def downgrade():
    with foreign_keys_off_in_migration():
        op.create_table(
            "text_cluster",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("minhash", sa.LargeBinary(), nullable=False),
            sa.Column("created_at", server.models_base.UtcDateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_text_cluster")),
        )
        op.create_table(
            "text_bucket",
            sa.Column("bucket", sa.String(length=40), nullable=False),
            sa.Column("cluster_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["cluster_id"],
                ["text_cluster.id"],
                name=op.f("fk_text_bucket_cluster_id_text_cluster"),
            ),
            sa.PrimaryKeyConstraint("bucket", "cluster_id", name=op.f("pk_text_bucket")),
        )
        op.execute("UPDATE feedback SET cluster_id = NULL")  # the clusters they named are gone
        op.drop_index("uq_feedback_current", table_name="feedback")
        with op.batch_alter_table("feedback", schema=None) as batch_op:
            batch_op.drop_index("ix_feedback_user_id_id")
            batch_op.create_foreign_key(
                "fk_feedback_cluster_id_text_cluster", "text_cluster", ["cluster_id"], ["id"]
            )
        _live_index()
