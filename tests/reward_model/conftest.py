"""Fixtures for reward_model tests: real feedback from data/ and a row factory."""

import pytest

from reward_model.sources import HH_PATH, QA_PATH, load_hh, load_qa_feedback, records_to_rows


@pytest.fixture(scope="session")
def qa_records():
    """The first 40 qa-feedback questions as API feedback records (all three kinds)."""
    return load_qa_feedback(QA_PATH, limit=40)


@pytest.fixture(scope="session")
def qa_rows(qa_records):
    """Those records as feedback rows, spread over three authors."""
    return records_to_rows(qa_records, authors=3)


@pytest.fixture(scope="session")
def hh_records():
    """The first 60 HH-RLHF harmless pairs as pairwise feedback records."""
    return load_hh(HH_PATH, limit=60)


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
