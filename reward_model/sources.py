"""Loaders: the public data sets in `data/` as feedback records, and records as rows.

`load_hh` and `load_qa_feedback` return dicts in the API's POST shape (docs/contracts.md),
so `flask demo seed` can post them; `records_to_rows` turns such records into the feedback
rows `data.build_pairs` reads, for the CLI, tests and benchmarks that skip the server.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

ASSISTANT = "\n\nAssistant:"
QA_TAGS = {
    "irrelevant": "irrelevant",
    "wrong-grounding": "factually_wrong",
    "unverifiable": "unverifiable",
    "redundant": "redundant",
    "incoherent": "incoherent",
}
# The data sets ship with the project (data/README.md: sources, licences, citations);
# LIFTLEDGER_DATA points elsewhere, e.g. in an image where the package is installed.
DATA_DIR = Path(
    os.environ.get("LIFTLEDGER_DATA") or Path(__file__).resolve().parent.parent / "data"
)
HH_PATH = DATA_DIR / "hh-rlhf-harmless.jsonl.gz"
QA_PATH = DATA_DIR / "qa-feedback-dev.json.gz"
# The default yardstick is the tail of each file; `flask demo seed` posts from the head and
# refuses to reach into the tail (data/README.md, "How the project splits them").
YARDSTICK_HH = 500  # the last 500 HH dialogues
YARDSTICK_QA = 100  # the last 100 qa-feedback questions
# The default gold pool: the 60 qa-feedback questions just before the yardstick's, which the
# demo does not post either.
GOLD_QA = 60
_NAMESPACE = uuid.UUID("6c1f3a52-6e0e-4d8a-9a59-0d7c4b1e2f10")


def _open(path: str | Path):
    """Open a text file, gzip-compressed when its name ends in .gz."""
    path = Path(path)
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open()


def _record(dataset: str, index: int, prompt: str, answer: str, kind: str, **fields) -> dict:
    """A feedback record in the POST shape, with a client_id stable across runs."""
    record = {
        "client_id": str(uuid.uuid5(_NAMESPACE, f"{dataset}:{index}")),
        "site": "generic",
        "conversation_id": None,
        "message_id": None,
        "model_name": None,
        "prompt": prompt,
        "answer": answer,
        "kind": kind,
        "rating": None,
        "tags": [],
        "spans": [],
        "comment": None,
        "corrected_text": None,
        "other_answer": None,
        "choice": None,
        "licence": None,
        "captured_at": None,
    }
    record.update(fields)
    return record


def split_dialogue(text: str) -> tuple[str, str]:
    """HH dialogue -> (every turn up to the last assistant turn, the last assistant answer)."""
    cut = text.rfind(ASSISTANT)
    if cut < 0:
        raise ValueError("an HH dialogue must contain an '\\n\\nAssistant:' turn")
    return text[:cut].strip(), text[cut + len(ASSISTANT) :].strip()


def load_hh(path: str | Path, limit: int | None = None) -> list[dict]:
    """HH-RLHF lines {chosen, rejected} as pairwise records (choice alternates a/b)."""
    records = []
    with _open(path) as lines:
        for line in lines:
            if limit is not None and len(records) >= limit:
                break
            item = json.loads(line)
            prompt, chosen = split_dialogue(item["chosen"])
            prompt_r, rejected = split_dialogue(item["rejected"])
            if prompt != prompt_r or not prompt or not chosen or not rejected or chosen == rejected:
                continue
            i = len(records)
            # Alternate which answer is "a" so that `answer` is not always the chosen one.
            a, b, choice = (chosen, rejected, "a") if i % 2 == 0 else (rejected, chosen, "b")
            other = {"message_id": None, "text": b, "model_name": None}
            records.append(
                _record("hh", i, prompt, a, "pairwise", other_answer=other, choice=choice)
            )
    return records


def _qa_rating(item: dict) -> dict:
    """Fields of a rating on prediction 1: thumbs-down with tags and spans when it has errors."""
    feedback = item["feedback"]
    spans = []
    for error in feedback.get("errors", []):
        tag = QA_TAGS.get(error["error type"].lower())
        if tag:
            spans.append({"start": error["start"], "end": error["end"], "tag": tag})
    tags = sorted(
        {s["tag"] for s in spans} | ({"missing_info"} if feedback["missing-info"] else set())
    )
    bad = bool(feedback.get("errors") or feedback.get("missing-info"))
    return {"rating": -1 if bad else 1, "tags": tags, "spans": spans}


def _qa_records(item: dict, index: int) -> Iterator[dict]:
    """All records of one qa-feedback question: ratings, a correction, pairwise choices."""
    question, answers = item["question"], [item[f"prediction {k}"] for k in range(1, 5)]
    base = f"qa:{index}"
    yield _record(base, 0, question, answers[0], "rating", **_qa_rating(item))
    # The reference answer was written by annotators: it counts as a thumbs-up.
    yield _record(base, 1, question, item["gold"], "rating", rating=1, tags=["great_answer"])
    corrected = item["feedback"].get("corrected-prediction") or ""
    if corrected.strip() and corrected.strip() != answers[0].strip():
        yield _record(base, 2, question, answers[0], "correction", corrected_text=corrected)
    order = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    for n, ((i, j), verdict) in enumerate(zip(order, item["preference"], strict=True)):
        other = {"message_id": None, "text": answers[j], "model_name": None}
        choice = {0: "tie", 1: "a", 2: "b"}[verdict]
        yield _record(
            base, 3 + n, question, answers[i], "pairwise", other_answer=other, choice=choice
        )


def qa_feedback_by_question(path: str | Path, limit: int | None = None) -> list[list[dict]]:
    """qa-feedback questions (all of them, or the first `limit`), each as the list of feedback
    records its annotation makes (one annotator's ratings, correction and comparisons)."""
    with _open(path) as handle:
        items = json.load(handle)
    return [list(_qa_records(item, index)) for index, item in enumerate(items[:limit])]


def load_qa_feedback(path: str | Path, limit: int | None = None) -> list[dict]:
    """qa-feedback questions (all of them, or the first `limit`) as feedback records."""
    return [record for group in qa_feedback_by_question(path, limit) for record in group]


def text_hash(text: str) -> str:
    """sha256 hex of a text with whitespace collapsed (how rows name prompts and answers)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def records_to_rows(
    records: Iterable[dict], authors: int = 1, licence: str = "cc-by-4.0"
) -> list[dict]:
    """POST-shape records -> feedback rows; record i is authored by user `i % authors + 1`."""
    answer_ids: dict[str, int] = {}
    rows = []
    for i, rec in enumerate(records):
        prompt_hash = text_hash(rec["prompt"])
        other = (rec.get("other_answer") or {}).get("text")
        ids = [
            answer_ids.setdefault(f"{prompt_hash}:{text_hash(t)}", len(answer_ids) + 1)
            if t
            else None
            for t in (rec["answer"], other)
        ]
        rows.append(
            {
                "id": i + 1,
                "user_id": i % authors + 1,
                "kind": rec["kind"],
                "site": rec.get("site") or "generic",
                "licence": rec.get("licence") or licence,
                "cluster_id": rec.get("cluster_id"),
                "withdrawn": bool(rec.get("withdrawn", False)),
                "prompt": rec["prompt"],
                "prompt_hash": prompt_hash,
                "answer": rec["answer"],
                "answer_id": ids[0],
                "rating": rec.get("rating"),
                "corrected_text": rec.get("corrected_text"),
                "other_answer": other,
                "other_answer_id": ids[1],
                "choice": rec.get("choice"),
                "tags": list(rec.get("tags") or []),
                "created_at": rec.get("captured_at"),
            }
        )
    return rows


def read_rows(path: str | Path) -> list[dict]:
    """Feedback rows from a JSONL file (one row dict a line; .gz allowed)."""
    with _open(path) as lines:
        return [json.loads(line) for line in lines if line.strip()]


def default_yardstick_records(data_dir: str | Path = DATA_DIR) -> list[dict]:
    """The records of the default yardstick: the last `YARDSTICK_HH` HH dialogues and every
    judgement on the last `YARDSTICK_QA` qa-feedback questions."""
    data_dir = Path(data_dir)
    hh = load_hh(data_dir / HH_PATH.name)
    with _open(data_dir / QA_PATH.name) as handle:
        items = json.load(handle)
    start = len(items) - YARDSTICK_QA
    qa = [r for k, item in enumerate(items[start:]) for r in _qa_records(item, start + k)]
    return hh[-YARDSTICK_HH:] + qa


def default_gold_rows(data_dir: str | Path = DATA_DIR) -> list[dict]:
    """The default gold pool as prompt/chosen/rejected rows: on each of the `GOLD_QA`
    qa-feedback questions before the yardstick's whose first prediction annotators flagged
    (an error span or missing information), the annotators' reference answer is better than
    that prediction."""
    with _open(Path(data_dir) / QA_PATH.name) as handle:
        items = json.load(handle)
    end = len(items) - YARDSTICK_QA
    rows = []
    for item in items[end - GOLD_QA : end]:
        feedback, worse = item["feedback"], item["prediction 1"]
        flagged = feedback.get("errors") or feedback.get("missing-info")
        if flagged and item["gold"].strip() and item["gold"].strip() != worse.strip():
            rows.append({"prompt": item["question"], "chosen": item["gold"], "rejected": worse})
    return rows


def demo_limits(data_dir: str | Path = DATA_DIR) -> tuple[int, int]:
    """How many HH dialogues and qa questions the demo may post without touching the
    default yardstick or the default gold pool."""
    data_dir = Path(data_dir)
    with _open(data_dir / QA_PATH.name) as handle:
        n_qa = len(json.load(handle))
    return len(load_hh(data_dir / HH_PATH.name)) - YARDSTICK_HH, n_qa - YARDSTICK_QA - GOLD_QA
