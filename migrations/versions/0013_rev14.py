"""answers keyed by their exact text: the answer hash no longer collapses whitespace (a copy
padded with spaces stored first took honest feedback and shifted its spans)

Revision ID: 0013_rev14
Revises: 0010_ingest
Create Date: 2026-12-01 15:00:00
"""

import hashlib

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import IntegrityError

revision = "0013_rev14"
down_revision = "0010_ingest"
branch_labels = None
depends_on = None

ANSWER = sa.table(
    "answer",
    sa.column("id", sa.Integer),
    sa.column("answer_text", sa.Text),
    sa.column("answer_hash", sa.String),
)


def _exact(text: str) -> str:
    """The answer hash from now on: of the text exactly as stored."""
    return hashlib.sha256(text.encode()).hexdigest()


def _collapsed(text: str) -> str:
    """The answer hash before: of the text with whitespace collapsed."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def _rehash(digest) -> None:
    """Give every answer the hash ``digest`` computes from its text. Only texts whose
    whitespace is not already collapsed change; a row whose new key another row already holds
    (the same text stored twice across a downgrade) keeps its hash rather than fail."""
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(ANSWER.c.id, ANSWER.c.answer_text, ANSWER.c.answer_hash)
            .where(ANSWER.c.id > last)
            .order_by(ANSWER.c.id)
            .limit(5000)
        ).all()
        if not rows:
            return
        for answer_id, text, stored in rows:
            new = digest(text)
            if new == stored:
                continue
            try:
                with connection.begin_nested():
                    connection.execute(
                        ANSWER.update().where(ANSWER.c.id == answer_id).values(answer_hash=new)
                    )
            except IntegrityError:
                pass
        last = rows[-1][0]


def upgrade():
    _rehash(_exact)


def downgrade():
    _rehash(_collapsed)
