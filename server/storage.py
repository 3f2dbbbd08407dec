"""Storage faults told apart from bugs: a full disk or a read-only folder is a 503 with a
message saying so, and /health reports it instead of claiming all is well.

A write that failed for lack of space (SQLite ``database or disk is full``, PostgreSQL
SQLSTATE 53100, ``ENOSPC`` on a file) or on read-only storage (``attempt to write a readonly
database``, ``EROFS``) is remembered for a short while, so health reports what the last
writes met; health also looks for itself: free space and write access of the instance folder,
and, on SQLite, whether the database file may still grow (``PRAGMA max_page_count``).
"""

import errno
import os
import shutil
import time

from flask import Flask

FULL, READ_ONLY = "full", "read-only"
MESSAGES = {
    FULL: "The server's storage is full; nothing was stored. Try again later.",
    READ_ONLY: "The server's storage is read-only; nothing was stored. Try again later.",
}
REMEMBER_S = 30.0  # how long a failed write colours /health


def fault_of(error: BaseException) -> str | None:
    """FULL or READ_ONLY when the error (or the database error it wraps) is a storage fault."""
    original = getattr(error, "orig", None) or error
    if isinstance(original, OSError) and original.errno in (errno.ENOSPC, errno.EDQUOT):
        return FULL
    if isinstance(original, OSError) and original.errno == errno.EROFS:
        return READ_ONLY
    if getattr(original, "sqlstate", None) == "53100":  # PostgreSQL disk_full
        return FULL
    text = str(original).lower()
    if "database or disk is full" in text or "no space left on device" in text:
        return FULL
    if "readonly database" in text or "read-only file system" in text:
        return READ_ONLY
    return None


def remember(app: Flask, fault: str) -> None:
    """Note that a write of this app (in this process) just met this fault."""
    app.extensions.setdefault("storage_faults", {})[fault] = time.monotonic()


def recent_fault(app: Flask) -> str | None:
    """The storage fault a write met in the last REMEMBER_S seconds, if any."""
    seen, now = app.extensions.get("storage_faults", {}), time.monotonic()
    recent = [fault for fault, at in seen.items() if now - at < REMEMBER_S]
    return max(recent, key=seen.get) if recent else None


def folder_status(app: Flask) -> str:
    """ok, FULL or READ_ONLY for the instance folder (models, exports, the default database)."""
    path = app.instance_path
    if not os.access(path, os.W_OK):
        return READ_ONLY
    if shutil.disk_usage(path).free < int(app.config["STORAGE_MIN_FREE_BYTES"]):
        return FULL
    return "ok"


def sqlite_can_grow(connection) -> bool:
    """False when an SQLite database has reached its page limit (free pages count as room)."""
    pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
    limit = connection.exec_driver_sql("PRAGMA max_page_count").scalar()
    free = connection.exec_driver_sql("PRAGMA freelist_count").scalar()
    return pages - free < limit
