"""Clusters: who joins whom, member shares, and k copies earning what one copy earns."""

from dataclasses import replace

import numpy as np
import pytest

from reward_model.valuation.clusters import collapse, find_clusters, member_shares
from reward_model.valuation.round import value_round


def test_find_clusters_by_copy_key_and_cosine():
    """Copies and near-copies join; a reversed pair with the same key stays apart."""
    X = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.999, 0.01], [-1.0, 0.0]])
    labels = find_clusters(X, keys=["a", "b", "c", "d", "a"], threshold=0.98)
    assert labels.tolist() == [0, 0, 1, 0, 2]


def test_given_cluster_ids_join_pairs_pointing_the_same_way():
    """Pairs sharing a cluster id join when x_i·x_j > 0, even far below the cosine threshold."""
    X = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [-1.0, -0.1]])
    labels = find_clusters(X, cluster_ids=[(5,), (5,), (), (5,)], threshold=0.99)
    assert labels.tolist() == [0, 0, 1, 2]


def test_collapse_and_shares():
    """Representative = mean of members; shares equal, or all to the first poster."""
    X = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 2.0]])
    labels = np.array([0, 0, 1])
    X_rep, m_rep = collapse(X, labels, np.array([0.2, 0.4, 1.0]))
    np.testing.assert_allclose(X_rep, [[2.0, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(m_rep, [0.3, 1.0])
    assert member_shares(labels, "equal").tolist() == [0.5, 0.5, 1.0]
    assert member_shares(labels, "first").tolist() == [1.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="split"):
        member_shares(labels, "most")


def _authored(pairs, X, copies: int, fresh_keys: bool):
    """Authors 1..5 own 20 pairs each; `copies` extra accounts repost author 1's pairs."""
    out = [replace(p, author_ids=(1 + i // 20,)) for i, p in enumerate(pairs[:100])]
    rows = list(X[:100])
    for account in range(copies):
        for i in range(20):
            key = f"copy-{account}-{i}" if fresh_keys else out[i].key
            out.append(replace(out[i], author_ids=(100 + account,), key=key))
            rows.append(X[i])
    return out, np.array(rows)


def test_k_copies_earn_what_one_copy_earns(hh_features, planted):
    """Author 1 + 3 copier accounts (exact texts, fresh keys) earn ≤ 1.05 × what author 1
    earns alone; author 1 keeps its lift and pay, the copies earn 0 and the head saw one copy."""
    pairs, _ = hh_features
    X, X_val, _ = planted
    alone = value_round(*_authored(pairs, X, 0, False)[:2], X_val, l2=0.1, n_groups=0)
    copied = value_round(*_authored(pairs, X, 3, True), X_val, l2=0.1, n_groups=0)
    one = alone.payout[1]
    k = copied.payout[1] + sum(copied.payout[100 + a] for a in range(3))
    assert one > 0 and 0.9 * one <= copied.payout[1] and k <= 1.05 * one
    np.testing.assert_allclose(copied.head.w, alone.head.w)
    assert copied.author_lift[1] == pytest.approx(alone.author_lift[1], rel=1e-9)
    assert all(copied.payout[100 + a] == 0.0 for a in range(3))


def test_the_earliest_receipt_holds_the_credit_not_the_list_order(hh_features, planted):
    """A copy listed first but received later earns 0; the cluster's representative is the
    first post's pair with its own margin, not the members' mean."""
    pairs, _ = hh_features
    X, X_val, _ = planted
    original = replace(pairs[0], author_ids=(1,), receipt=("2026-01-01T00:00:00", 5, 1))
    copy = replace(pairs[0], author_ids=(2,), key="copy", margin=0.9,
                   receipt=("2026-01-02T00:00:00", 9, 2))  # fmt: skip
    rest = [replace(p, author_ids=(3,), receipt=("2026-01-03", 10 + i, 3))
            for i, p in enumerate(pairs[1:60])]  # fmt: skip
    values = value_round([copy, original, *rest], np.vstack([X[:1], X[:1], X[1:60]]), X_val,
                         l2=0.1, n_groups=0)  # fmt: skip
    assert values.cluster[0] == values.cluster[1]
    assert values.pair_lift[0] == 0.0 and values.pair_lift[1] != 0.0
    assert values.author_lift[2] == 0.0 and values.payout[2] == 0.0
    solo = value_round([original, *rest], X[:60], X_val, l2=0.1, n_groups=0)
    np.testing.assert_allclose(values.head.w, solo.head.w)  # margin 0.9 of the copy unused


def test_without_clusters_copies_multiply_pay(hh_features, planted):
    """Control: with clustering off, a copier account earns exactly what the author earns."""
    pairs, _ = hh_features
    X, X_val, _ = planted
    alone = value_round(*_authored(pairs, X, 0, True), X_val, l2=0.1, max_edit=None, n_groups=0)
    copied = value_round(*_authored(pairs, X, 1, True), X_val, l2=0.1, max_edit=None, n_groups=0)
    assert copied.author_lift[100] == pytest.approx(copied.author_lift[1], rel=1e-9)
    assert copied.author_lift[100] != 0.0 and alone.author_lift[1] != 0.0
