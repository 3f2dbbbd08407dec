"""A round's snapshot, built in the worker: live feedback streamed in chunks → pairs → the
Preference table, memory flat in the number of rows.

Two streaming queries read plain column tuples (no ORM objects pile up in the session):
pairwise and correction rows by id, then rating rows ordered by prompt so that each
prompt's ratings arrive together (`reward_model.data.iter_pairs(grouped=True)`). Pairs are
upserted `CHUNK` at a time; a key met again later in the same build is merged with what
this build stored (`merge_pair`), a key left from an older build is overwritten. Pairs that
are a yardstick judgement or its reversal are never trained on. What stays in memory is one
id per pair and one digest per key.
"""

import hashlib
from collections.abc import Iterator

from sqlalchemy.orm import aliased

from reward_model.data import Pair, PairConfig, iter_pairs, merge_pair
from server.extensions import db
from server.feedback.models import Answer, Feedback
from server.models_base import utcnow
from server.rounds.models import Preference
from server.rounds.preferences import pair_columns

CHUNK = 1000


def _rows(ratings: bool) -> Iterator[dict]:
    """Live feedback rows of one family (ratings or the rest) as dicts, streamed."""
    other = aliased(Answer)
    columns = (
        Feedback.id, Feedback.user_id, Feedback.kind, Feedback.licence, Feedback.cluster_id,
        Feedback.rating, Feedback.corrected_text, Feedback.choice, Feedback.tags,
        Answer.site, Answer.prompt_text, Answer.prompt_hash, Answer.answer_text, Answer.id,
        other.answer_text, other.id, Feedback.created_at,
    )  # fmt: skip
    query = (
        db.select(*columns)
        .join(Answer, Answer.id == Feedback.answer_id)
        .outerjoin(other, other.id == Feedback.other_answer_id)
        .where(Feedback.withdrawn_at.is_(None), Feedback.superseded_at.is_(None))
        .where((Feedback.kind == "rating") if ratings else (Feedback.kind != "rating"))
        .order_by(*((Answer.prompt_hash, Feedback.id) if ratings else (Feedback.id,)))
        .execution_options(yield_per=CHUNK)
    )
    # Its own connection: the session commits chunk by chunk while this cursor streams.
    with db.engine.connect() as connection:
        for r in connection.execute(query):
            yield {
                "id": r[0], "user_id": r[1], "kind": r[2], "licence": r[3], "cluster_id": r[4],
                "rating": r[5], "corrected_text": r[6], "choice": r[7], "tags": r[8] or [],
                "site": r[9], "prompt": r[10], "prompt_hash": r[11], "answer": r[12],
                "answer_id": r[13], "other_answer": r[14], "other_answer_id": r[15],
                "created_at": r[16].isoformat() if r[16] else None, "withdrawn": False,
            }  # fmt: skip


def _digest(key: str) -> bytes:
    """A compact stand-in for a 64-hex-digit key."""
    return hashlib.sha256(key.encode()).digest()[:16]


def _flush(batch: dict[str, Pair], built: dict[bytes, int], config: PairConfig) -> None:
    """Upsert one chunk of pairs; record the ids of keys new to this build."""
    stored = {
        row.key: row
        for row in db.session.execute(
            db.select(Preference).where(Preference.key.in_(list(batch)))
        ).scalars()
    }
    now, touched = utcnow(), list(stored.values())
    for key, pair in batch.items():
        row = stored.get(key)
        if row is None:
            row = Preference(key=key, created_at=now, updated_at=now, **pair_columns(pair))
            db.session.add(row)
            touched.append(row)
            continue
        if _digest(key) in built:  # met earlier in this build: unite with what it stored
            kept = Pair(key=key, **{k: tuple(v) if isinstance(v, list) else v
                                    for k, v in pair_columns(row).items()})  # fmt: skip
            pair = merge_pair(kept, pair, config)
        for name, value in pair_columns(pair).items():
            setattr(row, name, value)
        row.updated_at = now
    db.session.flush()
    ids = db.session.execute(
        db.select(Preference.key, Preference.id).where(Preference.key.in_(list(batch)))
    ).all()
    for key, pid in ids:
        built.setdefault(_digest(key), pid)
    db.session.commit()
    for row in touched:  # keep the session's identity map flat across chunks
        db.session.expunge(row)


def build_snapshot(guard: set[str], config: PairConfig | None = None) -> list[int]:
    """Preference ids of every live pair, in build order, none of them in `guard`."""
    config = config or PairConfig()
    built: dict[bytes, int] = {}  # insertion order is the snapshot's order
    guarded = {_digest(k) for k in guard}
    for ratings in (False, True):
        batch: dict[str, Pair] = {}
        for pair in iter_pairs(_rows(ratings), config, grouped=ratings):
            if _digest(pair.key) in guarded:
                continue
            old = batch.get(pair.key)
            batch[pair.key] = pair if old is None else merge_pair(old, pair, config)
            if len(batch) >= CHUNK:
                _flush(batch, built, config)
                batch = {}
        if batch:
            _flush(batch, built, config)
    return list(built.values())
