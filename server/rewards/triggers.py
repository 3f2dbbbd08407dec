"""Database triggers that make ``ledger_entry`` append-only (SQLite and PostgreSQL).

The database itself refuses UPDATE and DELETE, whatever client issues them. Migration 0003
installs them; ``unlocked_ledger`` lifts them briefly, for emptying a test or scratch
database only (PostgreSQL's TRUNCATE is not a row operation and is left to permissions).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection

MESSAGE = "ledger_entry is append-only"

_SQLITE_CREATE = [
    f"""CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END""",
    f"""CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END""",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS ledger_entry_no_update",
    "DROP TRIGGER IF EXISTS ledger_entry_no_delete",
]
_POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION ledger_entry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()""",
]
_POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry",
    "DROP FUNCTION IF EXISTS ledger_entry_append_only()",
]


def create_statements(dialect: str) -> list[str]:
    """The SQL that installs the append-only triggers on ``dialect``."""
    return _POSTGRES_CREATE if dialect == "postgresql" else _SQLITE_CREATE


def drop_statements(dialect: str) -> list[str]:
    """The SQL that removes them."""
    return _POSTGRES_DROP if dialect == "postgresql" else _SQLITE_DROP


@contextmanager
def unlocked_ledger(connection: Connection) -> Iterator[None]:
    """Drop the triggers for the block and put them back after (tests and scratch data only)."""
    dialect = connection.dialect.name
    for statement in drop_statements(dialect):
        connection.execute(text(statement))
    try:
        yield
    finally:
        for statement in create_statements(dialect):
            connection.execute(text(statement))
