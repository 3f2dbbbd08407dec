"""Each author's lift with its standard error, and an empirical-Bayes estimate to pay.

Lift is linear in the yardstick: with c_ij = ∇ℓ_i(w*)ᵀ H⁻¹ ∇ℓ_j(w*) / n the contribution
of yardstick pair j to training pair i's lift (`influence`), lift_i = (1/m) Σ_j c_ij, and
author a's lift per pair is θ̂_a = Σ_i S_ai lift_i / n_a with n_a = Σ_i S_ai their share of
pairs. Its standard error se_a comes from a Poisson bootstrap (Hanley & MacGibbon, 2006)
that resamples both the yardstick pairs (which judgements the model is measured on) and
the author's own pairs (which pairs they happened to write), holding the head fixed:
θ̂*_a = Σ_i S_ai k_i c̄*_i / Σ_i S_ai k_i with c̄*_i = Σ_j v_j c_ij / Σ_j v_j and
k_i, v_j ~ Poisson(1). The 2.5% and 97.5% bootstrap quantiles give the interval.

Payouts use the hierarchical normal model θ̂_a | θ_a ~ N(θ_a, se_a²), θ_a ~ N(μ, τ²)
(Efron & Morris, 1975, "Data Analysis Using Stein's Estimator and its Generalizations";
Morris, 1983, "Parametric Empirical Bayes Inference"), with μ and τ² estimated from the
round by the method of moments (as DerSimonian & Laird, 1986, but weighted by accepted pairs
times reliability, ω_a = n_a r_a, so that splitting one's pairs over several accounts moves
neither, and authors judged random or flipped cannot drag the honest mean down):

    μ̂ = Σ ω_a θ̂_a / Σ ω_a   (the round's lift per accepted pair of reliable authors),
    τ̂² = max(0, Σ ω_a [(θ̂_a − μ̂)² − se_a²] / Σ ω_a),
    B_a = se_a² / (se_a² + τ̂²),   θ̃_a = (1 − B_a) θ̂_a + B_a μ̂,   var θ̃_a = (1 − B_a) se_a².

When authors are indistinguishable (τ̂² ≈ 0) every θ̃_a ≈ μ̂ and authors are paid by their
accepted pairs, n_a μ̂; when an author's lift is clearly measured (se_a ≪ τ̂) it dominates.
Evidence accumulates across rounds on the scale-free quality q_a = θ_a / μ: this round's
observation N(θ̂_a/μ̂, se_a²/μ̂²) is combined by the normal update with the author's past
evidence N(e_prev, v_prev + drift) (drift: an author may change), and the result with the
population prior N(1, τ̂²/μ̂²) gives the posterior mean q̃_a. The payout weight is
n_a · μ̂ · max(0, q̃_a); when μ̂ ≤ 0 the round measured no lift at all and nobody is paid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

DRIFT = 0.25  # added to a carried-over quality variance: an author may change between rounds


@dataclass(frozen=True)
class AuthorEstimate:
    """One author's lift per pair: raw, its error and interval, shrunk, and the pay weight."""

    n_pairs: float
    lift_per_pair: float
    stderr: float
    low: float
    high: float
    quality: float
    quality_var: float
    evidence: float
    evidence_var: float
    weight: float


def bootstrap_lifts(
    G: np.ndarray, D: np.ndarray, n: int, S, draws: int = 200, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(θ̂, θ̂* draws): authors' lift per pair and `draws` Poisson-bootstrap replicates
    (authors × draws). G: training gradients ∇ℓ_i (rows × d); D: H⁻¹ ∇ℓ_j for each yardstick
    pair (d × m), so c_ij = (G D)_ij / n is never formed; S: author shares (authors × rows,
    dense or sparse). Rows are the unit of resampling (a cluster of copies is one row)."""
    rng = np.random.default_rng(seed)
    n_pairs = np.maximum(np.asarray(S.sum(axis=1)).ravel(), 1e-12)
    theta = S @ (G @ D.mean(axis=1) / n) / n_pairs
    v = rng.poisson(1.0, size=(D.shape[1], draws)).astype(float)
    k = rng.poisson(1.0, size=(G.shape[0], draws)).astype(float)
    per_row = G @ (D @ v / np.maximum(v.sum(axis=0), 1.0)) / n
    reps = np.asarray(S @ (k * per_row)) / np.maximum(np.asarray(S @ k), 1e-12)
    return np.asarray(theta).ravel(), reps


def moments(theta: np.ndarray, se: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """(μ̂, τ̂²) of the hierarchical normal model by a weighted method of moments."""
    w = np.asarray(weights, dtype=float)
    if w.sum() <= 0:
        return 0.0, 0.0
    mu = float(w @ theta / w.sum())
    return mu, max(0.0, float(w @ ((theta - mu) ** 2 - se**2) / w.sum()))


def shrink(
    authors: list,
    S,
    G: np.ndarray,
    D: np.ndarray,
    n: int,
    previous: Mapping | None = None,
    draws: int = 200,
    seed: int = 0,
    reliability: np.ndarray | None = None,
) -> tuple[dict, dict]:
    """Every author's `AuthorEstimate` and the round's μ̂, τ̂² (G, D, n, S: `bootstrap_lifts`).
    `previous` maps an author to their (evidence, evidence variance) from past rounds;
    `reliability` (per author) weights the round's mean."""
    theta, reps = bootstrap_lifts(G, D, n, S, draws, seed)
    se = np.maximum(reps.std(axis=1, ddof=1), 1e-30) if draws > 1 else np.full(len(theta), 1e-30)
    low, high = np.quantile(reps, [0.025, 0.975], axis=1) if draws > 1 else (theta, theta)
    n_pairs = np.asarray(S.sum(axis=1)).ravel()
    r = np.ones(len(theta)) if reliability is None else np.asarray(reliability, dtype=float)
    mu, tau2 = moments(theta, se, n_pairs * r)
    out = {}
    for k, author in enumerate(authors):
        quality, post_var, evidence, evidence_var = 0.0, 0.0, 0.0, 0.0
        if mu > 0:
            obs, obs_var = theta[k] / mu, max((se[k] / mu) ** 2, 1e-30)
            past = (previous or {}).get(author)
            if past is not None and past[1] > 0:  # past rounds' evidence, widened by drift
                past_var = past[1] + DRIFT
                evidence_var = 1.0 / (1.0 / past_var + 1.0 / obs_var)
                evidence = evidence_var * (past[0] / past_var + obs / obs_var)
            else:
                evidence, evidence_var = obs, obs_var
            prior_prec = 1.0 / max(tau2 / mu**2, 1e-30)  # the population: N(1, τ̂²/μ̂²)
            post_var = 1.0 / (prior_prec + 1.0 / evidence_var)
            quality = post_var * (prior_prec + evidence / evidence_var)
        out[author] = AuthorEstimate(
            n_pairs=float(n_pairs[k]),
            lift_per_pair=float(theta[k]),
            stderr=float(se[k]),
            low=float(low[k]),
            high=float(high[k]),
            quality=float(quality),
            quality_var=float(post_var),
            evidence=float(evidence),
            evidence_var=float(evidence_var),
            weight=float(n_pairs[k] * max(mu, 0.0) * max(quality, 0.0)),
        )
    return out, {"mean_lift_per_pair": mu, "tau2": tau2}
