"""Author reliability: a posterior over each author's label error rate ε, and what it pays.

An author labels a pair against the truth with probability ε: ε = 0 is an honest rater,
ε = ½ a random clicker, ε = 1 a flipper, and anything between is a rater who flips a share
of their pairs. ε lives on a grid (`GRID`, steps of 1%). Evidence per round, independent
given ε, each a likelihood on the grid:

* consensus: k_a of the author's n_a credited pairs agree with the leave-author-out
  consensus head, right with probability c (its yardstick accuracy, clipped to [½, 0.95]):
  k_a ~ Bin(n_a, (1 − ε)c + ε(1 − c));
* lift: the author's mean lift per pair x̄_a ~ N((1 − 2ε) m, σ²/n_a), m an error-free
  author's lift per pair and σ the pooled per-pair spread (a pair flipped with probability
  ε moves the head by (1 − 2ε) of an honest pair on average);
* gold: g_a of the author's G_a answers to gold items (reference comparisons with known
  answers, never trained on) agree with the reference: g_a ~ Bin(G_a, (1 − ε)γ + ε(1 − γ)),
  γ the gold accuracy of a rater who flips nothing (people disagree with a reference now
  and then, so γ < 1). A rater who answered none has likelihood 1: neutral, not punished;
* crowd: where several contributors labelled the same comparison, a Dawid–Skene model
  (Dawid & Skene, 1979, "Maximum Likelihood Estimation of Observer Error-Rates using the EM
  Algorithm"; `crowdkit.aggregation.DawidSkene`, see `agreement`) infers each comparison's
  label; a_a of the author's A_a labels agree with it: a_a ~ Bin(A_a, (1 − ε)α + ε(1 − α)).
  Agreeing is what a copy account does at will, so crowd evidence may only lower the
  author's pay: it is used when it lowers it, and ignored otherwise. Copies earn no credit
  (the first post keeps a cluster's value), so they carry no consensus or lift evidence.

m and γ are the round's (`fit_reference`): starting from the pair-weighted median lift and
the answer-weighted median gold accuracy, a few EM steps maximise the marginal likelihood
Σ_a log Σ_ε p(ε) L_a(ε; m, γ) over m ≥ 0 and γ ∈ [0.6, 0.95] — the median author may
itself flip some pairs, and EM reads off what an error-free one would show. α is the
label-weighted median crowd agreement (clipped like γ).

Prior: p(ε) puts π on the honest band ε < ½ (uniform within it), (1 − π)/2 on ε = ½ and
(1 − π)/2 on ε > ½ (uniform), with π = (1 − φ)·r_prev + φ·½ (½, neutral, for a new author;
φ forgets old rounds so an author can recover or fall). Two numbers come out:

    r_a = P(ε < ½ | evidence)               (reliability, carried to the next round),
    ρ_a = E[(1 − 2ε)₊ | evidence]           (label quality, what a pair is worth).

For a logistic head a pair flipped with probability ε carries (1 − 2ε) of an honest pair's
signal, so the author is paid ρ_a times their shrunk lift (`shrinkage`), nothing once
r_a < 5% (95% posterior probability of labelling no better than a coin). A pure function
of the previous reliability and this round's evidence: per round, start from r₀ = ½;
across rounds, feed the last r_a back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

NEUTRAL = 0.5
UNPAID_BELOW = 0.05  # reliability under which an author is paid nothing
GRID = np.linspace(0.0, 1.0, 101)  # label error rates ε
EM_STEPS = 50
SHAPE_FLOOR = 1e-4  # keeps every honest-band ε possible for an author the round has not seen


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
    """What an error-free author looks like this round: consensus accuracy c, lift m, spread
    σ, gold accuracy γ, crowd agreement α."""

    consensus_accuracy: float
    lift_per_pair: float
    lift_sd: float
    gold_accuracy: float = 0.8
    crowd_accuracy: float = 0.8


@dataclass(frozen=True)
class Assessment:
    """An author's reliability r_a = P(ε < ½) and label quality ρ_a = E[(1 − 2ε)₊]."""

    reliability: float
    quality: float


def binomial_terms(k: float, n: float, accuracy: float, low: float = 0.5) -> np.ndarray:
    """log Bin(k; n, (1 − ε)p + ε(1 − p)) on the ε grid, up to a constant; p = accuracy
    clipped to [low, 0.95]."""
    p = float(np.clip(accuracy, low, 0.95))
    right = (1 - GRID) * p + GRID * (1 - p)
    return k * np.log(right) + (n - k) * np.log(1 - right)


def log_likelihoods(evidence: AuthorEvidence, ref: RoundReference) -> np.ndarray:
    """log L(ε) of consensus, lift and gold on the grid, up to a constant (crowd agreement
    enters in `posterior`, one-sided)."""
    n, k = evidence.n_pairs, evidence.agreements
    out = binomial_terms(k, n, ref.consensus_accuracy)
    out = out + binomial_terms(evidence.gold_correct, evidence.gold_answered,
                               ref.gold_accuracy, 0.6)  # fmt: skip
    if ref.lift_per_pair <= 0 or ref.lift_sd <= 0 or n == 0:
        return out  # no honest lift to compare with: lift says nothing this round
    means = (1 - 2 * GRID) * ref.lift_per_pair
    return out - (evidence.lift_per_pair - means) ** 2 * n / (2 * ref.lift_sd**2)


def log_prior(
    previous: float | None,
    forget: float = 0.1,
    neutral: float = NEUTRAL,
    shape: np.ndarray | None = None,
) -> np.ndarray:
    """log p(ε): π on ε < ½, (1 − π)/2 on ε = ½ and on ε > ½; within the honest band
    `shape` (the round's population, `fit_reference`; uniform when None), uniform above ½."""
    prior = neutral if previous is None else (1 - forget) * previous + forget * neutral
    honest, coin = GRID < 0.5, GRID == 0.5
    within = np.where(honest, 1.0, 0.0) if shape is None else np.where(honest, shape, 0.0)
    p = prior * within / within.sum()
    p = np.where(~honest & ~coin, (1 - prior) / 2 / (~honest & ~coin).sum(), p)
    p[coin] = (1 - prior) / 2
    return np.log(np.clip(p, 1e-300, None))


def posterior(
    previous: float | None,
    evidence: AuthorEvidence,
    ref: RoundReference,
    forget: float = 0.1,
    neutral: float = NEUTRAL,
    shape: np.ndarray | None = None,
) -> np.ndarray:
    """Posterior p(ε | evidence) on the grid (`shape`: see `log_prior`)."""
    prior = log_prior(previous, forget, neutral, shape)
    post = _normalised(log_likelihoods(evidence, ref) + prior)
    if evidence.crowd_labels > 0:
        crowd = binomial_terms(evidence.crowd_agreements, evidence.crowd_labels,
                               ref.crowd_accuracy, 0.6)  # fmt: skip
        lowered = _normalised(np.log(np.clip(post, 1e-300, None)) + crowd)
        if _quality(lowered) < _quality(post):  # agreeing cannot raise pay
            post = lowered
    return post


def _quality(post: np.ndarray) -> float:
    """E[(1 − 2ε)₊] under a posterior on the grid."""
    return float(post @ np.maximum(1 - 2 * GRID, 0.0))


def _normalised(log_p: np.ndarray) -> np.ndarray:
    """Probabilities from unnormalised log probabilities."""
    p = np.exp(log_p - log_p.max())
    return p / p.sum()


def assess(
    previous: float | None,
    evidence: AuthorEvidence,
    ref: RoundReference,
    forget: float = 0.1,
    neutral: float = NEUTRAL,
    shape: np.ndarray | None = None,
) -> Assessment:
    """Reliability and label quality after this round, from the previous reliability (None:
    a new author; `shape`: see `log_prior`)."""
    post = posterior(previous, evidence, ref, forget, neutral, shape)
    return Assessment(float(post[GRID < 0.5].sum()), _quality(post))


def update_reliability(
    previous: float | None,
    evidence: AuthorEvidence,
    ref: RoundReference,
    forget: float = 0.1,
    neutral: float = NEUTRAL,
) -> float:
    """Posterior reliability P(ε < ½) after this round (None: a new author)."""
    return assess(previous, evidence, ref, forget, neutral).reliability


def round_reference(
    consensus_accuracy: float,
    author_lift_per_pair: np.ndarray,
    pair_lifts: np.ndarray,
    author_pairs: np.ndarray | None = None,
    gold_accuracy: float = 0.8,
    crowd_accuracy: float = 0.8,
) -> RoundReference:
    """Starting reference from the round: c, the median lift per pair over accepted pairs
    (each author weighted by their pairs, so extra accounts cannot move it), the pooled σ,
    and a rater's gold accuracy and crowd agreement (`honest_rate`)."""
    lifts = np.asarray(author_lift_per_pair, dtype=float)
    weights = np.ones(len(lifts)) if author_pairs is None else np.asarray(author_pairs, float)
    m = _weighted_median(lifts, weights) if weights.sum() > 0 else 0.0
    sd = float(np.std(pair_lifts)) if len(pair_lifts) > 1 else 0.0
    return RoundReference(consensus_accuracy, m, sd, gold_accuracy, crowd_accuracy)


def fit_reference(
    ref: RoundReference, evidence: list, previous: list, steps: int = EM_STEPS
) -> tuple[RoundReference, np.ndarray | None]:
    """EM for an error-free rater's gold accuracy γ and the population's shape of ε
    within the honest band (see the module docstring); `previous[a]` is author a's last
    reliability (None: new). Returns (reference, shape); shape None without authors."""
    if not evidence:
        return ref, None
    n = np.array([e.n_pairs for e in evidence], dtype=float)
    g = np.array([e.gold_correct for e in evidence], dtype=float)
    G = np.array([e.gold_answered for e in evidence], dtype=float)
    gammas = np.linspace(0.6, 0.95, 71)
    right = np.outer(gammas, 1 - GRID) + np.outer(1 - gammas, GRID)  # γ × ε
    honest = GRID < 0.5
    shape = honest.astype(float)
    for _ in range(steps):
        priors = np.array([log_prior(p, shape=shape) for p in previous])
        logs = np.array([log_likelihoods(e, ref) for e in evidence]) + priors
        post = np.exp(logs - logs.max(axis=1, keepdims=True))
        post /= post.sum(axis=1, keepdims=True)
        if G.sum() > 0:  # expected complete-data log likelihood of the gold answers per γ
            hits = (post * g[:, None]) @ np.log(right).T
            misses = (post * (G - g)[:, None]) @ np.log(1 - right).T
            best = float(gammas[np.argmax((hits + misses).sum(axis=0))])
            ref = replace(ref, gold_accuracy=best)
        band = post[:, honest]  # authors weighted by their pairs in the honest band, so
        weight = n * band.sum(axis=1)  # extra accounts or bad raters cannot shape it
        shape = np.zeros(len(GRID))
        if weight.sum() > 0:
            shape[honest] = weight @ (band / np.maximum(band.sum(axis=1, keepdims=True),
                                                         1e-300)) / weight.sum()  # fmt: skip
        shape[honest] += SHAPE_FLOOR
    return ref, shape


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
