"""InfluenceLift: a hand-computed case and agreement with exact leave-one-out retraining."""

import math

import numpy as np
import pytest

from reward_model.head import fit_head, mean_loss
from reward_model.valuation.influence import InfluenceLift
from reward_model.valuation.leave_group_out import LeaveGroupOut, spearman


def test_hand_computed_lift():
    """x_1 = x_2 = 1, λ = 1/(4 ln 3) → w* = ln 3, σ(−w*) = ¼; one held-out x = 1.

    g_i = g_val = −¼, H = σ(w*)σ(−w*) + λ = 3/16 + λ, lift_i = g_val g_i / (2H).
    """
    lam = 1 / (4 * math.log(3))
    lift = InfluenceLift(l2=lam).fit(np.ones((2, 1)), np.ones((1, 1))).result
    expected = (1 / 16) / (2 * (3 / 16 + lam))
    np.testing.assert_allclose(lift.values, [expected, expected], rtol=1e-9)


def test_lift_tracks_exact_leave_one_out(planted):
    """Spearman(influence, exact LOO retraining) > 0.95 on real-text features (100 rows)."""
    X, X_val, _ = planted
    lift = InfluenceLift(l2=1e-1).fit(X, X_val).result.values[:100]
    exact = LeaveGroupOut(l2=1e-1).fit(X, X_val, np.eye(len(X))[:100]).result.values
    assert spearman(lift, exact) > 0.95
    # first order: the sizes agree too, not only the ranks
    assert np.median(np.abs(lift - exact)) < 0.2 * np.median(np.abs(exact))


def test_exact_leave_one_out_is_a_plain_refit(planted):
    """Exact lift of row 0 = held-out loss of the head refit on the other rows, minus now."""
    X, X_val, _ = planted
    n = len(X)
    exact = LeaveGroupOut(l2=1e-1).fit(X, X_val, np.eye(n)[:1]).result.values[0]
    full = mean_loss(fit_head(X, l2=1e-1).w, X_val)
    # (1/n)Σ_{j≠0} ℓ_j + λ/2‖w‖² is the n−1 rows' objective with λ n/(n−1)
    without = mean_loss(fit_head(X[1:], l2=1e-1 * n / (n - 1)).w, X_val)
    assert exact == pytest.approx(without - full, rel=1e-8, abs=1e-14)


def test_flipped_pairs_have_lower_lift(planted):
    """Reversing a tenth of the pairs: their mean lift is negative, the others' positive."""
    X, X_val, _ = planted
    flipped = np.zeros(len(X), dtype=bool)
    flipped[::10] = True
    lift = InfluenceLift(l2=1e-1).fit(np.where(flipped[:, None], -X, X), X_val).result.values
    assert lift[flipped].mean() < 0 < lift[~flipped].mean()


@pytest.mark.parametrize("empty", ["train", "held-out"])
def test_refuses_empty_sets(empty):
    """No training pairs or no held-out pairs: a ValueError that says what is missing."""
    X, X_val = np.ones((3, 2)), np.ones((2, 2))
    if empty == "train":
        X = X[:0]
    else:
        X_val = X_val[:0]
    with pytest.raises(ValueError, match="held-out"):
        InfluenceLift().fit(X, X_val)
