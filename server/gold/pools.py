"""Import and version gold pools, kept disjoint from every yardstick.

A pool is read like a yardstick (`reward_model.yardstick`: JSONL or Parquet rows of
prompt/chosen/rejected, `chosen` being the better answer). Importing a pool stores a new
version of its name, whose items become the active ones; the same content again changes
nothing. A comparison that is also a yardstick judgement (either way round, compared
normalised: `overlap_key`) is refused, so no rater is ever scored on what lift is measured on.
"""

import hashlib
from collections.abc import Iterable
from pathlib import Path

from reward_model.data import Pair
from reward_model.sources import default_gold_rows
from reward_model.yardstick import YardstickError, overlap_key, read_rows, validate
from server.errors import Unprocessable
from server.extensions import db
from server.gold.models import GoldItem
from server.yardsticks.models import YardstickPair

DEFAULT_POOL = "default"
CHUNK = 1000


def _pool_hash(keys: Iterable[str]) -> str:
    """sha256 over a pool version's sorted item keys (order and format do not matter)."""
    digest = hashlib.sha256()
    for key in sorted(keys):
        digest.update(key.encode())
    return digest.hexdigest()


def _latest_version(pool: str) -> int:
    """The newest version number of a pool, 0 when it has none."""
    return (
        db.session.scalar(db.select(db.func.max(GoldItem.version)).where(GoldItem.pool == pool))
        or 0
    )


def yardstick_overlap(keys: set[str]) -> set[str]:
    """Those of `keys` that name a judgement of any yardstick (any version or owner)."""
    rows = db.session.execute(
        db.select(YardstickPair.prompt, YardstickPair.chosen, YardstickPair.rejected)
        .execution_options(yield_per=CHUNK)
    )  # fmt: skip
    return {k for p, c, r in rows if (k := overlap_key(p, c, r)) in keys}


def gold_overlap(pairs: Iterable[Pair]) -> int:
    """How many of `pairs` are the comparison of a gold item (of any pool or version)."""
    keys = list({overlap_key(p.prompt, p.chosen, p.rejected) for p in pairs})
    found = 0
    for start in range(0, len(keys), CHUNK):
        found += db.session.scalar(
            db.select(db.func.count(db.distinct(GoldItem.key)))
            .where(GoldItem.key.in_(keys[start : start + CHUNK]))
        )  # fmt: skip
    return found


def store(
    pool: str, pairs: list[Pair], source: str | None = None, user_id: int | None = None
) -> tuple[dict, bool]:
    """(pool summary, created): a new active version of `pool`, or the newest one when its
    content is the same; 422 when an item is a yardstick judgement."""
    items = {overlap_key(p.prompt, p.chosen, p.rejected): p for p in pairs}
    clash = yardstick_overlap(set(items))
    if clash:
        raise Unprocessable(
            f"{len(clash)} of these comparisons are yardstick judgements; gold items must be "
            "disjoint from every yardstick. Remove them and import again."
        )
    version = _latest_version(pool)
    if version and pool_summary(pool, version)["content_hash"] == _pool_hash(items):
        return pool_summary(pool, version), False
    db.session.execute(db.update(GoldItem).where(GoldItem.pool == pool).values(active=False))
    rows = [
        {"pool": pool, "version": version + 1, "prompt": p.prompt, "better": p.chosen,
         "worse": p.rejected, "key": key, "active": True, "source": source,
         "created_by": user_id}
        for key, p in items.items()
    ]  # fmt: skip
    for start in range(0, len(rows), CHUNK):
        db.session.execute(db.insert(GoldItem), rows[start : start + CHUNK])
    db.session.commit()
    return pool_summary(pool, version + 1), True


def import_rows(rows: list[dict], pool: str, **origin) -> tuple[dict, bool]:
    """Validate prompt/chosen/rejected rows and store them as a pool version (422 naming the
    first bad row)."""
    try:
        pairs = validate(rows)
    except YardstickError as exc:
        raise Unprocessable(f"Bad gold pool: {exc}") from None
    return store(pool, pairs, **origin)


def import_file(path: str | Path, pool: str, **origin) -> tuple[dict, bool]:
    """Read a JSONL or Parquet file of prompt/chosen/rejected and store it as a pool version."""
    try:
        rows = read_rows(path)
    except YardstickError as exc:
        raise Unprocessable(f"Bad gold pool file: {exc}") from None
    return import_rows(rows, pool, source=Path(path).name, **origin)


def ensure_default() -> tuple[dict, bool]:
    """The default gold pool from data/ (data/README.md), imported once."""
    if _latest_version(DEFAULT_POOL):
        return pool_summary(DEFAULT_POOL, _latest_version(DEFAULT_POOL)), False
    return import_rows(default_gold_rows(), DEFAULT_POOL, source="data/ (gold split)")


def pool_summary(pool: str, version: int) -> dict:
    """A pool version's metadata: name, version, size, active, content hash (never texts)."""
    rows = db.session.execute(
        db.select(GoldItem.key, GoldItem.active, GoldItem.source, GoldItem.created_at)
        .where(GoldItem.pool == pool, GoldItem.version == version)
    ).all()  # fmt: skip
    return {
        "pool": pool,
        "version": version,
        "n_items": len(rows),
        "active": any(r.active for r in rows),
        "content_hash": _pool_hash(r.key for r in rows),
        "source": rows[0].source if rows else None,
        "created_at": rows[0].created_at if rows else None,
    }


def list_pools() -> list[dict]:
    """Every pool version, newest first (metadata only)."""
    versions = db.session.execute(
        db.select(GoldItem.pool, GoldItem.version).distinct()
        .order_by(GoldItem.pool, GoldItem.version.desc())
    ).all()  # fmt: skip
    return [pool_summary(pool, version) for pool, version in versions]


def gold_pairs() -> list[Pair]:
    """Every gold item as a pair (better > worse), for the guard that keeps gold comparisons
    out of training snapshots and datasets."""
    rows = db.session.execute(db.select(GoldItem.prompt, GoldItem.better, GoldItem.worse))
    return [Pair(p, b, w, source="gold") for p, b, w in rows]
