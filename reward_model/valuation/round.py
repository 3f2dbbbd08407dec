"""`value_round`: lift per preference and author on a yardstick, with errors, and payouts.

Per round: cluster duplicates (`clusters`: same content key, or near-duplicate texts found
here, at round time, in receipt order), fit the head on one representative per cluster — its
first post by server receipt, with that post's margin — and value each by influence on the
yardstick (`influence`); the first post's first poster holds the cluster's credit
(`split="first"`: later copies, by any account, earn 0, and the same author's repeats count
once), so lift_a = Σ_i c_ia lift_i; estimate
each author's lift per pair with its bootstrap standard error and shrink it toward the
round's mean by empirical Bayes (`shrinkage`, which states the formula); update each
author's reliability (`reliability`) from agreement with the leave-author-out consensus
w*_{−a} ≈ w* + H⁻¹ Σ_i c_ia ∇ℓ_i / n, from lift per pair, from gold answers and from
agreement with other raters of the same comparisons (`agreement`); payout weight
n_a · μ̂ · max(0, q̃_a) · ρ_a, ρ_a the author's label quality (0 when r_a < 5%). Each
further yardstick (a lab's) costs one more solve H⁻¹ ∇L_val and gives every author's lift
on it. Influence is calibrated against exact leave-author-out retraining on up to
`n_groups` authors (`leave_group_out`), reported as a
Spearman correlation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from reward_model.head import HeadFit, accuracy, gradient, mean_loss, pair_gradients
from reward_model.valuation.agreement import crowd_agreement
from reward_model.valuation.clusters import (
    collapse,
    find_clusters,
    first_author,
    first_members,
    member_shares,
    receipt_order,
    spread,
    text_clusters,
)
from reward_model.valuation.influence import InfluenceLift
from reward_model.valuation.leave_group_out import LeaveGroupOut
from reward_model.valuation.reliability import (
    UNPAID_BELOW,
    Assessment,
    AuthorEvidence,
    assess,
    fit_reference,
    honest_rate,
    round_reference,
)
from reward_model.valuation.shrinkage import AuthorEstimate, shrink


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
    estimates: dict = field(default_factory=dict)
    population: dict = field(default_factory=dict)
    extra_lift: dict = field(default_factory=dict)
    heldout_loss: float = float("nan")
    calibration_spearman: float = float("nan")
    calibration: list = field(default_factory=list)
    first_post: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    credited: list = field(default_factory=list)
    label_quality: dict = field(default_factory=dict)


def author_shares(
    pairs: Sequence, labels: np.ndarray, split: str, rank: np.ndarray | None = None
) -> tuple[list, np.ndarray, np.ndarray]:
    """(authors, S, posted): S[a, i] = author a's share of pair i's value; posted[a, i] = a
    posted i. `"first"`: the cluster's first post by receipt (`rank`) holds it all, and of
    that pair's co-authors the first to post it; `"equal"`: members and co-authors split."""
    authors = sorted({a for p in pairs for a in p.author_ids})
    index = {a: k for k, a in enumerate(authors)}
    cluster_share = member_shares(labels, split, rank)
    S = np.zeros((len(authors), len(pairs)))
    posted = np.zeros((len(authors), len(pairs)), dtype=bool)
    for i, pair in enumerate(pairs):
        for a in pair.author_ids:
            posted[index[a], i] = True
            if split != "first":
                S[index[a], i] += cluster_share[i] / len(pair.author_ids)
        if split == "first":
            S[index[first_author(pair)], i] = cluster_share[i]
    return authors, S, posted


def _evidence(
    influence: InfluenceLift, X: np.ndarray, X_rep, m_rep, labels, S, posted, extra: list
) -> list[AuthorEvidence]:
    """Each author's agreements with the head refit without every cluster they posted in
    (copies of their judgements by other accounts go too, so copying cannot manufacture
    agreement), counted by their shares of pairs, and lift per pair; `extra[a]` = (gold
    correct, gold answered, crowd agreements, crowd labels)."""
    k = len(X_rep)
    lifts = S @ influence.result.values[labels]
    out = []
    for a, row in enumerate(S):
        touched = np.bincount(labels, weights=posted[a], minlength=k) > 0
        w = influence.head.w + influence.parameter_shift(X_rep, touched.astype(float), m_rep)
        n_a = float(row.sum())
        agree = float(row @ (X @ w > 0))
        out.append(AuthorEvidence(n_a, agree, lifts[a] / max(n_a, 1e-12), *extra[a]))
    return out


def _other_evidence(pairs: Sequence, authors: list, gold: Mapping | None) -> list[tuple]:
    """Per author: (gold correct, gold answered, crowd agreements, crowd labels); an author
    without gold answers or shared comparisons has zeros (neutral)."""
    crowd = crowd_agreement(pairs)
    out = []
    for a in authors:
        correct, answered = (gold or {}).get(a, (0, 0))
        if not 0 <= correct <= answered:
            raise ValueError(f"gold for author {a}: need 0 <= correct <= answered")
        out.append((int(correct), int(answered), *crowd.get(a, (0.0, 0.0))))
    return out


def value_round(
    pairs: Sequence,
    X: np.ndarray,
    X_val: np.ndarray,
    previous: Mapping | None = None,
    l2: float = 1e-2,
    threshold: float | None = None,
    split: str = "first",
    n_groups: int = 20,
    seed: int = 0,
    quality: Mapping | None = None,
    extra: Mapping | None = None,
    draws: int = 200,
    use_reliability: bool = True,
    gold: Mapping | None = None,
    max_edit: float | None = 0.10,
) -> RoundValues:
    """Value one round. `pairs` carry author_ids, cluster_ids, key, margin, receipt and
    texts (data.Pair); X / X_val are feature differences f(chosen) − f(rejected) of training
    / yardstick pairs; `previous` maps author → last reliability and `quality` author → last
    (quality, variance) (absent: a new author); `extra` maps a name → another yardstick's
    X_val; `gold` maps author → (correct, answered) on gold items (absent: none answered);
    `max_edit`: near-duplicate texts within this share of words are one cluster (None:
    exact keys only); `threshold`: also cluster by feature cosine above it."""
    X = np.asarray(X, dtype=float)
    margin = np.array([getattr(p, "margin", 0.0) for p in pairs], dtype=float)
    rank = receipt_order(pairs) if split == "first" else None
    tags = text_clusters(pairs, receipt_order(pairs), max_edit) if max_edit is not None else None
    cluster_ids = [[*p.cluster_ids, *([tags[i]] if tags else [])] for i, p in enumerate(pairs)]
    labels = find_clusters(X, [p.key for p in pairs], cluster_ids, threshold)
    X_rep, m_rep = collapse(X, labels, margin, rank)
    influence = InfluenceLift(l2).fit(X_rep, X_val, m_rep)
    authors, S, posted = author_shares(pairs, labels, split, rank)
    pair_lift = spread(influence.result.values, labels, member_shares(labels, split, rank))
    totals = S @ influence.result.values[labels]
    others = _other_evidence(pairs, authors, gold)
    evidence = _evidence(influence, X, X_rep, m_rep, labels, S, posted, others)
    w = influence.head.w
    acc = accuracy(w, X_val)[0]
    assessed = _assess(authors, evidence, acc, influence.result.values, previous or {})
    rel = {a: x.reliability for a, x in assessed.items()}
    S_rep = sparse.csr_matrix(
        np.stack([np.bincount(labels, weights=row, minlength=len(X_rep)) for row in S])
        if len(authors)
        else np.zeros((0, len(X_rep)))
    )
    G_rep = pair_gradients(w, X_rep, m_rep)
    D = np.linalg.solve(influence.hessian, pair_gradients(w, np.asarray(X_val, float)).T)
    estimates, population = shrink(
        authors, S_rep, G_rep, D, len(X_rep), quality, draws, seed, [rel[a] for a in authors]
    )
    values = RoundValues(
        pair_lift=pair_lift,
        cluster=labels,
        author_lift=dict(zip(authors, map(float, totals), strict=True)),
        reliability=rel,
        payout={a: _payout(estimates[a], assessed[a], use_reliability) for a in authors},
        label_quality={a: x.quality for a, x in assessed.items()},
        evidence=dict(zip(authors, evidence, strict=True)),
        heldout_accuracy=acc,
        head=influence.head,
        estimates=estimates,
        population=population,
        extra_lift=_extra_lifts(influence, G_rep, S_rep, authors, extra or {}),
        heldout_loss=mean_loss(w, X_val),
        first_post=first_members(labels, rank)[labels],
        credited=[_credited(pairs, S, authors, i) for i in range(len(pairs))],
    )
    if n_groups > 0 and len(authors) >= 3:
        _calibrate(values, X_rep, X_val, m_rep, labels, S, authors, l2, n_groups, seed)
    return values


def _credited(pairs: Sequence, S: np.ndarray, authors: list, i: int):
    """The author holding pair i's credit (None when it is a later copy in its cluster)."""
    held = np.flatnonzero(S[:, i] > 0)
    return authors[held[0]] if len(held) == 1 else (None if not len(held) else "shared")


def _payout(estimate: AuthorEstimate, assessed: Assessment, use: bool) -> float:
    """The shrunk estimate's weight times the author's label quality, 0 when reliability is
    below `UNPAID_BELOW` (unless reliability is not used)."""
    if not use:
        return estimate.weight
    return estimate.weight * assessed.quality if assessed.reliability >= UNPAID_BELOW else 0.0


def _extra_lifts(influence: InfluenceLift, G_rep, S_rep, authors: list, extra: Mapping) -> dict:
    """{name: {author: lift on that yardstick}}: one solve H⁻¹ ∇L_val per yardstick."""
    out = {}
    for name, X_other in extra.items():
        g_val = gradient(influence.head.w, np.asarray(X_other, dtype=float), 0.0)
        lift = G_rep @ np.linalg.solve(influence.hessian, g_val) / len(G_rep)
        out[name] = dict(zip(authors, map(float, S_rep @ lift), strict=True))
    return out


def _assess(authors: list, evidence: list, acc: float, lifts, previous) -> dict:
    """Each author's reliability and label quality after this round's evidence (reference
    from the round, refined by EM; the spread of lift is taken over distinct judgements, so
    copies do not narrow it)."""
    per_pair = np.array([e.lift_per_pair for e in evidence])
    gold = honest_rate([e.gold_correct for e in evidence], [e.gold_answered for e in evidence])
    crowd = honest_rate([e.crowd_agreements for e in evidence], [e.crowd_labels for e in evidence])
    ref = round_reference(acc, per_pair, lifts, np.array([e.n_pairs for e in evidence]),
                          gold, crowd)  # fmt: skip
    ref, shape = fit_reference(ref, evidence, [previous.get(a) for a in authors])
    return {
        a: assess(previous.get(a), e, ref, shape=shape)
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
