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
