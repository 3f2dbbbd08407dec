"""Author reliability: the posterior probability that an author labels like the honest majority.

Three hypotheses per author a: honest (H), random clicker (R), flipped (F). Two pieces of
evidence per round, treated as independent:

* agreement: k_a of the author's n_a pairs agree with the leave-author-out consensus head,
  a head that is right with probability c (its held-out accuracy, clipped to [½, 0.95]):
  k_a ~ Bin(n_a, c) under H, Bin(n_a, ½) under R, Bin(n_a, 1 − c) under F;
* lift: the author's mean lift per pair x̄_a ~ N(μ, σ²/n_a) with μ = +m, 0, −m under H, R, F,
  m the median author's lift per pair this round (most authors are honest) and σ the pooled
  per-pair spread.

With prior π = (1 − φ)·r_prev + φ·r₀ (r₀ = ½, neutral, for a new author; φ forgets old
rounds so an author can recover or fall), the new reliability is

    r_a = π L_H / (π L_H + (1 − π)(L_R + L_F)/2).

A pure function of the previous reliability and this round's evidence: per round, start from
r₀; across rounds, feed the last value back. Random or flipped labelling drives r_a to 0,
and an author is paid r_a times their shrunk lift (`shrinkage`), nothing once r_a < 5%
(95% posterior probability of random or flipped labelling).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEUTRAL = 0.5
UNPAID_BELOW = 0.05  # reliability under which an author is paid nothing


@dataclass(frozen=True)
class AuthorEvidence:
    """One author's evidence this round: pairs, agreements with consensus, lift per pair."""

    n_pairs: int
    agreements: float
    lift_per_pair: float


@dataclass(frozen=True)
class RoundReference:
    """What an honest author looks like this round: consensus accuracy c, lift m, spread σ."""

    consensus_accuracy: float
    lift_per_pair: float
    lift_sd: float


def log_likelihoods(evidence: AuthorEvidence, ref: RoundReference) -> np.ndarray:
    """log L under (honest, random, flipped), up to a shared constant."""
    n, k = evidence.n_pairs, evidence.agreements
    c = float(np.clip(ref.consensus_accuracy, 0.5, 0.95))
    agree = np.array(
        [
            k * np.log(c) + (n - k) * np.log(1 - c),
            n * np.log(0.5),
            k * np.log(1 - c) + (n - k) * np.log(c),
        ]
    )
    if ref.lift_per_pair <= 0 or ref.lift_sd <= 0 or n == 0:
        return agree  # no honest lift to compare with: lift says nothing this round
    means = np.array([1.0, 0.0, -1.0]) * ref.lift_per_pair
    variance = ref.lift_sd**2 / n
    return agree - (evidence.lift_per_pair - means) ** 2 / (2 * variance)


def posterior(
    previous: float | None,
    evidence: AuthorEvidence,
    ref: RoundReference,
    forget: float = 0.1,
    neutral: float = NEUTRAL,
) -> np.ndarray:
    """Posterior probabilities of (honest, random, flipped) after this round's evidence."""
    prior = neutral if previous is None else (1 - forget) * previous + forget * neutral
    log_l = log_likelihoods(evidence, ref)
    log_post = log_l + np.log([prior, (1 - prior) / 2, (1 - prior) / 2])
    post = np.exp(log_post - log_post.max())
    return post / post.sum()


def update_reliability(
    previous: float | None,
    evidence: AuthorEvidence,
    ref: RoundReference,
    forget: float = 0.1,
    neutral: float = NEUTRAL,
) -> float:
    """Posterior reliability after this round, from the previous one (None: a new author)."""
    return float(posterior(previous, evidence, ref, forget, neutral)[0])


def round_reference(
    consensus_accuracy: float,
    author_lift_per_pair: np.ndarray,
    pair_lifts: np.ndarray,
    author_pairs: np.ndarray | None = None,
) -> RoundReference:
    """Reference from the round: c, the median lift per pair over accepted pairs (each
    author weighted by their pairs, so extra accounts cannot move it), the pooled σ."""
    lifts = np.asarray(author_lift_per_pair, dtype=float)
    weights = np.ones(len(lifts)) if author_pairs is None else np.asarray(author_pairs, float)
    m = _weighted_median(lifts, weights) if weights.sum() > 0 else 0.0
    sd = float(np.std(pair_lifts)) if len(pair_lifts) > 1 else 0.0
    return RoundReference(consensus_accuracy, m, sd)


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value at which half the weight lies on each side (the lower one on a tie)."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def payout_weight(lift: float, reliability: float) -> float:
    """max(0, lift) × reliability."""
    return max(0.0, lift) * reliability
