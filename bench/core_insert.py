"""The batch baseline: the same rows bulk-inserted with raw SQLAlchemy Core, no checks."""

import hashlib
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert

from server.auth.models import User
from server.extensions import db
from server.feedback.models import Answer, Feedback


def core_insert_rows_per_s(path: Path, pool: list[dict], rows: int) -> float:
    """Insert `rows` answers + feedback rows in batches of 500 into a fresh SQLite file."""
    import server.sqlite_pragmas  # noqa: F401  (same pragmas as the service)

    engine = create_engine(f"sqlite:///{path}")
    db.metadata.create_all(engine)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(User), [{"address": "0x" + "1" * 40, "created_at": now}])
    started = time.perf_counter()
    for start in range(0, rows, 500):
        items = [pool[(start + i) % len(pool)] for i in range(min(500, rows - start))]
        with engine.begin() as conn:
            answer_ids = (
                conn.execute(
                    insert(Answer).returning(Answer.id, sort_by_parameter_order=True),
                    [_answer(item, start + i, now) for i, item in enumerate(items)],
                )
                .scalars()
                .all()
            )
            conn.execute(
                insert(Feedback),
                [
                    _feedback(item, answer_id, now)
                    for item, answer_id in zip(items, answer_ids, strict=True)
                ],
            )
    return rows / (time.perf_counter() - started)


def _answer(item: dict, n: int, now) -> dict:
    """An answer row (made unique per row, as fresh client items would be)."""
    text = item["answer"] + f" #{n}"
    return {
        "site": item["site"],
        "message_id": None,
        "prompt_text": item["prompt"],
        "answer_text": text,
        "prompt_hash": hashlib.sha256(item["prompt"].encode()).hexdigest(),
        "answer_hash": hashlib.sha256(text.encode()).hexdigest(),
        "created_at": now,
    }


def _feedback(item: dict, answer_id: int, now) -> dict:
    """A feedback row as ingest would store it."""
    return {
        "user_id": 1,
        "answer_id": answer_id,
        "client_id": str(uuid.uuid4()),
        "kind": item["kind"],
        "rating": item.get("rating"),
        "tags": item.get("tags") or [],
        "spans": item.get("spans") or [],
        "comment": item.get("comment"),
        "corrected_text": item.get("corrected_text"),
        "choice": item.get("choice"),
        "licence": "cc-by-4.0",
        "created_at": now,
        "updated_at": now,
        "content_hash": hashlib.sha256(str(item).encode()).hexdigest(),
    }
