"""Feedback services: ingest one or many, read one's own, edit, withdraw."""

from types import SimpleNamespace

from marshmallow import ValidationError

from server.errors import Conflict, NotFound, Unprocessable
from server.extensions import db
from server.feedback.ingest import ItemResult, ingest
from server.feedback.models import Feedback
from server.feedback.schemas import FeedbackIn, _span_errors
from server.models_base import utcnow

_ITEM_SCHEMA = FeedbackIn()


def submit_one(
    user_id: int, item: dict, seen: frozenset[str] = frozenset()
) -> tuple[Feedback | SimpleNamespace, bool]:
    """Store one validated item; return the stored row (as written, when created: it is not
    read back) and whether it was created. `seen`: client_ids the write gate saw before."""
    result = ingest(user_id, [item], seen)[0]
    if result.status == "conflict":
        raise Conflict(
            "This client_id was already used for different feedback; send a new client_id.",
            result.errors or {"client_id": ["already used with different content"]},
        )
    if result.status == "created":
        return _written(result.row), True
    return get_own(user_id, result.id), False


def _written(row: dict) -> SimpleNamespace:
    """A just-inserted row shaped like a Feedback (with its answers) for the response."""
    other = row["other_answer"]
    return SimpleNamespace(
        **{
            **row,
            "answer": SimpleNamespace(**row["answer"]),
            "other_answer": None if other is None else SimpleNamespace(**other),
        }
    )


def submit_batch(
    user_id: int, raw_items: list[dict], seen: frozenset[str] = frozenset()
) -> list[ItemResult]:
    """Validate each item on its own and store the valid ones; one result per item."""
    results: list[ItemResult | None] = []
    valid: list[dict] = []
    for raw in raw_items:
        try:
            valid.append(_ITEM_SCHEMA.load(raw))  # quick_load first (FeedbackIn.load)
            results.append(None)
        except ValidationError as exc:
            cid = raw.get("client_id") if isinstance(raw.get("client_id"), str) else None
            results.append(ItemResult(cid, "invalid", errors=exc.messages))
    stored = iter(ingest(user_id, valid, seen) if valid else [])
    return [r if r is not None else next(stored) for r in results]


def get_own(user_id: int, feedback_id: int) -> Feedback:
    """One of the user's feedback rows; another user's is reported as not found."""
    row = db.session.get(Feedback, feedback_id)
    if row is None or row.user_id != user_id:
        raise NotFound("No such feedback.")
    return row


def list_page(user_id: int, filters: dict) -> tuple[list[Feedback], int | None]:
    """One page of the user's feedback, newest first, after ``cursor`` (an id); the cursor of
    the next page, or None on the last. Rows are read by (user_id, id): no count, no offset."""
    query = list_own(user_id, filters)
    if "cursor" in filters:
        query = query.where(Feedback.id < filters["cursor"])
    size = filters["page_size"]
    rows = list(db.session.execute(query.limit(size + 1)).unique().scalars())
    return rows[:size], rows[size - 1].id if len(rows) > size else None


def list_own(user_id: int, filters: dict):
    """A query of the user's feedback, newest first, filtered."""
    query = db.select(Feedback).where(Feedback.user_id == user_id)
    if not filters.get("include_history"):
        query = query.where(Feedback.superseded_at.is_(None))
    if "kind" in filters:
        query = query.where(Feedback.kind == filters["kind"])
    if "site" in filters:
        from server.feedback.models import Answer

        query = query.join(Answer, Answer.id == Feedback.answer_id).where(
            Answer.site == filters["site"]
        )
    if "since" in filters:
        query = query.where(Feedback.created_at >= filters["since"])
    if "until" in filters:
        query = query.where(Feedback.created_at < filters["until"])
    return query.order_by(Feedback.id.desc())


def edit(user_id: int, feedback_id: int, changes: dict) -> Feedback:
    """Edit a live feedback row; spans are checked against its answer."""
    row = get_own(user_id, feedback_id)
    if row.withdrawn_at is not None or row.superseded_at is not None:
        raise Conflict("Only live feedback can be edited; this one was withdrawn or replaced.")
    errors = _span_errors(changes.get("spans") or [], row.answer.answer_text)
    if row.kind == "correction" and changes.get("corrected_text", row.corrected_text) is None:
        errors["corrected_text"] = ["a correction needs corrected text"]
    if "choice" in changes and row.kind != "pairwise":
        errors["choice"] = ["only pairwise feedback has a choice"]
    if errors:
        raise Unprocessable("The changes are invalid; see errors.", {"json": errors})
    for key, value in changes.items():
        setattr(row, key, sorted(set(value)) if key == "tags" else value)
    row.updated_at = utcnow()
    db.session.commit()
    return row


def withdraw(user_id: int, feedback_id: int) -> Feedback:
    """Withdraw feedback: a tombstone stays, it never enters training or datasets again."""
    row = get_own(user_id, feedback_id)
    if row.withdrawn_at is None:
        row.withdrawn_at = utcnow()
        row.updated_at = row.withdrawn_at
        db.session.commit()
    return row
