"""Ingest feedback in bulk with de-duplication, in as few statements as the rules allow.

Rules: (1) a user's retry with the same ``client_id`` returns the stored row (same content)
or is a conflict (different content); the database's unique constraint is the source of
truth, and Redis only tells which client_ids were seen before (the write gate marks them), so
that those are looked up first. (2) A user's newer feedback on an answer supersedes the
older one, which stays as history. (3) Answers are stored once.

A new item costs one statement per table: the answers' upsert, then the feedback insert,
which also settles idempotency (``ON CONFLICT (user_id, client_id) DO NOTHING``). Only an
answer stored before can carry older feedback, so only then is there a supersede (one
``UPDATE``) before the insert; the database links the superseded rows to their successor as
the insert goes in (a trigger), so re-rating costs three statements. The insert is optimistic:
if it meets a client_id stored already (a retry Redis did not know of), the transaction is
rolled back and redone with the client_ids looked up first.
"""

import functools
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from server.auth.models import User
from server.extensions import db
from server.feedback import answers
from server.feedback.models import Feedback
from server.models_base import utcnow
from server.ttl_cache import app_cache, cache_ttl

ATTEMPTS = 3
PAGE_SIZE = 1000  # rows per INSERT: a batch is one statement


@dataclass
class ItemResult:
    """What happened to one submitted item (``row``: the stored row, when created here)."""

    client_id: str | None
    status: str  # created | exists | conflict | invalid
    id: int | None = None
    errors: dict | None = None
    row: dict | None = None


class _StoredBefore(Exception):
    """The optimistic insert met a client_id stored already: redo the batch carefully."""


def content_hash(item: dict) -> str:
    """A digest of everything the client sent, to tell a retry from a reuse of its client_id."""
    canonical = json.dumps(item, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def idem_key(user_id: int, client_id: str) -> str:
    """Redis key of the idempotency fast path."""
    return f"idem:{user_id}:{client_id}"


def _stored(conn: Connection, user_id: int, pending: dict[str, dict]) -> dict[str, ItemResult]:
    """Items whose client_id this user already stored: exists (same content) or conflict."""
    rows = conn.execute(
        db.select(Feedback.client_id, Feedback.id, Feedback.content_hash).where(
            Feedback.user_id == user_id, Feedback.client_id.in_(list(pending))
        )
    ).all()
    return {
        cid: ItemResult(cid, "exists" if digest == pending[cid]["_hash"] else "conflict", fid)
        for cid, fid, digest in rows
    }


def _default_licence(user_id: int) -> str:
    """The user's default licence (asked only when an item names none; cached seconds)."""
    return app_cache("default_licence").get_or_load(
        user_id,
        cache_ttl(),
        lambda: db.session.execute(
            db.select(User.default_licence).where(User.id == user_id)
        ).scalar_one(),
    )


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
    }


def _retire_live(conn: Connection, user_id: int, answer_ids: list[int], now) -> None:
    """Mark the user's live feedback on these answers superseded, in one statement."""
    if answer_ids:
        table = Feedback.__table__  # Core: the ORM would synchronise the session first
        conn.execute(
            db.update(table)
            .where(
                table.c.user_id == user_id,
                table.c.answer_id.in_(answer_ids),
                table.c.superseded_at.is_(None),
                table.c.withdrawn_at.is_(None),
            )
            .values(superseded_at=now)
        )


@functools.cache
def _insert_statement(dialect: str):
    """The Core feedback insert, built once per dialect (see answers._upsert_statement)."""
    table = Feedback.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=["user_id", "client_id"])
        .returning(table.c.id, table.c.client_id)
        .execution_options(insertmanyvalues_page_size=PAGE_SIZE, render_nulls=True)
    )


def _insert_rows(conn: Connection, rows: list[dict]) -> dict[str, int]:
    """Insert feedback rows in one statement; a client_id stored already is skipped. Returns
    the new ids by client_id."""
    stmt = _insert_statement(conn.dialect.name)
    return {cid: fid for fid, cid in conn.execute(stmt, answers.parameters(rows))}


def _insert(conn: Connection, user_id: int, items: list[dict]) -> list[ItemResult]:
    """Insert new items (answers first) and supersede older feedback."""
    now = utcnow()
    resolved, answer_rows = answers.resolve(conn, items, now)
    needs_default = any(not item.get("licence") for item in items)
    default = _default_licence(user_id) if needs_default else None
    rows = [_row(user_id, item, resolved[item["client_id"]], default, now) for item in items]
    # Within one batch the last item on an answer wins: earlier ones go in as history.
    last = {row["answer_id"]: i for i, row in enumerate(rows)}
    for i, row in enumerate(rows):
        row["superseded_at"] = None if last[row["answer_id"]] == i else now
    _retire_live(conn, user_id, [a for a in last if not answer_rows[a]["created"]], now)
    # The insert also links each superseded row (retired just now, or history of this batch)
    # to the live row that replaced it: the feedback_link_history trigger (0010_ingest).
    ids = _insert_rows(conn, rows)
    if len(ids) < len(rows):
        raise _StoredBefore()
    by_answer = {rows[i]["answer_id"]: ids[rows[i]["client_id"]] for i in last.values()}
    for row in rows:
        row.update(
            id=ids[row["client_id"]],
            superseded_by_id=by_answer[row["answer_id"]] if row["superseded_at"] else None,
            withdrawn_at=None,
            cluster_id=None,
            answer=answer_rows[row["answer_id"]],
            other_answer=answer_rows.get(row["other_answer_id"]),
        )
    return [ItemResult(row["client_id"], "created", row["id"], row=row) for row in rows]


def ingest(user_id: int, items: list[dict], seen: frozenset[str] = frozenset()) -> list[ItemResult]:
    """Store validated items for a user; one result per item, in order (the items passed in
    are left as they are). `seen`: the client_ids the write gate saw before, looked up in the
    database before anything is inserted."""
    items = [_prepared(item) for item in items]
    careful = False
    for attempt in range(ATTEMPTS):
        try:
            # Core on a connection of its own: one transaction, none of the ORM session's
            # bookkeeping around it (which cost as much as the statements); the block rolls
            # back on any exception.
            with db.engine.begin() as conn:
                results = _ingest_once(conn, user_id, items, seen, careful)
            break
        except _StoredBefore:
            careful = True
        except IntegrityError:
            # A concurrent request stored the same answer/client_id first: retry sees it.
            careful = True
            if attempt == ATTEMPTS - 1:
                raise
    else:
        raise RuntimeError("feedback could not be stored after retries")
    return results


def _prepared(item: dict) -> dict:
    """A copy of an item with its client_id as text and the digest of what was sent."""
    item = {**item, "client_id": str(item["client_id"])}
    return {**item, "_hash": content_hash(item)}


def _ingest_once(
    conn: Connection, user_id: int, items: list[dict], seen: frozenset[str], careful: bool
) -> list[ItemResult]:
    """One attempt at storing the batch inside the current transaction; the client_ids seen
    before (all of them, when `careful`) are looked up in the database before inserting."""
    first: dict[str, dict] = {}
    for item in items:
        first.setdefault(item["client_id"], item)
    asked = first if careful else {c: i for c, i in first.items() if c in seen}
    known = _stored(conn, user_id, asked) if asked else {}
    new_items = [i for c, i in first.items() if c not in known]
    inserted = {r.client_id: r for r in _insert(conn, user_id, new_items)} if new_items else {}
    return [_result_for(item, first, known, inserted) for item in items]


def _result_for(item: dict, first: dict, known: dict, inserted: dict) -> ItemResult:
    """The result of one item, treating in-batch repeats of a client_id like retries."""
    cid = item["client_id"]
    base = known.get(cid) or inserted[cid]
    if first[cid] is item:
        return base
    same = item["_hash"] == first[cid]["_hash"] and base.status != "conflict"
    return ItemResult(cid, "exists" if same else "conflict", base.id)
