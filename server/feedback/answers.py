"""Answers are stored once: keyed by (site, message id) when the site gives one, else by
(site, prompt hash, answer hash)."""

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
    if spec["message_id"] is not None:
        return ("m", spec["site"], spec["message_id"])
    return ("c", spec["site"], spec["prompt_hash"], spec["answer_hash"])


def _existing(specs: dict[tuple, dict]) -> dict[tuple, Answer]:
    """Stored answers for the given keys."""
    message_ids = [k[2] for k in specs if k[0] == "m"]
    hashes = [k[3] for k in specs if k[0] == "c"]
    found: dict[tuple, Answer] = {}
    if message_ids:
        query = db.select(Answer).where(Answer.message_id.in_(message_ids))
        for a in db.session.execute(query).scalars():
            found[("m", a.site, a.message_id)] = a
    if hashes:
        query = db.select(Answer).where(Answer.message_id.is_(None), Answer.answer_hash.in_(hashes))
        for a in db.session.execute(query).scalars():
            found[("c", a.site, a.prompt_hash, a.answer_hash)] = a
    return {k: v for k, v in found.items() if k in specs}


def _item_specs(item: dict) -> tuple[dict, dict | None]:
    """The answer and, for pairwise feedback, the other answer of an item."""
    main = _spec(item, item["answer"], item.get("message_id"), item.get("model_name"))
    other = item.get("other_answer")
    if not other:
        return main, None
    return main, _spec(item, other["text"], other.get("message_id"), other.get("model_name"))


def resolve(items: list[dict]) -> dict[str, tuple[int, int | None] | str]:
    """Map each item's client_id to (answer id, other answer id), creating missing answers;
    or to a message when a site message id is already stored with different text."""
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
    out: dict[str, tuple[int, int | None] | str] = {}
    for cid, (main, other) in pairs.items():
        clash = [s for s in (main, other) if s and _clashes(s, stored)]
        if clash:
            out[cid] = "this message id is already stored with a different answer text"
            continue
        out[cid] = (ids[_key(main)], ids[_key(other)] if other else None)
    return out


def _clashes(spec: dict, stored: dict[tuple, Answer]) -> bool:
    """True when a stored answer with this message id has different text."""
    answer = stored.get(_key(spec))
    return answer is not None and answer.answer_hash != spec["answer_hash"]
