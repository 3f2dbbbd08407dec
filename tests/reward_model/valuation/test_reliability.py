"""Reliability: hand-computed posteriors, neutral start, random and flipped labelling → 0."""

import pytest

from reward_model.valuation.reliability import (
    AuthorEvidence,
    RoundReference,
    payout_weight,
    update_reliability,
)

NO_LIFT = RoundReference(consensus_accuracy=0.8, lift_per_pair=0.0, lift_sd=0.0)


def test_agreement_posterior_by_hand():
    """k = n = 10, c = 0.8: 0.5·0.8¹⁰ / (0.5·0.8¹⁰ + 0.25(0.5¹⁰ + 0.2¹⁰)) = 0.995472."""
    r = update_reliability(None, AuthorEvidence(10, 10, 0.0), NO_LIFT)
    assert r == pytest.approx(0.053687 / (0.053687 + 0.25 * (0.00097656 + 1.024e-7)), rel=1e-4)


def test_lift_posterior_by_hand():
    """c = ½ makes agreement uninformative; x̄ = m = 1, σ²/n = 1: logs 0, −½, −2 →
    0.5 / (0.5 + 0.25(e^−½ + e^−2)) = 0.729430."""
    ref = RoundReference(consensus_accuracy=0.5, lift_per_pair=1.0, lift_sd=2.0)
    r = update_reliability(None, AuthorEvidence(4, 2, 1.0), ref)
    assert r == pytest.approx(0.729430, abs=1e-6)


def test_new_author_without_evidence_is_neutral():
    """No pairs: the posterior is the prior, ½; a known author's prior decays toward ½."""
    assert update_reliability(None, AuthorEvidence(0, 0, 0.0), NO_LIFT) == 0.5
    assert update_reliability(0.0, AuthorEvidence(0, 0, 0.0), NO_LIFT) == pytest.approx(0.05)
    r = update_reliability(1.0, AuthorEvidence(0, 0, 0.0), NO_LIFT, forget=0.2)
    assert r == pytest.approx(0.9)


@pytest.mark.parametrize(
    ("agreements", "lift", "below"),
    [(25, 0.0, 0.02), (10, -1e-3, 1e-6)],
    ids=["random clicker", "flipped"],
)
def test_bad_labelling_drives_reliability_to_zero_across_rounds(agreements, lift, below):
    """Five rounds of 50 pairs: random (half agree, no lift) and flipped authors sink."""
    ref = RoundReference(consensus_accuracy=0.7, lift_per_pair=1e-3, lift_sd=5e-3)
    r = None
    for _ in range(5):
        r = update_reliability(r, AuthorEvidence(50, agreements, lift), ref)
    assert r < below
    honest = None
    for _ in range(5):
        honest = update_reliability(honest, AuthorEvidence(50, 35, 1e-3), ref)
    assert honest > 0.99


def test_payout_weight():
    """max(0, lift) × reliability."""
    assert payout_weight(2.0, 0.25) == 0.5
    assert payout_weight(-2.0, 1.0) == 0.0


def test_gold_answers_move_reliability_and_none_is_neutral():
    """10 of 10 gold answers right raises reliability, 5 of 10 (a coin) lowers it, 0 of 10
    (flipped) lowers it more; an author who answered none is exactly where no gold leaves."""
    base = update_reliability(None, AuthorEvidence(0, 0, 0.0), NO_LIFT)
    right = update_reliability(None, AuthorEvidence(0, 0, 0.0, 10, 10), NO_LIFT)
    coin = update_reliability(None, AuthorEvidence(0, 0, 0.0, 5, 10), NO_LIFT)
    wrong = update_reliability(None, AuthorEvidence(0, 0, 0.0, 0, 10), NO_LIFT)
    assert wrong < coin < base == 0.5 < right
    # by hand: γ = 0.8, L_H = .8^5 .2^5, L_R = .5^10, L_F = L_H
    l_h, l_r = 0.8**5 * 0.2**5, 0.5**10
    assert coin == pytest.approx(l_h / (l_h + (l_r + l_h) / 2))


def test_crowd_agreement_only_lowers_reliability():
    """Agreeing with every other rater (what a copy account does) leaves reliability as it
    was; disagreeing with the crowd lowers it."""
    base = update_reliability(None, AuthorEvidence(10, 8, 0.0), NO_LIFT)
    agreeing = update_reliability(None, AuthorEvidence(10, 8, 0.0, 0, 0, 20, 20), NO_LIFT)
    contrary = update_reliability(None, AuthorEvidence(10, 8, 0.0, 0, 0, 2, 20), NO_LIFT)
    assert agreeing == base and contrary < 0.05 < base
