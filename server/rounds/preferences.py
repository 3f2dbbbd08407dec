"""Preferences are derived from live feedback and rebuildable: feedback rows → pairs → table."""

from sqlalchemy.orm import aliased

from reward_model.data import Pair, build_pairs
from server.extensions import db
from server.feedback.models import Answer, Feedback
from server.models_base import utcnow
from server.rounds.models import Preference


def feedback_rows() -> list[dict]:
    """Every live feedback row (not withdrawn, not superseded) in reward_model's row shape."""
    other = aliased(Answer)
    query = (
        db.select(Feedback, Answer, other)
        .join(Answer, Answer.id == Feedback.answer_id)
        .outerjoin(other, other.id == Feedback.other_answer_id)
        .where(Feedback.withdrawn_at.is_(None), Feedback.superseded_at.is_(None))
        .order_by(Feedback.id)
    )
    return [_row(f, a, o) for f, a, o in db.session.execute(query)]


def _row(feedback: Feedback, answer: Answer, other: Answer | None) -> dict:
    """One feedback row as docs/contracts.md describes it."""
    return {
        "id": feedback.id,
        "user_id": feedback.user_id,
        "kind": feedback.kind,
        "site": answer.site,
        "licence": feedback.licence,
        "cluster_id": feedback.cluster_id,
        "withdrawn": False,
        "prompt": answer.prompt_text,
        "prompt_hash": answer.prompt_hash,
        "answer": answer.answer_text,
        "answer_id": answer.id,
        "rating": feedback.rating,
        "corrected_text": feedback.corrected_text,
        "other_answer": other.answer_text if other else None,
        "other_answer_id": other.id if other else None,
        "choice": feedback.choice,
        "tags": feedback.tags or [],
        "created_at": feedback.created_at.isoformat(),
    }


def pair_columns(pair: Pair) -> dict:
    """Column values of a pair."""
    return {
        "prompt": pair.prompt,
        "chosen": pair.chosen,
        "rejected": pair.rejected,
        "margin": pair.margin,
        "source": pair.source,
        "site": pair.site,
        "licence": pair.licence,
        "trusted": pair.trusted,
        "feedback_ids": list(pair.feedback_ids),
        "author_ids": list(pair.author_ids),
        "cluster_ids": list(pair.cluster_ids),
        "receipt": list(pair.receipt),
    }


def rebuild() -> list[tuple[int, Pair]]:
    """Rebuild pairs from live feedback, upsert them by key; return (preference id, pair)."""
    pairs = build_pairs(feedback_rows())
    stored = {
        p.key: p
        for p in db.session.execute(
            db.select(Preference).where(Preference.key.in_([pair.key for pair in pairs]))
        ).scalars()
    }
    now = utcnow()
    for pair in pairs:
        row = stored.get(pair.key)
        if row is None:
            row = Preference(key=pair.key, created_at=now, **pair_columns(pair))
            db.session.add(row)
            stored[pair.key] = row
        else:
            for name, value in pair_columns(pair).items():
                setattr(row, name, value)
        row.updated_at = now
    db.session.flush()
    return [(stored[pair.key].id, pair) for pair in pairs]


def load_pairs(ids: list[int], chunk: int = 500) -> list[Pair]:
    """The stored preferences with these ids, as pairs, in the given order."""
    rows = {}
    for start in range(0, len(ids), chunk):
        query = db.select(Preference).where(Preference.id.in_(ids[start : start + chunk]))
        rows.update((p.id, p) for p in db.session.execute(query).scalars())
    return [
        Pair(
            key=rows[i].key,
            **{k: tuple(v) if isinstance(v, list) else v for k, v in pair_columns(rows[i]).items()},
        )
        for i in ids
    ]
