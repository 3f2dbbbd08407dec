"""Answers are stored once, identified by their content: (site, message id, prompt hash,
answer hash) when the site gives a message id, else (site, prompt hash, answer hash).

A message id alone does not identify an answer: anyone can send any text under a real
message id, and the first text stored must not capture the feedback of everyone who saw the
real one. Feedback therefore always attaches to the text its author sent; a forged text under
a real message id is an answer of its own (a regenerated answer is one too).

Resolving is one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per kind of identity (the two
partial unique indexes), so a stored answer and a new one cost the same single statement.
"""

import functools
import hashlib
import re
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite

from server.extensions import db
from server.feedback.models import Answer

_KEY_COLUMNS = ("site", "message_id", "prompt_hash", "answer_hash")
# Returned too, so that a response shows the stored answer without reading it again.
_SHOWN = ("conversation_id", "model_name", "prompt_text", "answer_text")
# Rows per INSERT: a batch of 500 pairwise items names up to 1,000 answers, one statement.
PAGE_SIZE = 1000


def text_hash(text: str) -> str:
    """Digest of a text with whitespace collapsed, so trivially re-wrapped copies match."""
    return hashlib.sha256(re.sub(r"\s+", " ", text).strip().encode()).hexdigest()


def _spec(item: dict, text: str, message_id: str | None, model_name: str | None) -> dict:
    """The answer row an item refers to."""
    return {
        "site": item["site"],
        "conversation_id": item.get("conversation_id"),
        "message_id": message_id,
        "model_name": model_name,
        "prompt_text": item["prompt"],
        "answer_text": text,
        "prompt_hash": text_hash(item["prompt"]),
        "answer_hash": text_hash(text),
    }


def _key(spec) -> tuple:
    """The identity of an answer row (a spec dict or a returned row)."""
    get = spec.get if isinstance(spec, dict) else spec._mapping.get
    content = (get("site"), get("prompt_hash"), get("answer_hash"))
    if get("message_id") is not None:
        return ("m", get("message_id"), *content)
    return ("c", *content)


def _item_specs(item: dict) -> tuple[dict, dict | None]:
    """The answer and, for pairwise feedback, the other answer of an item."""
    main = _spec(item, item["answer"], item.get("message_id"), item.get("model_name"))
    other = item.get("other_answer")
    if not other:
        return main, None
    return main, _spec(item, other["text"], other.get("message_id"), other.get("model_name"))


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


def _upsert(specs: list[dict], with_message_id: bool):
    """One statement inserting the answers of one identity kind, returning every row's id,
    whether it was stored already or not."""
    dialect = db.session.get_bind().dialect.name
    return db.session.execute(_upsert_statement(dialect, with_message_id), specs).all()


def resolve(items: list[dict], now: datetime) -> tuple[dict[str, tuple[int, int | None]], dict]:
    """Map each item's client_id to (answer id, other answer id), creating missing answers
    (stamped `now`); also return the answer rows by id (``created`` tells the ones made here,
    which no feedback can point at yet)."""
    pairs = {item["client_id"]: _item_specs(item) for item in items}
    specs = {_key(s): {**s, "created_at": now} for m, o in pairs.values() for s in (m, o) if s}
    ids: dict[tuple, int] = {}
    rows: dict[int, dict] = {}
    for with_message_id in (True, False):
        group = [s for s in specs.values() if (s["message_id"] is not None) == with_message_id]
        for row in _upsert(group, with_message_id) if group else ():
            ids[_key(row)] = row.id
            # A stored answer keeps its own creation time; only a row made now carries ours.
            rows[row.id] = {**row._asdict(), "created": row.created_at == now}
    resolved = {
        cid: (ids[_key(main)], ids[_key(other)] if other else None)
        for cid, (main, other) in pairs.items()
    }
    return resolved, rows
