"""Loaders of data/: records in the API's POST shape, and records as rows."""

import gzip
import json

import pytest

from reward_model.sources import HH_PATH as HH
from reward_model.sources import QA_PATH as QA
from reward_model.sources import (
    load_hh,
    load_qa_feedback,
    read_rows,
    records_to_rows,
    split_dialogue,
)

POST_FIELDS = {
    "client_id", "site", "conversation_id", "message_id", "model_name", "prompt", "answer",
    "kind", "rating", "tags", "spans", "comment", "corrected_text", "other_answer", "choice",
    "licence", "captured_at",
}  # fmt: skip


@pytest.mark.parametrize("loader", ["hh", "qa"])
def test_records_have_the_post_shape(loader, hh_records, qa_records):
    """Every record has exactly the contract's fields, site generic and a required part per kind."""
    records = hh_records if loader == "hh" else qa_records
    for rec in records:
        assert set(rec) == POST_FIELDS and rec["site"] == "generic"
        assert rec["prompt"].strip() and rec["answer"].strip()
        if rec["kind"] == "rating":
            assert rec["rating"] in (1, -1)
        elif rec["kind"] == "pairwise":
            assert rec["other_answer"]["text"] and rec["choice"] in ("a", "b", "tie")
        else:
            assert rec["corrected_text"]
    assert len({r["client_id"] for r in records}) == len(records)


def test_hh_splits_dialogue_into_prompt_and_last_answer():
    """The shared turns are the prompt; the last assistant turns are the two answers."""
    with gzip.open(HH, "rt") as lines:
        first = json.loads(next(lines))
    (rec,) = load_hh(HH, limit=1)
    prompt, chosen = split_dialogue(first["chosen"])
    assert rec["prompt"] == prompt and prompt.startswith("Human:")
    assert rec["choice"] == "a" and rec["answer"] == chosen
    assert first["rejected"].endswith(rec["other_answer"]["text"])
    assert "\n\nHuman:" not in rec["answer"]


def test_hh_alternates_which_answer_is_a(hh_records):
    """Choices alternate, and the chosen answer always ends the original chosen dialogue."""
    assert [r["choice"] for r in hh_records[:4]] == ["a", "b", "a", "b"]
    assert load_hh(HH, limit=7) == hh_records[:7]


def test_qa_feedback_keeps_spans_tags_and_corrections(qa_records):
    """Ratings carry tagged spans inside the answer; corrections and ties are present."""
    kinds = {r["kind"] for r in qa_records}
    assert kinds == {"rating", "pairwise", "correction"}
    spans = [(r, s) for r in qa_records if r["kind"] == "rating" for s in r["spans"]]
    assert spans
    for rec, span in spans:
        assert 0 <= span["start"] < span["end"] <= len(rec["answer"])
        assert span["tag"] in rec["tags"] and rec["rating"] == -1
    assert any(r["choice"] == "tie" for r in qa_records)
    assert len({r["prompt"] for r in load_qa_feedback(QA, limit=3)}) == 3


def test_records_to_rows_shares_answer_ids_and_spreads_authors(qa_records, tmp_path):
    """Equal answers to one prompt share an answer id; authors go round-robin; JSONL round-trips."""
    rows = records_to_rows(qa_records, authors=3)
    assert [r["user_id"] for r in rows[:4]] == [1, 2, 3, 1]
    ids = {}
    for row in rows:
        assert (
            ids.setdefault((row["prompt_hash"], row["answer"]), row["answer_id"])
            == row["answer_id"]
        )
    assert all(r["licence"] == "cc-by-4.0" and not r["withdrawn"] for r in rows)
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert read_rows(path) == rows


def test_split_dialogue_needs_an_assistant_turn():
    """A text without an assistant turn is not an HH dialogue."""
    with pytest.raises(ValueError, match="Assistant"):
        split_dialogue("\n\nHuman: hello")
