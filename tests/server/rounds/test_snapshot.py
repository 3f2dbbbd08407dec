"""The worker's snapshot: streamed in chunks, the same pairs as building them all at once,
co-authored pairs merged across chunks, yardstick judgements left out."""

import pytest

from reward_model.data import build_pairs
from server.extensions import db
from server.rounds import snapshot
from server.rounds.models import Preference
from server.rounds.preferences import feedback_rows, load_pairs


@pytest.fixture
def seeded(runner):
    """Real feedback: 4 contributors, 40 HH dialogues and 12 qa questions (all three kinds)."""
    result = runner.invoke(args=["demo", "seed", "--contributors", "4", "--hh", "40", "--qa", "12"])
    assert result.exit_code == 0, result.output


def _view(pairs) -> dict:
    """key → (authors, feedback ids, margin, trusted, source) of each pair."""
    return {
        p.key: (tuple(p.author_ids), tuple(p.feedback_ids), round(p.margin, 9), p.trusted, p.source)
        for p in pairs
    }


def test_streamed_snapshot_equals_building_at_once(app, client, seeded, monkeypatch):
    from tests.factories import post_feedback, qa_items, sign_in

    monkeypatch.setattr(snapshot, "CHUNK", 7)  # many chunks: merges must cross their edges
    rater = sign_in(client)
    for index in (30, 31):  # a thumbs-down and a thumbs-up on each prompt: rating pairs
        post_feedback(client, rater, index, kind="rating", rating=-1)
        post_feedback(client, rater, index, kind="rating", rating=1,
                      answer=qa_items()[index]["gold"], message_id=f"gold-{index}")  # fmt: skip
    with app.app_context():
        expected = build_pairs(feedback_rows())
        ids = snapshot.build_snapshot(set())
        assert len(ids) == len(set(ids)) == len(expected)
        assert _view(load_pairs(ids)) == _view(expected)
        assert {p.source for p in expected} == {"pairwise", "correction", "rating"}
        again = snapshot.build_snapshot(set())  # a rebuild keeps ids and replaces provenance
        assert sorted(again) == sorted(ids) and _view(load_pairs(again)) == _view(expected)


def test_co_authored_pairs_merge_across_chunks(app, client, monkeypatch):
    from tests.factories import post_feedback, sign_in

    monkeypatch.setattr(snapshot, "CHUNK", 1)  # the second posting lands in a later chunk
    first, second = sign_in(client), sign_in(client)
    for index in range(4):
        post_feedback(client, first, index)
    post_feedback(client, second, 0)
    with app.app_context():
        pairs = load_pairs(snapshot.build_snapshot(set()))
        expected = build_pairs(feedback_rows())
        assert _view(pairs) == _view(expected) and len(pairs) == 4
        assert sorted(len(p.author_ids) for p in pairs) == [1, 1, 1, 2]


def test_yardstick_judgements_are_never_trained_on(app, seeded):
    with app.app_context():
        everything = build_pairs(feedback_rows())
        guard = {everything[0].key, everything[1].key}
        ids = snapshot.build_snapshot(guard)
        kept = {p.key for p in load_pairs(ids)}
        assert len(kept) == len(everything) - 2 and not kept & guard
        assert db.session.query(Preference).count() >= len(kept)
