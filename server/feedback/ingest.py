"""Ingest feedback in bulk with de-duplication.

Rules: (1) a user's retry with the same ``client_id`` returns the stored row (same content)
or is a conflict (different content); the database's unique constraint is the source of
truth and Redis only a fast path. (2) A user's newer feedback on an answer supersedes the
older one, which stays as history. (3) Answers are stored once. (4) Free text is clustered.
"""

import hashlib
import json
import logging
from dataclasses import dataclass

import redis
from flask import current_app
from sqlalchemy.exc import IntegrityError

from server.auth.models import User
from server.extensions import db, redis_store
from server.feedback import answers, minhash
from server.feedback.models import Feedback
from server.models_base import utcnow

logger = logging.getLogger(__name__)
ATTEMPTS = 3


@dataclass
class ItemResult:
    """What happened to one submitted item."""

    client_id: str | None
    status: str  # created | exists | conflict | invalid
    id: int | None = None
    errors: dict | None = None


def content_hash(item: dict) -> str:
    """A digest of everything the client sent, to tell a retry from a reuse of its client_id."""
    canonical = json.dumps(item, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _idem_key(user_id: int, client_id: str) -> str:
    """Redis key of the idempotency fast path."""
    return f"idem:{user_id}:{client_id}"


def _fast_path(user_id: int, pending: dict[str, dict]) -> dict[str, ItemResult]:
    """Answer retries from Redis when it is up; any Redis error just means 'not cached'."""
    keys = list(pending)
    try:
        cached = redis_store.client.mget([_idem_key(user_id, cid) for cid in keys])
    except redis.RedisError:
        return {}
    found = {}
    for cid, value in zip(keys, cached, strict=True):
        if value is not None:
            fid, digest = value.decode().split(":", 1)
            same = digest == pending[cid]["_hash"]
            found[cid] = ItemResult(cid, "exists" if same else "conflict", int(fid))
    return found


def _stored(user_id: int, pending: dict[str, dict]) -> dict[str, ItemResult]:
    """Items whose client_id this user already stored: exists (same content) or conflict."""
    rows = db.session.execute(
        db.select(Feedback.client_id, Feedback.id, Feedback.content_hash).where(
            Feedback.user_id == user_id, Feedback.client_id.in_(list(pending))
        )
    ).all()
    return {
        cid: ItemResult(cid, "exists" if digest == pending[cid]["_hash"] else "conflict", fid)
        for cid, fid, digest in rows
    }


def _default_licence(user_id: int) -> str:
    """The user's default licence (asked only when an item names none)."""
    return db.session.execute(
        db.select(User.default_licence).where(User.id == user_id)
    ).scalar_one()


def _row(user_id: int, item: dict, ids: tuple[int, int | None], licence: str | None, now) -> dict:
    """The feedback row to insert for a validated item."""
    return {
        "user_id": user_id,
        "answer_id": ids[0],
        "client_id": item["client_id"],
        "kind": item["kind"],
        "rating": item.get("rating"),
        "tags": sorted(set(item.get("tags") or [])),
        "spans": item.get("spans") or [],
        "comment": item.get("comment"),
        "corrected_text": item.get("corrected_text"),
        "other_answer_id": ids[1],
        "choice": item.get("choice"),
        "licence": item.get("licence") or licence,
        "captured_at": item.get("captured_at"),
        "created_at": now,
        "updated_at": now,
        "content_hash": item["_hash"],
        "cluster_id": None,
    }


def _retire_live(user_id: int, answer_ids: list[int], now) -> list[tuple[int, int]]:
    """Mark the user's live feedback on these answers superseded; return (id, answer id)."""
    old = db.session.execute(
        db.select(Feedback.id, Feedback.answer_id).where(
            Feedback.user_id == user_id,
            Feedback.answer_id.in_(answer_ids),
            Feedback.superseded_at.is_(None),
            Feedback.withdrawn_at.is_(None),
        )
    ).all()
    if old:
        db.session.execute(
            db.update(Feedback)
            .where(Feedback.id.in_([fid for fid, _ in old]))
            .values(superseded_at=now)
        )
    return old


def _link_history(superseded: list[tuple[int, int]], by_answer: dict[int, int]) -> None:
    """Point each superseded row at the row that replaced it."""
    for fid, answer_id in superseded:
        db.session.execute(
            db.update(Feedback)
            .where(Feedback.id == fid)
            .values(superseded_by_id=by_answer[answer_id])
        )


def _insert(user_id: int, items: list[dict]) -> list[ItemResult]:
    """Insert new items (answers first), supersede older feedback, cluster free text."""
    resolved = answers.resolve(items)
    now = utcnow()
    needs_default = any(not item.get("licence") for item in items)
    default = _default_licence(user_id) if needs_default else None
    rows = [_row(user_id, item, resolved[item["client_id"]], default, now) for item in items]
    # Within one batch the last item on an answer wins: earlier ones go in as history.
    last = {row["answer_id"]: i for i, row in enumerate(rows)}
    for i, row in enumerate(rows):
        row["superseded_at"] = None if last[row["answer_id"]] == i else now
    # Clusters are assigned before the insert so each row goes in complete, in one statement.
    texts = {i: row["corrected_text"] or row["comment"] for i, row in enumerate(rows)}
    texts = {i: text for i, text in texts.items() if text}
    for i, cluster_id in minhash.assign_clusters(texts, _threshold()).items():
        rows[i]["cluster_id"] = cluster_id
    superseded = _retire_live(user_id, list(last), now)
    ids = (
        db.session.execute(
            db.insert(Feedback).returning(Feedback.id, sort_by_parameter_order=True), rows
        )
        .scalars()
        .all()
    )
    by_answer = {rows[i]["answer_id"]: ids[i] for i in last.values()}
    in_batch = [(fid, row["answer_id"]) for row, fid in zip(rows, ids, strict=True)]
    _link_history(
        superseded + [p for i, p in enumerate(in_batch) if rows[i]["superseded_at"]], by_answer
    )
    return [
        ItemResult(row["client_id"], "created", fid) for row, fid in zip(rows, ids, strict=True)
    ]


def _threshold() -> float:
    """Similarity at which free texts share a cluster."""
    return float(current_app.config["CLUSTER_THRESHOLD"])


def _remember(user_id: int, results: list[ItemResult], hashes: dict[str, str]) -> None:
    """Fill the Redis fast path for stored items; failures are harmless."""
    ttl = int(current_app.config["IDEMPOTENCY_TTL"])
    try:
        pipe = redis_store.client.pipeline(transaction=False)
        for r in results:
            if r.status == "created":
                pipe.set(_idem_key(user_id, r.client_id), f"{r.id}:{hashes[r.client_id]}", ex=ttl)
        pipe.execute()
    except redis.RedisError:
        logger.warning("redis unavailable: idempotency fast path not updated")


def ingest(user_id: int, items: list[dict]) -> list[ItemResult]:
    """Store validated items for a user; one result per item, in order (the items passed in
    are left as they are)."""
    items = [_prepared(item) for item in items]
    for attempt in range(ATTEMPTS):
        try:
            results = _ingest_once(user_id, items)
            db.session.commit()
            break
        except IntegrityError:
            # A concurrent request stored the same answer/client_id first: retry sees it.
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
    _remember(user_id, results, {i["client_id"]: i["_hash"] for i in items})
    return results


def _prepared(item: dict) -> dict:
    """A copy of an item with its client_id as text and the digest of what was sent."""
    item = {**item, "client_id": str(item["client_id"])}
    return {**item, "_hash": content_hash(item)}


def _ingest_once(user_id: int, items: list[dict]) -> list[ItemResult]:
    """One attempt at storing the batch inside the current transaction."""
    first: dict[str, dict] = {}
    for item in items:
        first.setdefault(item["client_id"], item)
    known = _fast_path(user_id, first)
    known.update(_stored(user_id, {c: i for c, i in first.items() if c not in known}))
    new_items = [i for c, i in first.items() if c not in known]
    inserted = {r.client_id: r for r in _insert(user_id, new_items)} if new_items else {}
    return [_result_for(item, first, known, inserted) for item in items]


def _result_for(item: dict, first: dict, known: dict, inserted: dict) -> ItemResult:
    """The result of one item, treating in-batch repeats of a client_id like retries."""
    cid = item["client_id"]
    base = known.get(cid) or inserted[cid]
    if first[cid] is item:
        return base
    same = item["_hash"] == first[cid]["_hash"] and base.status != "conflict"
    return ItemResult(cid, "exists" if same else "conflict", base.id)
