"""Liveness and readiness: the database must answer; Redis is reported, not required."""

import redis
from flask.views import MethodView

from server.extensions import db, redis_store
from server.openapi import Blueprint

blp = Blueprint("health", __name__, url_prefix="/api/v1/health", description="Health")


@blp.route("")
class Health(MethodView):
    """Service health."""

    @blp.response(200)
    def get(self):
        """Database and Redis status; 200 while the database answers."""
        db.session.execute(db.text("SELECT 1"))
        try:
            redis_ok = bool(redis_store.client.ping())
        except redis.RedisError:
            redis_ok = False
        return {"status": "ok", "database": "ok", "redis": "ok" if redis_ok else "down"}
