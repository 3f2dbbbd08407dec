"""Empirical-Bayes payouts: moments by hand, shrinkage when authors are indistinguishable,
clear lift dominating, bootstrap errors, and evidence accumulating across rounds."""

import numpy as np
import pytest

from reward_model.valuation.shrinkage import bootstrap_lifts, moments, shrink


def test_moments_by_hand():
    theta, se, n = np.array([1.0, 3.0]), np.array([0.5, 0.5]), np.array([1.0, 3.0])
    mu, tau2 = moments(theta, se, n)
    assert mu == pytest.approx(2.5)  # (1·1 + 3·3) / 4
    assert tau2 == pytest.approx((1 * (1.5**2 - 0.25) + 3 * (0.5**2 - 0.25)) / 4)
    assert moments(theta, np.array([5.0, 5.0]), n)[1] == 0.0  # noise explains the spread


def _authors(signal: np.ndarray, per: int, d: int = 6, m: int = 80, seed: int = 0):
    """Training gradients whose projection on the yardstick direction has mean signal[a]."""
    rng = np.random.default_rng(seed)
    direction = rng.normal(size=d)
    D = np.outer(direction, np.ones(m)) + 0.3 * rng.normal(size=(d, m))
    rows, S = [], np.zeros((len(signal), len(signal) * per))
    for a, s in enumerate(signal):
        for k in range(per):
            g = rng.normal(size=d) + s * direction / (direction @ direction)
            rows.append(g)
            S[a, a * per + k] = 1.0
    return np.array(rows), D, S


def test_indistinguishable_authors_are_paid_by_pairs():
    G, D, S = _authors(np.full(6, 1.0), per=30)
    estimates, population = shrink(list(range(6)), S, G, D, len(G), draws=300)
    weights = [estimates[a].weight for a in range(6)]
    mean_se = np.mean([e.stderr for e in estimates.values()])
    assert population["tau2"] < 0.5 * mean_se**2  # most of the spread is noise
    assert max(weights) / min(weights) < 1.25
    assert all(e.stderr > 0 and e.low < e.lift_per_pair < e.high for e in estimates.values())


def test_clearly_measured_lift_dominates():
    G, D, S = _authors(np.array([0.2, 0.2, 3.0, 3.0, 6.0, 6.0]), per=200)
    estimates, _ = shrink(list(range(6)), S, G, D, len(G), draws=300)
    q = [estimates[a].quality for a in range(6)]
    assert q[0] < q[2] < q[4] and q[4] / q[0] > 5


def test_bootstrap_error_shrinks_with_more_pairs():
    small = bootstrap_lifts(*_authors(np.ones(2), per=20)[:2], 40, _authors(np.ones(2), 20)[2])
    big = bootstrap_lifts(*_authors(np.ones(2), per=320)[:2], 640, _authors(np.ones(2), 320)[2])
    assert big[1].std(axis=1).mean() < 0.5 * small[1].std(axis=1).mean()


def test_evidence_accumulates_across_rounds():
    G, D, S = _authors(np.array([0.5, 1.0, 1.5, 2.0]), per=40)
    first, _ = shrink([1, 2, 3, 4], S, G, D, len(G), draws=200)
    carried = {a: (e.evidence, e.evidence_var) for a, e in first.items()}
    second, _ = shrink([1, 2, 3, 4], S, G, D, len(G), previous=carried, draws=200, seed=1)
    for a in (1, 2, 3, 4):
        assert second[a].evidence_var < first[a].evidence_var
        assert second[a].quality_var < first[a].quality_var


def test_no_measured_lift_pays_nobody():
    G, D, S = _authors(np.full(3, -1.0), per=30)
    estimates, population = shrink([1, 2, 3], S, G, D, len(G), draws=50)
    assert population["mean_lift_per_pair"] < 0
    assert all(e.weight == 0.0 for e in estimates.values())
