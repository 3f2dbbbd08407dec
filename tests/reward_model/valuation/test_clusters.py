"""Clusters: who joins whom, member shares, and k copies earning what one copy earns."""

from dataclasses import replace

import numpy as np
import pytest

from reward_model.valuation import value_round
from reward_model.valuation.clusters import collapse, find_clusters, member_shares


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


@pytest.mark.parametrize("split", ["equal", "first"])
def test_k_copies_earn_what_one_copy_earns(hh_features, planted, split):
    """Author 1 + 3 copier accounts earn ≤ 1.1 × what author 1 earns alone (and, with an equal
    split, not much less: each account's reliability rests only on its share of the pairs)."""
    pairs, _ = hh_features
    X, X_val, _ = planted
    alone = value_round(*_authored(pairs, X, 0, False)[:2], X_val, l2=0.1, n_groups=0)
    copied = value_round(*_authored(pairs, X, 3, True), X_val, l2=0.1, split=split, n_groups=0)
    one = alone.payout[1]
    k = copied.payout[1] + sum(copied.payout[100 + a] for a in range(3))
    assert one > 0 and (0.9 if split == "first" else 0.75) * one <= k <= 1.1 * one
    np.testing.assert_allclose(copied.head.w, alone.head.w)  # the head saw one copy
    if split == "first":  # the first poster keeps the cluster's whole lift
        assert copied.author_lift[1] == pytest.approx(alone.author_lift[1], rel=1e-9)
        assert all(copied.author_lift[100 + a] == 0.0 for a in range(3))


def test_without_clusters_copies_multiply_pay(hh_features, planted):
    """Control: with clustering off, a copier account earns exactly what the author earns."""
    pairs, _ = hh_features
    X, X_val, _ = planted
    alone = value_round(*_authored(pairs, X, 0, True), X_val, l2=0.1, threshold=2.0, n_groups=0)
    copied = value_round(*_authored(pairs, X, 1, True), X_val, l2=0.1, threshold=2.0, n_groups=0)
    assert copied.author_lift[100] == pytest.approx(copied.author_lift[1], rel=1e-9)
    assert copied.author_lift[100] != 0.0 and alone.author_lift[1] != 0.0
