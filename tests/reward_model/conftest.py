"""Fixtures for reward_model tests: real feedback from ../shared/data and a row factory."""

from pathlib import Path

import pytest

from reward_model.sources import load_hh, load_qa_feedback, records_to_rows

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
HH = DATA / "hh-rlhf-harmless.jsonl.gz"
QA = DATA / "qa-feedback-dev.json.gz"


@pytest.fixture(scope="session")
def qa_records():
    """The first 40 qa-feedback questions as API feedback records (all three kinds)."""
    return load_qa_feedback(QA, limit=40)


@pytest.fixture(scope="session")
def qa_rows(qa_records):
    """Those records as feedback rows, spread over three authors."""
    return records_to_rows(qa_records, authors=3)


@pytest.fixture(scope="session")
def hh_records():
    """The first 60 HH-RLHF harmless pairs as pairwise feedback records."""
    return load_hh(HH, limit=60)


@pytest.fixture
def make_row():
    """Factory of feedback rows in the contract's shape; ids count up."""
    counter = iter(range(1, 10_000))

    def make(**fields):
        row = {
            "id": next(counter),
            "user_id": 1,
            "kind": "rating",
            "site": "chatgpt",
            "licence": "cc-by-4.0",
            "cluster_id": None,
            "withdrawn": False,
            "prompt": "What is the capital of France?",
            "prompt_hash": "h-france",
            "answer": "Paris.",
            "answer_id": None,
            "rating": 1,
            "corrected_text": None,
            "other_answer": None,
            "other_answer_id": None,
            "choice": None,
            "tags": [],
            "created_at": "2026-11-21T10:00:00+00:00",
        }
        row.update(fields)
        return row

    return make
