"""What one request costs in Redis round trips and SQL statements, counted in-process with a
SQLAlchemy ``before_cursor_execute`` event and a hook on the Redis connection's send (a
pipeline or a script goes out as one packet: one round trip)."""

import contextlib

from sqlalchemy import event

from server.extensions import db, redis_store


@contextlib.contextmanager
def counted(app):
    """Count SQL statements (their first words) and Redis round trips made inside the block."""
    seen: dict = {"sql": [], "redis": 0}
    with app.app_context():
        engine = db.engine
        pool = redis_store.client.connection_pool

    def on_sql(conn, cursor, statement, *args):
        seen["sql"].append(" ".join(statement.split()[:3]))

    original = pool.connection_class.send_packed_command

    def send(self, *args, **kwargs):
        seen["redis"] += 1
        return original(self, *args, **kwargs)

    event.listen(engine, "before_cursor_execute", on_sql)
    pool.connection_class.send_packed_command = send
    try:
        yield seen
    finally:
        pool.connection_class.send_packed_command = original
        event.remove(engine, "before_cursor_execute", on_sql)
