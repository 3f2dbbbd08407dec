"""Lift per preference by closed-form influence through the refit head.

With w* the optimum of L(w) = (1/n) Σ_i s_i ℓ_i(w) + (λ/2)‖w‖² (see `reward_model.head`),
H = ∇²L(w*) its regularised Hessian and L_val(w) = (1/m) Σ_j ℓ_j(w) the mean loss on
trusted held-out pairs that were never trained on, removing pair i moves the optimum by
Δw ≈ H⁻¹ ∇ℓ_i(w*) / n (Koh & Liang, 2017, "Understanding Black-box Predictions via
Influence Functions"), so its lift, the change in held-out loss on removal, is

    lift_i = ∇L_val(w*)ᵀ H⁻¹ ∇ℓ_i(w*) / n      (positive: the pair helped).

One linear solve s = H⁻¹ ∇L_val serves every pair: lift = G s / n, G the per-pair gradients.
The head is convex with a unique optimum, so the lift is a property of the data, not of a
seed; `LeaveGroupOut` checks it against exact retraining.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit

from reward_model.head import HeadFit, fit_head, gradient, hessian, pair_gradients
from reward_model.valuation.result import ValuationResult


class InfluenceLift:
    """Closed-form lift of every training pair on the mean held-out loss."""

    def __init__(self, l2: float = 1e-2, tol: float = 1e-10) -> None:
        """`l2`: the head's regulariser λ; `tol`: Newton's stopping ‖∇L‖."""
        self.l2 = l2
        self.tol = tol
        self.head: HeadFit | None = None
        self.hessian: np.ndarray | None = None
        self.val_direction: np.ndarray | None = None
        self.result: ValuationResult | None = None

    def fit(
        self,
        X: np.ndarray,
        X_val: np.ndarray,
        margin: np.ndarray | None = None,
        weights: np.ndarray | None = None,
        names: Sequence | None = None,
    ) -> InfluenceLift:
        """Refit the head on X (feature differences) and value each row against X_val."""
        X, X_val = np.asarray(X, dtype=float), np.asarray(X_val, dtype=float)
        if len(X) == 0 or len(X_val) == 0:
            raise ValueError("need training pairs and at least one trusted held-out pair")
        self.head = fit_head(X, margin, self.l2, weights, tol=self.tol)
        w = self.head.w
        self.hessian = hessian(w, X, self.l2, margin, weights)
        g_val = gradient(w, X_val, 0.0)
        self.val_direction = np.linalg.solve(self.hessian, g_val)
        values = pair_gradients(w, X, margin) @ self.val_direction / len(X)
        self.result = ValuationResult(
            values=values,
            indices=np.arange(len(X)),
            names=list(range(len(X))) if names is None else list(names),
            method="influence",
        )
        return self

    def parameter_shift(self, X: np.ndarray, shares: np.ndarray, margin=None) -> np.ndarray:
        """Δw on removing `shares[i]` of each row, one Newton step from w* on the reduced
        objective: (H − H_S)⁻¹ Σ shares_i ∇ℓ_i / n, H_S the removed rows' Hessian part."""
        if self.head is None:
            raise ValueError("call fit() before parameter_shift()")
        n, rows = len(X), np.flatnonzero(shares)  # only the removed rows enter
        X, shares = np.asarray(X, dtype=float)[rows], np.asarray(shares, dtype=float)[rows]
        m = None if margin is None else np.asarray(margin, dtype=float)[rows]
        z = X @ self.head.w - (0.0 if m is None else m)
        curvature = shares * expit(z) * expit(-z)
        reduced = self.hessian - (X * curvature[:, None]).T @ X / n
        g = shares @ pair_gradients(self.head.w, X, m)
        return np.linalg.solve(reduced, g) / n
