"""Reliability: the ε-grid posterior by hand, neutral start, random and flipped labelling → 0,
label quality graded by the error rate, the round's population shape and gold accuracy."""

import numpy as np
import pytest

from reward_model.valuation.reliability import (
    GRID,
    AuthorEvidence,
    RoundReference,
    assess,
    fit_reference,
    log_prior,
    update_reliability,
)

NO_LIFT = RoundReference(consensus_accuracy=0.8, lift_per_pair=0.0, lift_sd=0.0)


def _by_hand(log_lik) -> tuple[float, float]:
    """(P(ε < ½), E[(1 − 2ε)₊]) under the neutral prior, from log L on the grid."""
    honest, coin = GRID < 0.5, GRID == 0.5
    prior = np.where(honest, 0.5 / honest.sum(), 0.25 / (~honest & ~coin).sum())
    prior[coin] = 0.25
    post = prior * np.exp(log_lik - log_lik.max())
    post /= post.sum()
    return post[honest].sum(), post @ np.maximum(1 - 2 * GRID, 0)


def test_agreement_posterior_by_hand():
    """k = n = 10, c = 0.8: L(ε) = (0.8 − 0.6ε)¹⁰ on the grid, the prior's bands ½, ¼, ¼."""
    got = assess(None, AuthorEvidence(10, 10, 0.0), NO_LIFT)
    r, rho = _by_hand(10 * np.log(0.8 * (1 - GRID) + 0.2 * GRID))
    assert got.reliability == pytest.approx(r) and got.quality == pytest.approx(rho)
    assert 0.9 < got.reliability < 1 and 0 < got.quality < got.reliability


def test_lift_posterior_by_hand():
    """c = ½ makes agreement uninformative; x̄ = m = 1, σ²/n = 1: log L = −(1 − (1 − 2ε))²/2."""
    ref = RoundReference(consensus_accuracy=0.5, lift_per_pair=1.0, lift_sd=2.0)
    got = assess(None, AuthorEvidence(4, 2, 1.0), ref)
    r, rho = _by_hand(-((2 * GRID) ** 2) / 2)
    assert got.reliability == pytest.approx(r) and got.quality == pytest.approx(rho)


def test_new_author_without_evidence_is_neutral():
    """No pairs: the posterior is the prior, ½; a known author's prior decays toward ½."""
    assert update_reliability(None, AuthorEvidence(0, 0, 0.0), NO_LIFT) == pytest.approx(0.5)
    assert update_reliability(0.0, AuthorEvidence(0, 0, 0.0), NO_LIFT) == pytest.approx(0.05)
    r = update_reliability(1.0, AuthorEvidence(0, 0, 0.0), NO_LIFT, forget=0.2)
    assert r == pytest.approx(0.9)
    # uniform on the honest band: E[(1 − 2ε)₊] = ½ · mean(1 − 2ε over ε < ½)
    expected = 0.5 * np.mean(1 - 2 * GRID[GRID < 0.5])
    assert assess(None, AuthorEvidence(0, 0, 0.0), NO_LIFT).quality == pytest.approx(expected)


@pytest.mark.parametrize(
    ("agreements", "lift", "below"),
    [(25, 0.0, 0.2), (10, -1e-3, 1e-4)],
    ids=["random clicker", "flipped"],
)
def test_bad_labelling_drives_reliability_to_zero_across_rounds(agreements, lift, below):
    """Five rounds of 50 pairs: random (half agree, no lift) and flipped authors sink, and
    their label quality is a sliver of an honest author's (a coin is hard to tell from
    ε just under ½ in few pairs, so its reliability falls slowly, but that ε pays ~0)."""
    ref = RoundReference(consensus_accuracy=0.7, lift_per_pair=1e-3, lift_sd=5e-3)
    bad, honest = None, None
    for _ in range(5):
        bad = assess(bad and bad.reliability, AuthorEvidence(50, agreements, lift), ref)
        honest = assess(honest and honest.reliability, AuthorEvidence(50, 35, 1e-3), ref)
    assert bad.reliability < below and honest.reliability > 0.99
    assert bad.quality < 0.1 * honest.quality


def test_label_quality_falls_with_the_error_rate():
    """Authors whose agreements and gold answers match ε = 0, 0.1, 0.2, 0.3: quality falls
    in that order, reliability stays high for all but the worst."""
    ref = RoundReference(consensus_accuracy=0.7, lift_per_pair=0.0, lift_sd=0.0,
                         gold_accuracy=0.9)  # fmt: skip
    got = []
    for eps in (0.0, 0.1, 0.2, 0.3):
        agree = 200 * (0.7 - 0.4 * eps)
        gold = round(40 * (0.9 - 0.8 * eps))
        got.append(assess(None, AuthorEvidence(200, agree, 0.0, gold, 40), ref))
    qualities = [a.quality for a in got]
    assert qualities == sorted(qualities, reverse=True) and qualities[-1] < 0.6 * qualities[0]
    assert min(a.reliability for a in got[:3]) > 0.9


def test_gold_answers_move_reliability_and_none_is_neutral():
    """10 of 10 gold answers right raises reliability, 5 of 10 (a coin) lowers it, 0 of 10
    (flipped) lowers it more; an author who answered none is exactly where no gold leaves."""
    base = update_reliability(None, AuthorEvidence(0, 0, 0.0), NO_LIFT)
    right = update_reliability(None, AuthorEvidence(0, 0, 0.0, 10, 10), NO_LIFT)
    coin = update_reliability(None, AuthorEvidence(0, 0, 0.0, 5, 10), NO_LIFT)
    wrong = update_reliability(None, AuthorEvidence(0, 0, 0.0, 0, 10), NO_LIFT)
    assert wrong < coin < base < right
    assert base == pytest.approx(0.5)
    # by hand: γ = 0.8, p(ε) = 0.8 − 0.6ε, L = p⁵(1 − p)⁵
    p = 0.8 * (1 - GRID) + 0.2 * GRID
    assert coin == pytest.approx(_by_hand(5 * np.log(p) + 5 * np.log(1 - p))[0])


def test_crowd_agreement_only_lowers_reliability():
    """Agreeing with every other rater (what a copy account does) leaves reliability as it
    was; disagreeing with the crowd lowers it."""
    base = assess(None, AuthorEvidence(10, 8, 0.0), NO_LIFT)
    agreeing = assess(None, AuthorEvidence(10, 8, 0.0, 0, 0, 20, 20), NO_LIFT)
    contrary = assess(None, AuthorEvidence(10, 8, 0.0, 0, 0, 2, 20), NO_LIFT)
    assert agreeing == base and contrary.reliability < 0.1 < base.reliability
    assert contrary.quality < 0.05 * base.quality


def test_fit_reference_reads_the_population():
    """Honest raters at ε = 0 with gold accuracy 0.9 beside raters who flip 30%: EM puts γ
    near 0.9 (not the median rater's) and the honest band's shape has mass at both."""
    ref = RoundReference(consensus_accuracy=0.7, lift_per_pair=0.0, lift_sd=0.0,
                         gold_accuracy=0.66)  # fmt: skip
    honest = [AuthorEvidence(400, 280, 0.0, 90, 100)] * 4
    flipping = [AuthorEvidence(400, 232, 0.0, 66, 100)] * 5
    fitted, shape = fit_reference(ref, honest + flipping, [None] * 9)
    assert fitted.gold_accuracy == pytest.approx(0.9, abs=0.03)
    low, mid = shape[GRID <= 0.1].sum(), shape[(GRID >= 0.2) & (GRID <= 0.4)].sum()
    assert low > 0.2 * shape.sum() and mid > 0.2 * shape.sum()
    assert np.all(shape[GRID >= 0.5] == 0)
    prior = np.exp(log_prior(None, shape=shape))
    assert prior.sum() == pytest.approx(1.0) and prior[GRID < 0.5].sum() == pytest.approx(0.5)
