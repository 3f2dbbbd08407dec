"""The preference head refit to its L2-regularised optimum on frozen backbone features.

Bradley–Terry logistic regression on feature differences x_i = f(chosen_i) − f(rejected_i):

    L(w) = (1/n) Σ_i s_i ℓ_i(w) + (λ/2) ‖w‖²,   ℓ_i(w) = −log σ(w·x_i − m_i),

with per-pair margins m_i (0 by default) and sample weights s_i (1 by default; the
normaliser n is the number of rows, so a weight of 0 removes a pair without changing the
regulariser's strength). A score-layer bias cancels in chosen − rejected, so there is none.
The objective is strictly convex; Newton's method with a backtracking line search reaches
‖∇L‖ < tol in a handful of steps. The refit weights can be written into the model's score
layer, so the served model is the trl-trained backbone with the refit head
(`write_score_layer`), and `choose_head` serves whichever head is more accurate held out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit, log_expit

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class HeadFit:
    """A fitted head: weights `w`, its L2 strength, row count, Newton steps, final ‖∇L‖."""

    w: np.ndarray
    l2: float
    n: int
    iterations: int
    grad_norm: float


def _margin(n: int, margin: np.ndarray | None) -> np.ndarray:
    """Per-pair margins as a float array (zeros when absent)."""
    return np.zeros(n) if margin is None else np.asarray(margin, dtype=float)


def pair_losses(w: np.ndarray, X: np.ndarray, margin: np.ndarray | None = None) -> np.ndarray:
    """ℓ_i(w) = −log σ(w·x_i − m_i) for every row of X."""
    return -log_expit(X @ w - _margin(len(X), margin))


def pair_gradients(w: np.ndarray, X: np.ndarray, margin: np.ndarray | None = None) -> np.ndarray:
    """∇ℓ_i(w) = −σ(m_i − w·x_i) x_i, one row per pair (the regulariser is not included)."""
    return -expit(_margin(len(X), margin) - X @ w)[:, None] * X


def objective(
    w: np.ndarray,
    X: np.ndarray,
    l2: float,
    margin: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> float:
    """L(w) = (1/n) Σ s_i ℓ_i(w) + (λ/2)‖w‖²."""
    s = np.ones(len(X)) if weights is None else weights
    return float(s @ pair_losses(w, X, margin) / len(X) + 0.5 * l2 * w @ w)


def gradient(
    w: np.ndarray,
    X: np.ndarray,
    l2: float,
    margin: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """∇L(w) = (1/n) Σ s_i ∇ℓ_i(w) + λ w."""
    s = np.ones(len(X)) if weights is None else weights
    return s @ pair_gradients(w, X, margin) / len(X) + l2 * w


def hessian(
    w: np.ndarray,
    X: np.ndarray,
    l2: float,
    margin: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """∇²L(w) = (1/n) Σ s_i σ(z_i)σ(−z_i) x_i x_iᵀ + λ I, z_i = w·x_i − m_i."""
    s = np.ones(len(X)) if weights is None else weights
    z = X @ w - _margin(len(X), margin)
    curvature = s * expit(z) * expit(-z)
    return (X * curvature[:, None]).T @ X / len(X) + l2 * np.eye(X.shape[1])


def fit_head(
    X: np.ndarray,
    margin: np.ndarray | None = None,
    l2: float = 1e-2,
    weights: np.ndarray | None = None,
    w0: np.ndarray | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> HeadFit:
    """Minimise L(w) by damped Newton steps until ‖∇L‖ < tol; warm-start from `w0`."""
    if l2 <= 0:
        raise ValueError("l2 must be > 0: the head's optimum is unique only with a regulariser")
    X = np.asarray(X, dtype=float)
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    args = (X, l2, margin, weights)
    grad = gradient(w, *args)
    steps = 0
    while np.linalg.norm(grad) >= tol and steps < max_iter:
        step = np.linalg.solve(hessian(w, *args), grad)
        value, t = objective(w, *args), 1.0
        # Armijo backtracking: Newton is globally convergent on this convex objective.
        while objective(w - t * step, *args) > value - 1e-4 * t * (grad @ step) and t > 1e-8:
            t *= 0.5
        w = w - t * step
        grad = gradient(w, *args)
        steps += 1
    return HeadFit(w=w, l2=l2, n=len(X), iterations=steps, grad_norm=float(np.linalg.norm(grad)))


def accuracy(w: np.ndarray, X: np.ndarray) -> tuple[float, float]:
    """(share of pairs with w·x > 0 strictly, share of ties w·x == 0)."""
    z = np.asarray(X, dtype=float) @ w
    return float(np.mean(z > 0)), float(np.mean(z == 0))


def mean_loss(w: np.ndarray, X: np.ndarray, margin: np.ndarray | None = None) -> float:
    """Mean held-out loss (1/m) Σ ℓ_j(w)."""
    return float(np.mean(pair_losses(w, X, margin)))


def score_layer(model) -> torch.nn.Linear:
    """The linear layer that turns pooled features into the reward (`score` or `classifier`)."""
    for name in ("score", "classifier"):
        layer = getattr(model, name, None)
        if layer is not None and hasattr(layer, "weight"):
            return layer
    raise ValueError("model has no `score` or `classifier` linear layer; load it with num_labels=1")


def read_score_layer(model) -> np.ndarray:
    """The model's current head weights as a vector (the trl-trained head)."""
    return score_layer(model).weight.detach().float().cpu().numpy().reshape(-1)


def write_score_layer(model, w: np.ndarray) -> None:
    """Write refit weights into the score layer (bias set to 0: it cancels in preferences)."""
    import torch

    layer = score_layer(model)
    with torch.no_grad():
        layer.weight.copy_(torch.as_tensor(w, dtype=layer.weight.dtype).reshape(layer.weight.shape))
        if layer.bias is not None:
            layer.bias.zero_()


def choose_head(model, refit: HeadFit, X_heldout: np.ndarray) -> tuple[str, float, float]:
    """Which head to serve, the more accurate on held-out pairs: ("refit"|"trl", refit acc,
    trl acc); the refit head wins ties. Reads only: `write_score_layer` installs the choice."""
    refit_acc = accuracy(refit.w, X_heldout)[0]
    trl_acc = accuracy(read_score_layer(model), X_heldout)[0]
    return ("refit" if refit_acc >= trl_acc else "trl"), refit_acc, trl_acc
