"""Duplicate clusters: k copies of one judgement are valued as one item, the first post's.

Pairs i, j join a cluster when they share a content key or a given cluster id (and point
the same way: x_i·x_j > 0, so a judgement and its reversal never merge), when their texts
are near-duplicates (`reward_model.near_duplicates`, run over the pairs in receipt order),
or, if a threshold is given, when their feature differences are near-identical:
cos(x_i, x_j) > threshold. The head is fitted on one representative per cluster C, so

    lift_i = c_i · lift_C,   Σ_{i∈C} c_i = 1,

with member shares c_i equal (`split="equal"`) or all to the first post (`"first"`). With
`"first"` the representative is the first post itself (its x_i and its margin, not a mean),
so later copies change neither the head nor the margin, and the earliest feedback by server
receipt (`receipt_order`) holds the cluster's whole credit.
Why k copies ≈ one copy: the representative carries weight 1 in L(w) however many accounts
post it, so the head, H and every other lift are those of one copy, and the split conserves
the cluster's total. Without this, k copies weigh k in L(w) and earn ≈ k times one copy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np


def _find(parent: np.ndarray, i: int) -> int:
    """Root of i in a union-find forest, with path halving."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return int(i)


def _union(parent: np.ndarray, i: int, j: int) -> None:
    """Join the sets of i and j (the smaller root wins, so labels follow first appearance)."""
    a, b = _find(parent, i), _find(parent, j)
    if a != b:
        parent[max(a, b)] = min(a, b)


def _tagged_groups(keys: Sequence | None, cluster_ids: Sequence | None) -> list[list[int]]:
    """Row lists sharing a key or a given cluster id."""
    groups: dict = defaultdict(list)
    for i, key in enumerate(keys or ()):
        if key:
            groups[("key", key)].append(i)
    for i, ids in enumerate(cluster_ids or ()):
        for cid in ids if isinstance(ids, (list, tuple, set)) else (ids,):
            if cid is not None:
                groups[("id", cid)].append(i)
    return [rows for rows in groups.values() if len(rows) > 1]


def find_clusters(
    X: np.ndarray,
    keys: Sequence | None = None,
    cluster_ids: Sequence | None = None,
    threshold: float | None = 0.98,
    block: int = 1024,
) -> np.ndarray:
    """Cluster label per row (0..K−1, numbered by first appearance)."""
    X = np.asarray(X, dtype=float)
    parent = np.arange(len(X))
    for rows in _tagged_groups(keys, cluster_ids):
        same = X[rows] @ X[rows[0]] > 0
        anchors = {True: rows[0], False: None}
        for i, s in zip(rows, same, strict=True):
            anchors[bool(s)] = i if anchors[bool(s)] is None else anchors[bool(s)]
            _union(parent, i, anchors[bool(s)])
    if threshold is None:
        return _labels(parent)
    norms = np.linalg.norm(X, axis=1)
    live = np.flatnonzero(norms > 0)
    unit = X[live] / norms[live, None]
    for start in range(0, len(live), block):
        cos = unit[start : start + block] @ unit.T
        for a, b in zip(*np.nonzero(cos > threshold), strict=True):
            _union(parent, int(live[start + a]), int(live[b]))
    return _labels(parent)


def _labels(parent: np.ndarray) -> np.ndarray:
    """Labels 0..K−1 of a union-find forest, numbered by first appearance."""
    roots = np.array([_find(parent, i) for i in range(len(parent))], dtype=int)
    _, labels = np.unique(roots, return_inverse=True)
    return labels.astype(int)


def receipt_order(pairs: Sequence) -> np.ndarray:
    """Rank of each pair by server receipt of its earliest feedback (time, then feedback id;
    `Pair.receipt`); pairs without a receipt keep their place, before those with one."""

    def key(i: int) -> tuple:
        receipt = getattr(pairs[i], "receipt", ()) or ()
        return (str(receipt[0]), int(receipt[1])) if receipt else ("", -1)

    order = sorted(range(len(pairs)), key=key)  # stable: ties keep the given order
    rank = np.empty(len(pairs), dtype=int)
    rank[order] = np.arange(len(pairs))
    return rank


def first_author(pair) -> int:
    """The account whose feedback reached the server first (the first of `author_ids` when
    the pair carries no receipt naming one of them)."""
    receipt = getattr(pair, "receipt", ()) or ()
    return receipt[2] if receipt and receipt[2] in pair.author_ids else pair.author_ids[0]


def text_clusters(pairs: Sequence, rank: np.ndarray, max_edit: float = 0.10) -> list:
    """A near-duplicate cluster tag per pair, from its prompt and answer texts (a correction's
    pair is its corrected text over the answer), clustered in receipt order."""
    from reward_model.near_duplicates import cluster_pairs

    order = np.argsort(rank, kind="stable")
    labels = cluster_pairs([(pairs[i].prompt, pairs[i].chosen, pairs[i].rejected) for i in order],
                           max_edit)  # fmt: skip
    tags = [None] * len(pairs)
    for position, i in enumerate(order):
        tags[i] = ("text", int(order[labels[position]]))
    return tags


def collapse(
    X: np.ndarray,
    labels: np.ndarray,
    margin: np.ndarray | None = None,
    rank: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One representative per cluster: its first post's feature difference and margin when
    `rank` (receipt order) is given, else the members' mean of both."""
    if rank is not None:
        first = first_members(labels, rank)
        m = np.zeros(len(X)) if margin is None else np.asarray(margin, dtype=float)
        return np.asarray(X, dtype=float)[first], m[first]
    k = int(labels.max()) + 1 if len(labels) else 0
    counts = np.bincount(labels, minlength=k).astype(float)
    X_rep = np.zeros((k, X.shape[1]))
    np.add.at(X_rep, labels, X)
    m = np.zeros(len(X)) if margin is None else np.asarray(margin, dtype=float)
    return X_rep / counts[:, None], np.bincount(labels, weights=m, minlength=k) / counts


def first_members(labels: np.ndarray, rank: np.ndarray | None = None) -> np.ndarray:
    """Row index of each cluster's first post (lowest `rank`; by default the first row)."""
    k = int(labels.max()) + 1 if len(labels) else 0
    rank = np.arange(len(labels)) if rank is None else np.asarray(rank)
    first = np.full(k, -1)
    for i in np.argsort(rank, kind="stable")[::-1]:
        first[labels[i]] = i
    return first


def member_shares(
    labels: np.ndarray, split: str = "equal", rank: np.ndarray | None = None
) -> np.ndarray:
    """c_i: row i's share of its cluster's value (equal, or all to the first post: the
    lowest `rank`, by default the first row)."""
    counts = np.bincount(labels)
    if split == "equal":
        return 1.0 / counts[labels]
    if split == "first":
        shares = np.zeros(len(labels))
        shares[first_members(labels, rank)] = 1.0
        return shares
    raise ValueError('split must be "equal" or "first"')


def spread(cluster_values: np.ndarray, labels: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Per-row value c_i · value of row i's cluster."""
    return np.asarray(cluster_values)[labels] * shares
