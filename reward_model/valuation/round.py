"""`value_round`: lift per preference, clusters, author totals, reliability and payout weights.

Per round: cluster duplicates (`clusters`), fit the head on one representative per cluster
and value each by influence (`influence`), split each cluster's lift among its member pairs
and each pair's among its authors, so lift_a = Σ_i c_ia lift_i; update each author's
reliability (`reliability`) from agreement with the leave-author-out consensus
w*_{−a} ≈ w* + H⁻¹ Σ_i c_ia ∇ℓ_i / n and from lift per pair; payout weight
max(0, lift_a) · r_a; and calibrate influence against exact leave-author-out retraining
on up to `n_groups` authors (`leave_group_out`), reported as a Spearman correlation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from reward_model.head import HeadFit, accuracy
from reward_model.valuation.clusters import collapse, find_clusters, member_shares, spread
from reward_model.valuation.influence import InfluenceLift
from reward_model.valuation.leave_group_out import LeaveGroupOut
from reward_model.valuation.reliability import (
    AuthorEvidence,
    payout_weight,
    round_reference,
    update_reliability,
)


@dataclass
class RoundValues:
    """Everything a round credits: per pair, per author, and the calibration behind it."""

    pair_lift: np.ndarray
    cluster: np.ndarray
    author_lift: dict
    reliability: dict
    payout: dict
    evidence: dict
    heldout_accuracy: float
    head: HeadFit
    calibration_spearman: float = float("nan")
    calibration: list = field(default_factory=list)


def author_shares(
    pairs: Sequence, labels: np.ndarray, split: str
) -> tuple[list, np.ndarray, np.ndarray]:
    """(authors, S, posted): S[a, i] = author a's share of pair i's value (clusters split
    it among member pairs, co-authors of a pair split it equally); posted[a, i] = a posted i."""
    authors = sorted({a for p in pairs for a in p.author_ids})
    index = {a: k for k, a in enumerate(authors)}
    cluster_share = member_shares(labels, split)
    S = np.zeros((len(authors), len(pairs)))
    posted = np.zeros((len(authors), len(pairs)), dtype=bool)
    for i, pair in enumerate(pairs):
        for a in pair.author_ids:
            S[index[a], i] += cluster_share[i] / len(pair.author_ids)
            posted[index[a], i] = True
    return authors, S, posted


def _evidence(
    influence: InfluenceLift, X: np.ndarray, X_rep, m_rep, labels, S, posted
) -> list[AuthorEvidence]:
    """Each author's agreements with the head refit without their share, and lift per pair."""
    k = len(X_rep)
    lifts = S @ influence.result.values[labels]
    out = []
    for a, row in enumerate(S):
        rep_share = np.bincount(labels, weights=row, minlength=k)
        w = influence.head.w + influence.parameter_shift(X_rep, rep_share, m_rep)
        mine = np.flatnonzero(posted[a])
        agree = float(np.sum(X[mine] @ w > 0))
        out.append(AuthorEvidence(len(mine), agree, lifts[a] / max(len(mine), 1)))
    return out


def value_round(
    pairs: Sequence,
    X: np.ndarray,
    X_val: np.ndarray,
    previous: Mapping | None = None,
    l2: float = 1e-2,
    threshold: float = 0.98,
    split: str = "equal",
    n_groups: int = 20,
    seed: int = 0,
) -> RoundValues:
    """Value one round. `pairs` carry author_ids, cluster_ids, key, margin (data.Pair);
    X / X_val are feature differences f(chosen) − f(rejected) of training / trusted held-out
    pairs; `previous` maps author → last reliability (absent: a new, neutral author)."""
    X = np.asarray(X, dtype=float)
    margin = np.array([getattr(p, "margin", 0.0) for p in pairs], dtype=float)
    labels = find_clusters(X, [p.key for p in pairs], [p.cluster_ids for p in pairs], threshold)
    X_rep, m_rep = collapse(X, labels, margin)
    influence = InfluenceLift(l2).fit(X_rep, X_val, m_rep)
    authors, S, posted = author_shares(pairs, labels, split)
    pair_lift = spread(influence.result.values, labels, member_shares(labels, split))
    totals = S @ influence.result.values[labels]
    evidence = _evidence(influence, X, X_rep, m_rep, labels, S, posted)
    acc = accuracy(influence.head.w, X_val)[0]
    rel = _reliability(authors, evidence, acc, pair_lift, previous or {})
    values = RoundValues(
        pair_lift=pair_lift,
        cluster=labels,
        author_lift=dict(zip(authors, map(float, totals), strict=True)),
        reliability=rel,
        payout={a: payout_weight(float(t), rel[a]) for a, t in zip(authors, totals, strict=True)},
        evidence=dict(zip(authors, evidence, strict=True)),
        heldout_accuracy=acc,
        head=influence.head,
    )
    if n_groups > 0 and len(authors) >= 3:
        _calibrate(values, X_rep, X_val, m_rep, labels, S, authors, l2, n_groups, seed)
    return values


def _reliability(authors: list, evidence: list, acc: float, pair_lift, previous) -> dict:
    """Each author's reliability after this round's evidence (reference from the round)."""
    ref = round_reference(acc, np.array([e.lift_per_pair for e in evidence]), pair_lift)
    return {
        a: update_reliability(previous.get(a), e, ref)
        for a, e in zip(authors, evidence, strict=True)
    }


def _calibrate(values, X_rep, X_val, m_rep, labels, S, authors, l2, n_groups, seed) -> None:
    """Exact leave-author-out retraining on up to n_groups authors vs summed influence."""
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(authors), size=min(n_groups, len(authors)), replace=False))
    rep_shares = np.stack([np.bincount(labels, weights=S[a], minlength=len(X_rep)) for a in pick])
    lgo = LeaveGroupOut(l2).fit(X_rep, X_val, rep_shares, [authors[a] for a in pick], m_rep)
    values.calibration_spearman = lgo.spearman
    values.calibration = lgo.table()
