"""Duplicate clusters: k copies of one judgement are valued as one item, the value split.

Pairs i, j join a cluster when they share a content key or a given cluster id (and point
the same way: x_i·x_j > 0, so a judgement and its reversal never merge), or when their
feature differences are near-identical: cos(x_i, x_j) > threshold. The head is fitted on
one representative per cluster C (x_C = mean of its members' x_i, m_C = mean margin), so

    lift_i = c_i · lift_C,   Σ_{i∈C} c_i = 1,

with member shares c_i equal (`split="equal"`) or all to the first poster (`"first"`).
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
    threshold: float = 0.98,
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
    norms = np.linalg.norm(X, axis=1)
    live = np.flatnonzero(norms > 0)
    unit = X[live] / norms[live, None]
    for start in range(0, len(live), block):
        cos = unit[start : start + block] @ unit.T
        for a, b in zip(*np.nonzero(cos > threshold), strict=True):
            _union(parent, int(live[start + a]), int(live[b]))
    roots = np.array([_find(parent, i) for i in range(len(X))])
    _, labels = np.unique(roots, return_inverse=True)
    return labels.astype(int)


def collapse(
    X: np.ndarray, labels: np.ndarray, margin: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One representative per cluster: (mean feature difference, mean margin)."""
    k = int(labels.max()) + 1 if len(labels) else 0
    counts = np.bincount(labels, minlength=k).astype(float)
    X_rep = np.zeros((k, X.shape[1]))
    np.add.at(X_rep, labels, X)
    m = np.zeros(len(X)) if margin is None else np.asarray(margin, dtype=float)
    return X_rep / counts[:, None], np.bincount(labels, weights=m, minlength=k) / counts


def member_shares(labels: np.ndarray, split: str = "equal") -> np.ndarray:
    """c_i: row i's share of its cluster's value (equal, or all to the first row posted)."""
    counts = np.bincount(labels)
    if split == "equal":
        return 1.0 / counts[labels]
    if split == "first":
        _, first = np.unique(labels, return_index=True)
        shares = np.zeros(len(labels))
        shares[first] = 1.0
        return shares
    raise ValueError('split must be "equal" or "first"')


def spread(cluster_values: np.ndarray, labels: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Per-row value c_i · value of row i's cluster."""
    return np.asarray(cluster_values)[labels] * shares
