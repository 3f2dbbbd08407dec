"""SQLite pragmas for a multi-process server: WAL, a busy timeout, foreign keys."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _set_pragmas(dbapi_connection, connection_record) -> None:
    """Apply pragmas to every new SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def foreign_keys_off_in_migration() -> Iterator[None]:
    """Inside an Alembic migration: turn SQLite's foreign key enforcement off while tables
    that others reference are recreated (SQLite's own procedure for altering a table), then
    check that no key dangles and turn it on again. The pragma is a no-op inside a
    transaction, hence autocommit blocks. Other databases are left as they are."""
    from alembic import op

    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    with op.get_context().autocommit_block():
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        with op.get_context().autocommit_block():
            broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            bind.exec_driver_sql("PRAGMA foreign_keys=ON")
    if broken:
        raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
