"""The quick load gives what the schema's full load gives, or defers to the schema; the
schema's own `load` (webargs and batches call it) takes the quick path first."""

import pytest
from marshmallow import ValidationError

from server.feedback.quick_load import quick_load
from server.feedback.schemas import FeedbackIn
from tests.factories import make_feedback_payload

SCHEMA = FeedbackIn()
VALID = [
    make_feedback_payload(0),
    make_feedback_payload(
        1, tags=["harmful", "biased"], spans=[{"start": 0, "end": 3, "tag": "harmful"}]
    ),
    make_feedback_payload(
        2, kind="pairwise", rating=None, choice="tie", other_answer={"text": "b"}
    ),
    make_feedback_payload(
        3, kind="correction", rating=None, corrected_text="better", licence="cc-by-4.0"
    ),
    make_feedback_payload(4, conversation_id=None, comment="", model_name=None),
    {k: v for k, v in make_feedback_payload(5).items() if k not in ("tags", "spans", "message_id")},
]
INVALID = [
    make_feedback_payload(0, rating=True),
    make_feedback_payload(0, rating=2),
    make_feedback_payload(0, rating=1.0),
    make_feedback_payload(0, site="nowhere"),
    make_feedback_payload(0, prompt=""),
    make_feedback_payload(0, prompt="a\x00b"),
    make_feedback_payload(0, answer="\ud800"),
    make_feedback_payload(0, client_id="not-a-uuid"),
    make_feedback_payload(0, client_id=7),
    make_feedback_payload(0, unknown="x"),
    make_feedback_payload(0, tags=None),
    make_feedback_payload(0, tags=["nope"]),
    make_feedback_payload(0, spans=[{"start": 0, "end": 10**6, "tag": "harmful"}]),
    make_feedback_payload(0, spans=[{"start": -1, "end": 2, "tag": "harmful"}]),
    make_feedback_payload(0, spans=[{"start": 0, "end": 2, "tag": "harmful", "x": 1}]),
    make_feedback_payload(0, spans=[{"start": 0, "end": 2}]),
    make_feedback_payload(0, kind="rating", rating=None),
    make_feedback_payload(0, choice="a"),
    make_feedback_payload(0, kind="pairwise", rating=None, other_answer={"text": "b", "y": 1}),
    make_feedback_payload(0, kind="correction", rating=None, corrected_text="  "),
    make_feedback_payload(0, licence="mine"),
    make_feedback_payload(0, captured_at="0001-01-01T00:00:00+01:00"),
    {k: v for k, v in make_feedback_payload(0).items() if k != "prompt"},
    ["not", "an", "object"],
]


@pytest.mark.parametrize("raw", VALID)
def test_plain_items_load_as_the_schema_loads_them(raw):
    """Same values, same key order (the stored JSON and content hash depend on them)."""
    quick, full = quick_load(raw), SCHEMA.full_load(raw)
    assert SCHEMA.load(raw) == full
    assert quick == full
    assert list(quick) == list(full)
    assert [list(s) for s in quick["spans"]] == [list(s) for s in full["spans"]]


@pytest.mark.parametrize("raw", INVALID)
def test_anything_doubtful_is_left_to_the_schema(raw):
    """An invalid item is never accepted quickly: the schema refuses it and words why."""
    assert quick_load(raw) is None
    with pytest.raises(ValidationError) as full:
        SCHEMA.full_load(raw)
    with pytest.raises(ValidationError) as loaded:
        SCHEMA.load(raw)
    assert loaded.value.messages == full.value.messages


def test_a_timestamp_is_left_to_the_schema():
    """A valid captured_at takes the schema's path (its parsing and range)."""
    raw = make_feedback_payload(0, captured_at="2026-01-01T00:00:00+00:00")
    assert quick_load(raw) is None
    assert SCHEMA.load(raw)["captured_at"].year == 2026
    assert SCHEMA.load(raw) == SCHEMA.full_load(raw)
