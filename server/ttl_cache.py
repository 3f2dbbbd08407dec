"""A small in-process cache whose entries live a few seconds.

What does not change within a token's life (the owner behind a device token, a user's default
licence) is looked up once per ``CREDENTIAL_CACHE_TTL`` seconds per process instead of once per
request. A change made elsewhere (a revoked token, a new default licence) therefore takes
effect in another process within that many seconds; the process that makes it drops its own
entry at once. A TTL of 0 turns the cache off.
"""

import threading
import time
from collections.abc import Callable, Hashable

from flask import current_app

MAX_ENTRIES = 10_000


class TtlCache:
    """A dict of values that expire ``ttl`` seconds after they were stored."""

    def __init__(self) -> None:
        """Start empty."""
        self._entries: dict[Hashable, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get_or_load(self, key: Hashable, ttl: float, load: Callable[[], object]) -> object:
        """The cached value of `key`, or `load()` stored for `ttl` seconds (not at all if 0)."""
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = load()
        if ttl > 0:
            with self._lock:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries = {k: e for k, e in self._entries.items() if e[0] > now}
                    if len(self._entries) >= MAX_ENTRIES:
                        self._entries.clear()
                self._entries[key] = (now + ttl, value)
        return value

    def drop(self, key: Hashable) -> None:
        """Forget `key` (after a change made in this process)."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything (after a change that may touch any entry)."""
        self._entries = {}


def app_cache(name: str) -> TtlCache:
    """The current app's cache called `name` (each app has its own: ids differ per database)."""
    caches = current_app.extensions.setdefault("ttl_caches", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches.setdefault(name, TtlCache())
    return cache


def cache_ttl() -> float:
    """Seconds an entry lives, from ``CREDENTIAL_CACHE_TTL``."""
    return float(current_app.config["CREDENTIAL_CACHE_TTL"])
