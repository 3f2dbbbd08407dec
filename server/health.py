"""Liveness and readiness: can the service read and write its database and its folder?
Redis is reported, not required. 503 when storage cannot take writes."""

import redis
from flask import current_app
from flask.views import MethodView
from sqlalchemy.exc import SQLAlchemyError

from server import storage
from server.extensions import db, redis_store
from server.openapi import Blueprint

blp = Blueprint("health", __name__, url_prefix="/api/v1/health", description="Health")


def _database() -> str:
    """ok, down, or a storage fault (full, read-only) of the database."""
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
            if connection.dialect.name == "sqlite" and not storage.sqlite_can_grow(connection):
                return storage.FULL
    except SQLAlchemyError as exc:
        return storage.fault_of(exc) or "down"
    return "ok"


def _redis() -> str:
    """ok or down (fails fast while Redis hangs)."""
    try:
        return "ok" if redis_store.client.ping() else "down"
    except redis.RedisError:
        return "down"


@blp.route("")
class Health(MethodView):
    """Service health."""

    @blp.response(200)
    @blp.alt_response(503, description="The database or the storage cannot take writes")
    def get(self):
        """Database, storage and Redis status; 200 while writes can succeed."""
        database, folder = _database(), storage.folder_status(current_app)
        recent = storage.recent_fault(current_app)
        if recent and database == "ok":
            database = recent  # what the last writes met, though a read still works
        ok = database == "ok" and folder == "ok"
        body = {
            "status": "ok" if ok else "degraded",
            "database": database,
            "storage": folder,
            "redis": _redis(),
        }
        return body, 200 if ok else 503
