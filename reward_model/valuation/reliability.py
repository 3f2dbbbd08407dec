"""Author reliability: the posterior probability that an author labels like the honest majority.

Three hypotheses per author a: honest (H), random clicker (R), flipped (F). Four pieces of
evidence per round, treated as independent given the hypothesis, each a likelihood under
(H, R, F):

* consensus: k_a of the author's n_a credited pairs agree with the leave-author-out
  consensus head, a head right with probability c (its yardstick accuracy, clipped to
  [½, 0.95]): k_a ~ Bin(n_a, c) under H, Bin(n_a, ½) under R, Bin(n_a, 1 − c) under F;
* lift: the author's mean lift per pair x̄_a ~ N(μ, σ²/n_a) with μ = +m, 0, −m under H, R,
  F, m the median author's lift per pair this round (most authors are honest) and σ the
  pooled per-pair spread;
* gold: g_a of the author's G_a answers to gold items (reference comparisons with known
  answers, never trained on) agree with the reference: g_a ~ Bin(G_a, γ), Bin(G_a, ½),
  Bin(G_a, 1 − γ), γ an honest rater's accuracy on gold, the answer-weighted median of the
  raters' gold accuracy this round clipped to [0.6, 0.95] (most raters are honest). A rater
  who answered none has likelihood 1 under every hypothesis: neutral, not punished;
* crowd: where several contributors labelled the same comparison, a Dawid–Skene model
  (Dawid & Skene, 1979, "Maximum Likelihood Estimation of Observer Error-Rates using the EM
  Algorithm"; `crowdkit.aggregation.DawidSkene`, see `agreement`) infers each comparison's
  label from every rater's confusion matrix; a_a of the author's A_a labels agree with it:
  a_a ~ Bin(A_a, α), Bin(A_a, ½), Bin(A_a, 1 − α), α the label-weighted median agreement.
  Agreeing is what a copy account does at will, so crowd evidence may only lower the
  posterior: it is used when it favours R or F, and ignored when it would raise r_a.
  Copies earn no credit (the first post keeps a cluster's value), so they carry no
  consensus or lift evidence for anyone either.

With prior π = (1 − φ)·r_prev + φ·r₀ (r₀ = ½, neutral, for a new author; φ forgets old
rounds so an author can recover or fall), the new reliability is

    r_a = π L_H / (π L_H + (1 − π)(L_R + L_F)/2),   L = Π over the evidence above.

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

    n_pairs: float
    agreements: float
    lift_per_pair: float
    gold_correct: int = 0
    gold_answered: int = 0
    crowd_agreements: float = 0.0
    crowd_labels: float = 0.0


@dataclass(frozen=True)
class RoundReference:
    """What an honest author looks like this round: consensus accuracy c, lift m, spread σ."""

    consensus_accuracy: float
    lift_per_pair: float
    lift_sd: float
    gold_accuracy: float = 0.8
    crowd_accuracy: float = 0.8


def binomial_terms(k: float, n: float, accuracy: float, low: float = 0.5) -> np.ndarray:
    """log Bin(k; n, p) under (honest p = accuracy, random ½, flipped 1 − accuracy), up to
    a shared constant; accuracy clipped to [low, 0.95]."""
    c = float(np.clip(accuracy, low, 0.95))
    return np.array(
        [
            k * np.log(c) + (n - k) * np.log(1 - c),
            n * np.log(0.5),
            k * np.log(1 - c) + (n - k) * np.log(c),
        ]
    )


def log_likelihoods(evidence: AuthorEvidence, ref: RoundReference) -> np.ndarray:
    """log L under (honest, random, flipped) of consensus, lift and gold, up to a shared
    constant (crowd agreement enters in `posterior`, one-sided)."""
    n, k = evidence.n_pairs, evidence.agreements
    out = binomial_terms(k, n, ref.consensus_accuracy)
    out = out + binomial_terms(evidence.gold_correct, evidence.gold_answered,
                               ref.gold_accuracy, 0.6)  # fmt: skip
    if ref.lift_per_pair <= 0 or ref.lift_sd <= 0 or n == 0:
        return out  # no honest lift to compare with: lift says nothing this round
    means = np.array([1.0, 0.0, -1.0]) * ref.lift_per_pair
    variance = ref.lift_sd**2 / n
    return out - (evidence.lift_per_pair - means) ** 2 / (2 * variance)


def posterior(
    previous: float | None,
    evidence: AuthorEvidence,
    ref: RoundReference,
    forget: float = 0.1,
    neutral: float = NEUTRAL,
) -> np.ndarray:
    """Posterior probabilities of (honest, random, flipped) after this round's evidence."""
    prior = neutral if previous is None else (1 - forget) * previous + forget * neutral
    log_prior = np.log(np.clip([prior, (1 - prior) / 2, (1 - prior) / 2], 1e-300, None))
    post = _normalised(log_likelihoods(evidence, ref) + log_prior)
    if evidence.crowd_labels > 0:
        crowd = binomial_terms(evidence.crowd_agreements, evidence.crowd_labels,
                               ref.crowd_accuracy, 0.6)  # fmt: skip
        lowered = _normalised(np.log(np.clip(post, 1e-300, None)) + crowd)
        post = lowered if lowered[0] < post[0] else post  # agreeing cannot raise trust
    return post


def _normalised(log_p: np.ndarray) -> np.ndarray:
    """Probabilities from unnormalised log probabilities."""
    p = np.exp(log_p - log_p.max())
    return p / p.sum()


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
    gold_accuracy: float = 0.8,
    crowd_accuracy: float = 0.8,
) -> RoundReference:
    """Reference from the round: c, the median lift per pair over accepted pairs (each
    author weighted by their pairs, so extra accounts cannot move it), the pooled σ, and an
    honest rater's accuracy on gold and agreement with the crowd (`honest_rate`)."""
    lifts = np.asarray(author_lift_per_pair, dtype=float)
    weights = np.ones(len(lifts)) if author_pairs is None else np.asarray(author_pairs, float)
    m = _weighted_median(lifts, weights) if weights.sum() > 0 else 0.0
    sd = float(np.std(pair_lifts)) if len(pair_lifts) > 1 else 0.0
    return RoundReference(consensus_accuracy, m, sd, gold_accuracy, crowd_accuracy)


def honest_rate(hits: np.ndarray, trials: np.ndarray, default: float = 0.8) -> float:
    """The trial-weighted median of hits / trials over authors with trials (most raters are
    honest, so this is an honest rater's rate; `default` when nobody has trials)."""
    hits, trials = np.asarray(hits, dtype=float), np.asarray(trials, dtype=float)
    some = trials > 0
    if not some.any():
        return default
    return _weighted_median(hits[some] / trials[some], trials[some])


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value at which half the weight lies on each side (the lower one on a tie)."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def payout_weight(lift: float, reliability: float) -> float:
    """max(0, lift) × reliability."""
    return max(0.0, lift) * reliability
