"""Pair builder rules (parametrized) on hand-made rows and on real qa-feedback/HH rows."""

import hashlib
import json
from collections import Counter

import pytest

from reward_model.data import PairConfig, build_pairs, pair_key, split_pairs


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("a", ("Paris.", "Lyon.")), ("b", ("Lyon.", "Paris.")), ("tie", None), (None, None)],
)
def test_pairwise_follows_the_choice(make_row, choice, expected):
    """`a` is the row's answer, `b` the other answer; ties and missing choices give nothing."""
    row = make_row(kind="pairwise", rating=None, other_answer="Lyon.", choice=choice)
    pairs = build_pairs([row])
    assert [(p.chosen, p.rejected) for p in pairs] == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("corrected", "n_pairs"), [("Paris is the capital.", 1), ("Paris.", 0), ("  ", 0), (None, 0)]
)
def test_correction_beats_the_original(make_row, corrected, n_pairs):
    """A correction gives (corrected > answer), unless it changed nothing."""
    row = make_row(kind="correction", rating=None, corrected_text=corrected)
    pairs = build_pairs([row])
    assert len(pairs) == n_pairs
    if pairs:
        assert (pairs[0].chosen, pairs[0].rejected, pairs[0].source) == (
            corrected, "Paris.", "correction",
        )  # fmt: skip
        assert pairs[0].trusted


def _votes(make_row, answer, ratings, prompt_hash="h-france"):
    """Rating rows by users 1..n on one answer."""
    return [
        make_row(
            answer=answer, answer_id=hash(answer), rating=r, user_id=u, prompt_hash=prompt_hash
        )
        for u, r in enumerate(ratings, start=1)
    ]


def test_each_up_answer_beats_each_down_answer(make_row):
    """Two up x two down answers on one prompt give four pairs; another prompt gives none."""
    rows = (
        _votes(make_row, "Paris.", [1])
        + _votes(make_row, "It is Paris.", [1])
        + _votes(make_row, "Lyon.", [-1])
        + _votes(make_row, "Nice.", [-1])
        + _votes(make_row, "Berlin.", [-1], prompt_hash="other")
    )
    pairs = build_pairs(rows)
    assert {(p.chosen, p.rejected) for p in pairs} == {
        (up, down) for up in ("Paris.", "It is Paris.") for down in ("Lyon.", "Nice.")
    }
    assert all(p.source == "rating" for p in pairs)


@pytest.mark.parametrize("cap", [1, 2, 3])
def test_rating_pairs_are_capped_per_prompt(make_row, cap):
    """At most `max_rating_pairs_per_prompt` pairs per prompt."""
    rows = [r for a in "ABCD" for r in _votes(make_row, f"up {a}", [1])]
    rows += [r for a in "EF" for r in _votes(make_row, f"down {a}", [-1])]
    assert len(build_pairs(rows, PairConfig(max_rating_pairs_per_prompt=cap))) == cap


@pytest.mark.parametrize(
    ("up_votes", "down_votes", "margin", "trusted"),
    [
        ([1], [-1], 0.0, False),  # one rater each: no agreement to speak of
        ([1, 1, 1], [-1, -1, -1], 2 / 3, True),  # three unanimous raters
        ([1, 1, -1], [-1, -1, -1], (1 / 3) * (1 - 1 / 2), False),  # one dissenter
        ([1, -1], [-1], None, None),  # a split answer is neither up nor down
    ],
)
def test_rater_agreement_becomes_the_margin(make_row, up_votes, down_votes, margin, trusted):
    """margin = scale x min agreement x (1 - 1/raters); trusted needs agreement and raters."""
    rows = _votes(make_row, "Paris.", up_votes) + _votes(make_row, "Lyon.", down_votes)
    pairs = build_pairs(rows)
    if margin is None:
        assert pairs == []
        return
    (pair,) = pairs
    assert pair.margin == pytest.approx(margin)
    assert pair.trusted is trusted
    backers = {r["id"] for r in rows if r["rating"] == (1 if r["answer"] == "Paris." else -1)}
    assert set(pair.feedback_ids) == backers


@pytest.mark.parametrize("kind", ["rating", "pairwise", "correction"])
@pytest.mark.parametrize("excluded", [{"withdrawn": True}, {"licence": "no-training"}])
def test_withdrawn_and_no_training_never_enter(make_row, kind, excluded):
    """Withdrawn rows and rows licensed no-training give no pairs, whatever their kind."""
    fields = {
        "rating": {},
        "pairwise": {"other_answer": "Lyon.", "choice": "a"},
        "correction": {"corrected_text": "Paris is the capital."},
    }[kind]
    rows = [
        make_row(kind=kind, answer_id=1, **fields),
        make_row(answer="Lyon.", answer_id=2, rating=-1),
    ]
    assert build_pairs(rows)  # the rule applies to a set that does give pairs
    rows[0].update(excluded)
    assert all(rows[0]["id"] not in p.feedback_ids for p in build_pairs(rows))


def test_provenance_survives(make_row):
    """Feedback ids, authors, clusters, site, licence, source and the content key are kept."""
    row = make_row(
        id=41, user_id=7, cluster_id=5, site="claude", licence="research-only",
        kind="pairwise", other_answer="Lyon.", choice="a",
    )  # fmt: skip
    (pair,) = build_pairs([row])
    assert (pair.feedback_ids, pair.author_ids, pair.cluster_ids) == ((41,), (7,), (5,))
    assert (pair.site, pair.licence, pair.source) == ("claude", "research-only", "pairwise")
    blob = json.dumps([row["prompt"], "Paris.", "Lyon."], ensure_ascii=False).encode()
    assert (
        pair.key == hashlib.sha256(blob).hexdigest() == pair_key(row["prompt"], "Paris.", "Lyon.")
    )
    assert pair.as_dict()["feedback_ids"] == [41]


def test_same_pair_from_two_authors_is_merged(make_row):
    """Two accounts posting one judgement give one pair with both rows behind it; the repost
    raises neither margin nor trust, and the earliest receipt (time, then id) is kept."""
    rows = [
        make_row(kind="pairwise", answer="Lyon.", other_answer="Paris.", choice="b", user_id=2,
                 created_at="2026-01-02T00:00:00"),
        make_row(kind="pairwise", other_answer="Lyon.", choice="a", user_id=1, cluster_id=3,
                 created_at="2026-01-01T00:00:00"),
    ]  # fmt: skip
    (pair,) = build_pairs(rows)
    assert pair.feedback_ids == tuple(sorted((rows[0]["id"], rows[1]["id"])))
    assert (pair.author_ids, pair.cluster_ids) == ((1, 2), (3,))
    assert pair.margin == 0.0 and not pair.trusted
    assert pair.receipt == ("2026-01-01T00:00:00", rows[1]["id"], 1)


def test_unknown_kind_is_refused(make_row):
    """A row of an unknown kind is a bug upstream: say so."""
    with pytest.raises(ValueError, match="kind must be one of"):
        build_pairs([make_row(kind="emoji")])


def test_real_qa_feedback_gives_all_three_kinds(qa_rows):
    """Real rows: every source kind appears, keys are unique, provenance points at real rows."""
    pairs = build_pairs(qa_rows)
    assert set(Counter(p.source for p in pairs)) == {"rating", "pairwise", "correction"}
    assert len({p.key for p in pairs}) == len(pairs)
    by_id = {r["id"]: r for r in qa_rows}
    for pair in pairs:
        rows = [by_id[i] for i in pair.feedback_ids]
        assert {r["prompt"] for r in rows} == {pair.prompt}
        assert set(pair.author_ids) == {r["user_id"] for r in rows}
        assert pair.chosen != pair.rejected


@pytest.mark.parametrize("excluded", [{"withdrawn": True}, {"licence": "no-training"}])
def test_real_rows_excluded_leave_no_trace(qa_rows, excluded):
    """Excluding every other real row removes exactly their ids from all pairs."""
    rows = [dict(r, **excluded) if r["id"] % 2 else r for r in qa_rows]
    used = {i for p in build_pairs(rows) for i in p.feedback_ids}
    assert used and all(i % 2 == 0 for i in used)


def test_split_is_deterministic_disjoint_and_prefers_trusted(qa_rows):
    """Same pairs in any order give the same split; trusted pairs are over-represented."""
    pairs = build_pairs(qa_rows)
    train, held = split_pairs(pairs, eval_fraction=0.2)
    train2, held2 = split_pairs(list(reversed(pairs)), eval_fraction=0.2)
    assert {p.key for p in held} == {p.key for p in held2}
    assert {p.key for p in train} == {p.key for p in train2}
    assert not {p.key for p in train} & {p.key for p in held}
    assert len(train) + len(held) == len(pairs) and len(held) == round(0.2 * len(pairs))
    share = lambda ps: sum(p.trusted for p in ps) / len(ps)  # noqa: E731
    assert share(held) > share(pairs)
    assert any(p.trusted for p in train)  # training keeps some trusted pairs


@pytest.mark.parametrize("fraction", [-0.1, 1.0])
def test_split_rejects_bad_fractions(qa_rows, fraction):
    """The held-out fraction must leave something to train on."""
    with pytest.raises(ValueError, match="eval_fraction"):
        split_pairs(build_pairs(qa_rows), eval_fraction=fraction)
