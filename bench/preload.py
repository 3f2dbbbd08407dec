"""Fill a database with feedback fast: raw multi-row SQLAlchemy Core inserts, no checks.

Rows belong to their own users (1,000 of them), each with live feedback on up to 1,000 shared
answers, so the unique indexes hold as ingest would leave them."""

import hashlib
import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, insert, select

from server.auth.models import User
from server.feedback.models import Answer, Feedback

CHUNK = 20_000
SIDE = 1000  # users x answers


def preload(database_url: str, rows: int) -> float:
    """Insert `rows` feedback rows (plus their users and answers); return the seconds taken."""
    import server.sqlite_pragmas  # noqa: F401  (same pragmas as the service)

    engine = create_engine(database_url)
    now = datetime.now(UTC)
    started = time.perf_counter()
    n_users = min(SIDE, max(1, rows // SIDE))
    with engine.begin() as conn:
        first = conn.execute(select(User.id).order_by(User.id.desc()).limit(1)).scalar() or 0
        conn.execute(
            insert(User),
            [{"address": f"0x{first + i + 1:040x}", "created_at": now} for i in range(n_users)],
        )
        users = conn.execute(select(User.id).where(User.id > first)).scalars().all()
        answers = (
            conn.execute(
                insert(Answer).returning(Answer.id), [_answer(i, now) for i in range(SIDE)]
            )
            .scalars()
            .all()
        )
    done = 0
    while done < rows:
        chunk = []
        for n in range(done, min(rows, done + CHUNK)):
            chunk.append(_feedback(users[n // SIDE % len(users)], answers[n % SIDE], n, now))
        with engine.begin() as conn:
            conn.execute(insert(Feedback), chunk)
        done += len(chunk)
    engine.dispose()
    return time.perf_counter() - started


def _answer(n: int, now) -> dict:
    """A shared answer row."""
    text = f"Preloaded answer {n}."
    digest = hashlib.sha256(text.encode()).hexdigest()
    return {
        "site": "generic", "prompt_text": "Preloaded prompt.", "answer_text": text,
        "prompt_hash": digest, "answer_hash": digest, "created_at": now,
    }  # fmt: skip


def _feedback(user_id: int, answer_id: int, n: int, now) -> dict:
    """A live rating row."""
    return {
        "user_id": user_id, "answer_id": answer_id, "client_id": f"preload-{n}",
        "kind": "rating", "rating": 1, "tags": [], "spans": [], "licence": "cc-by-4.0",
        "created_at": now, "updated_at": now, "content_hash": "0" * 64,
    }  # fmt: skip
