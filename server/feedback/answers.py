"""Answers are stored once, identified by their content: (site, message id, prompt hash,
answer hash) when the site gives a message id, else (site, prompt hash, answer hash).

A message id alone does not identify an answer: anyone can send any text under a real
message id, and the first text stored must not capture the feedback of everyone who saw the
real one. Feedback therefore always attaches to the text its author sent; a forged text under
a real message id is an answer of its own (a regenerated answer is one too). The answer's
hash is of its exact text: with whitespace collapsed, a copy padded with spaces stored first
would take the honest feedback and shift its spans (code-point offsets into the text the
author saw). The prompt's hash collapses whitespace: it groups the answers of one prompt.

Resolving is one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per kind of identity (the two
partial unique indexes), so a stored answer and a new one cost the same single statement.
"""

import functools
import hashlib
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from server.feedback.models import Answer

_KEY_COLUMNS = ("site", "message_id", "prompt_hash", "answer_hash")
# Returned too, so that a response shows the stored answer without reading it again.
_SHOWN = ("conversation_id", "model_name", "prompt_text", "answer_text")
# Rows per INSERT: a batch of 500 pairwise items names up to 1,000 answers, one statement.
PAGE_SIZE = 1000


def text_hash(text: str) -> str:
    """Digest of a text with whitespace collapsed, so trivially re-wrapped copies match."""
    # split() splits on exactly the characters ``\s`` matches: the same digest as collapsing
    # runs with a regex and stripping, at a fraction of the cost.
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def exact_text_hash(text: str) -> str:
    """Digest of a text exactly as sent (an answer's identity: see the module docstring)."""
    return hashlib.sha256(text.encode()).hexdigest()


def _spec(
    item: dict, prompt_hash: str, text: str, message_id: str | None, model_name: str | None
) -> dict:
    """The answer row an item refers to."""
    return {
        "site": item["site"],
        "conversation_id": item.get("conversation_id"),
        "message_id": message_id,
        "model_name": model_name,
        "prompt_text": item["prompt"],
        "answer_text": text,
        "prompt_hash": prompt_hash,
        "answer_hash": exact_text_hash(text),
    }


def _spec_key(spec: dict) -> tuple:
    """The identity of the answer row a spec (or a returned row) describes."""
    return (spec["site"], spec["message_id"], spec["prompt_hash"], spec["answer_hash"])


def _item_specs(item: dict) -> tuple[dict, dict | None]:
    """The answer and, for pairwise feedback, the other answer of an item."""
    prompt_hash = text_hash(item["prompt"])
    main = _spec(item, prompt_hash, item["answer"], item.get("message_id"), item.get("model_name"))
    other = item.get("other_answer")
    if not other:
        return main, None
    return main, _spec(
        item, prompt_hash, other["text"], other.get("message_id"), other.get("model_name")
    )


@functools.cache
def _upsert_statement(dialect: str, with_message_id: bool):
    """The Core upsert of one identity kind, built once per dialect: a Core statement on the
    table skips the ORM's bulk-insert bookkeeping and re-building the RETURNING columns."""
    table = Answer.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    columns = ["site", "message_id", "prompt_hash", "answer_hash"]
    if not with_message_id:
        columns.remove("message_id")
    message_id = table.c.message_id
    where = message_id.is_not(None) if with_message_id else message_id.is_(None)
    # A no-op update (site is part of the key), so that RETURNING gives stored rows too.
    stmt = stmt.on_conflict_do_update(
        index_elements=columns, index_where=where, set_={"site": stmt.excluded.site}
    ).returning(table.c.id, table.c.created_at, *(table.c[c] for c in _KEY_COLUMNS + _SHOWN))
    return stmt.execution_options(insertmanyvalues_page_size=PAGE_SIZE, render_nulls=True)


def parameters(rows: list[dict]) -> dict | list[dict]:
    """A statement's parameters: one row as a plain execute, more as one multi-row statement
    (SQLAlchemy's insertmanyvalues, whose batching costs a single row as much as its SQL)."""
    return rows[0] if len(rows) == 1 else rows


def _upsert(conn: Connection, specs: list[dict], with_message_id: bool):
    """One statement inserting the answers of one identity kind, returning every row's id,
    whether it was stored already or not."""
    stmt = _upsert_statement(conn.dialect.name, with_message_id)
    return conn.execute(stmt, parameters(specs)).all()


def resolve(
    conn: Connection, items: list[dict], now: datetime
) -> tuple[dict[str, tuple[int, int | None]], dict]:
    """Map each item's client_id to (answer id, other answer id), creating missing answers
    (stamped `now`); also return the answer rows by id (``created`` tells the ones made here,
    which no feedback can point at yet)."""
    pairs = {}
    specs: dict[tuple, dict] = {}
    for item in items:
        keys = []
        for spec in _item_specs(item):
            key = None if spec is None else _spec_key(spec)
            if key is not None and key not in specs:
                specs[key] = {**spec, "created_at": now}
            keys.append(key)
        pairs[item["client_id"]] = keys
    ids: dict[tuple, int] = {}
    rows: dict[int, dict] = {}
    for with_message_id in (True, False):
        group = [s for s in specs.values() if (s["message_id"] is not None) == with_message_id]
        for row in _upsert(conn, group, with_message_id) if group else ():
            found = row._asdict()
            ids[_spec_key(found)] = found["id"]
            # A stored answer keeps its own creation time; only a row made now carries ours.
            found["created"] = found["created_at"] == now
            rows[found["id"]] = found
    resolved = {
        cid: (ids[main], ids[other] if other else None) for cid, (main, other) in pairs.items()
    }
    return resolved, rows
