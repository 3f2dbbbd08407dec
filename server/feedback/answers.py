"""Answers are stored once, identified by their content: (site, message id, prompt hash,
answer hash) when the site gives a message id, else (site, prompt hash, answer hash).

A message id alone does not identify an answer: anyone can send any text under a real
message id, and the first text stored must not capture the feedback of everyone who saw the
real one. Feedback therefore always attaches to the text its author sent; a forged text under
a real message id is an answer of its own (a regenerated answer is one too).
"""

import hashlib
import re

from server.extensions import db
from server.feedback.models import Answer


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


def _key(spec: dict) -> tuple:
    """The identity of an answer row."""
    content = (spec["site"], spec["prompt_hash"], spec["answer_hash"])
    if spec["message_id"] is not None:
        return ("m", spec["message_id"], *content)
    return ("c", *content)


def _existing(specs: dict[tuple, dict]) -> dict[tuple, Answer]:
    """Stored answers for the given keys."""
    hashes = list({k[-1] for k in specs})
    found: dict[tuple, Answer] = {}
    for start in range(0, len(hashes), 500):  # bounded IN lists
        query = db.select(Answer).where(Answer.answer_hash.in_(hashes[start : start + 500]))
        for a in db.session.execute(query).scalars():
            spec = {k: getattr(a, k) for k in ("site", "message_id", "prompt_hash", "answer_hash")}
            found[_key(spec)] = a
    return {k: v for k, v in found.items() if k in specs}


def _item_specs(item: dict) -> tuple[dict, dict | None]:
    """The answer and, for pairwise feedback, the other answer of an item."""
    main = _spec(item, item["answer"], item.get("message_id"), item.get("model_name"))
    other = item.get("other_answer")
    if not other:
        return main, None
    return main, _spec(item, other["text"], other.get("message_id"), other.get("model_name"))


def resolve(items: list[dict]) -> dict[str, tuple[int, int | None]]:
    """Map each item's client_id to (answer id, other answer id), creating missing answers."""
    pairs = {item["client_id"]: _item_specs(item) for item in items}
    specs = {_key(s): s for main, other in pairs.values() for s in (main, other) if s}
    stored = _existing(specs)
    missing = [s for k, s in specs.items() if k not in stored]
    ids = {k: a.id for k, a in stored.items()}
    if missing:
        new_ids = (
            db.session.execute(
                db.insert(Answer).returning(Answer.id, sort_by_parameter_order=True), missing
            )
            .scalars()
            .all()
        )
        ids.update({_key(s): i for s, i in zip(missing, new_ids, strict=True)})
    return {
        cid: (ids[_key(main)], ids[_key(other)] if other else None)
        for cid, (main, other) in pairs.items()
    }
