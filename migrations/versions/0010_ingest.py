"""ingest: free-text clusters leave the request (their tables go; feedback.cluster_id stays as
a plain column filled at round time); an index for paging one user's feedback by id; a
trigger links superseded feedback to the live row that replaced it

Revision ID: 0010_ingest
Revises: 0012_gold
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import server.models_base
from server.sqlite_pragmas import foreign_keys_off_in_migration

revision = "0010_ingest"
down_revision = "0012_gold"
branch_labels = None
depends_on = None

LIVE = "superseded_at IS NULL AND withdrawn_at IS NULL"
UNLINKED = "superseded_at IS NOT NULL AND superseded_by_id IS NULL"
# When a live row goes in, the user's superseded rows on that answer still without a successor
# (retired by ingest's UPDATE just before, or history rows of the same batch) point at it. In
# the database, so that re-rating costs no statement of its own after the insert. A SQLite
# table rebuild drops triggers: a migration rebuilding feedback must create it again
# (tests/migrations/test_ingest.py checks the head has it).
LINK = (
    "UPDATE feedback SET superseded_by_id = NEW.id WHERE user_id = NEW.user_id"
    " AND answer_id = NEW.answer_id AND superseded_at IS NOT NULL"
    " AND superseded_by_id IS NULL AND id < NEW.id"
)
TRIGGER = "feedback_link_history"


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
    # What the trigger looks for, without scanning all of a user's feedback per inserted row.
    op.create_index(
        "ix_feedback_unlinked",
        "feedback",
        ["user_id", "answer_id"],
        sqlite_where=sa.text(UNLINKED),
        postgresql_where=sa.text(UNLINKED),
    )
    _create_link_trigger()


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _create_link_trigger():
    if _postgres():
        op.execute(
            f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {LINK}; RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON feedback FOR EACH ROW"
            f" WHEN (NEW.superseded_at IS NULL) EXECUTE FUNCTION {TRIGGER}()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON feedback"
            f" WHEN NEW.superseded_at IS NULL BEGIN {LINK}; END"
        )


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
    op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}" + (" ON feedback" if _postgres() else ""))
    if _postgres():
        op.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    op.execute("DROP INDEX IF EXISTS ix_feedback_unlinked")
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
