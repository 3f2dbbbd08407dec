"""The refit preference head: optimum by hand, gradient ~0, weights, score-layer round trip."""

import math

import numpy as np
import pytest
import torch

from reward_model.backbones import load_backbone
from reward_model.features import cached_pair_features, pooled_features
from reward_model.head import (
    accuracy,
    choose_head,
    fit_head,
    gradient,
    objective,
    read_score_layer,
    write_score_layer,
)
from reward_model.score import rewards


def test_hand_computed_optimum():
    """Two copies of x = 1, λ = 1/(4 ln 3): σ(−w) = λ w holds at w = ln 3."""
    fit = fit_head(np.array([[1.0], [1.0]]), l2=1 / (4 * math.log(3)))
    assert fit.w[0] == pytest.approx(math.log(3), abs=1e-10)


def test_hand_computed_optimum_with_margin():
    """x = 2, m = 1, λ = 2σ(−1): −2σ(1 − 2w) + λw = 0 at w = 1."""
    fit = fit_head(np.array([[2.0]]), margin=np.array([1.0]), l2=2 / (1 + math.e))
    assert fit.w[0] == pytest.approx(1.0, abs=1e-10)


def test_reaches_the_optimum_and_gradient_matches_finite_differences():
    """‖∇L‖ ~ 0 at the fit; ∇L agrees with central differences of L."""
    rng = np.random.default_rng(0)
    X, m = rng.normal(size=(300, 20)), rng.random(300)
    fit = fit_head(X, m, l2=1e-2)
    assert fit.grad_norm < 1e-9
    assert np.linalg.norm(gradient(fit.w, X, 1e-2, m)) < 1e-9
    w, eps = rng.normal(size=20), 1e-6
    numeric = [
        (objective(w + eps * e, X, 1e-2, m) - objective(w - eps * e, X, 1e-2, m)) / (2 * eps)
        for e in np.eye(20)
    ]
    np.testing.assert_allclose(gradient(w, X, 1e-2, m), numeric, rtol=1e-5, atol=1e-8)


def test_zero_weight_equals_dropping_the_row_with_scaled_l2():
    """(1/n)Σ_{j≠0} ℓ_j + λ/2‖w‖² has the optimum of the n−1 rows with λ n/(n−1)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 5))
    weights = np.ones(50)
    weights[0] = 0.0
    a = fit_head(X, l2=0.1, weights=weights).w
    b = fit_head(X[1:], l2=0.1 * 50 / 49).w
    np.testing.assert_allclose(a, b, atol=1e-10)


def test_accuracy_counts_ties_apart():
    """w·x > 0 strictly is correct; w·x == 0 is a tie."""
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [2.0, 0.0]])
    assert accuracy(np.array([1.0, 0.0]), X) == (0.5, 0.25)


def test_l2_must_be_positive():
    """Without a regulariser the optimum may not exist."""
    with pytest.raises(ValueError, match="l2"):
        fit_head(np.ones((2, 1)), l2=0.0)


@pytest.fixture(scope="module")
def tiny():
    """The tiny random-init BERT reward model and its tokenizer."""
    return load_backbone("tiny", seed=0)


def test_written_head_gives_the_models_rewards(tiny):
    """After writing w, the model's rewards are w·φ: served model = backbone + refit head."""
    model, tokenizer = tiny
    prompts, answers = ["Is the sky blue?"] * 2 + ["Name a prime."], ["Yes.", "No, green.", "7"]
    phi = pooled_features(model, tokenizer, prompts, answers, max_length=32)
    w = np.random.default_rng(2).normal(size=phi.shape[1])
    write_score_layer(model, w)
    np.testing.assert_allclose(read_score_layer(model), w, rtol=1e-6)
    got = rewards(model, tokenizer, prompts, answers, max_length=32)
    np.testing.assert_allclose(got, phi @ w, rtol=1e-4, atol=1e-5)


def test_choose_head_serves_the_more_accurate(tiny):
    """A refit head that orders every held-out pair beats a zeroed trl head; choosing it
    leaves the model's weights alone."""
    model, _ = tiny
    with torch.no_grad():
        model.classifier.weight.zero_()
    X = np.random.default_rng(3).normal(size=(40, model.config.hidden_size))
    fit = fit_head(X, l2=1e-2)
    which, refit_acc, trl_acc = choose_head(model, fit, X)
    assert (which, trl_acc) == ("refit", 0.0) and refit_acc > 0.9
    assert not np.any(read_score_layer(model))


def test_feature_cache_is_keyed_by_weights_and_texts(tiny, tmp_path):
    """The second call reads the .npz; other backbone weights give another file."""
    from reward_model.data import Pair

    model, tokenizer = tiny
    pairs = [Pair("Hi?", "Hello!", "Go away.", source="pairwise")]
    first = cached_pair_features(model, tokenizer, pairs, tmp_path, max_length=32)
    files = list(tmp_path.glob("*.npz"))
    second = cached_pair_features(model, tokenizer, pairs, tmp_path, max_length=32)
    np.testing.assert_array_equal(first[0], second[0])
    other, _ = load_backbone("tiny", seed=1)
    cached_pair_features(other, tokenizer, pairs, tmp_path, max_length=32)
    assert len(files) == 1 and len(list(tmp_path.glob("*.npz"))) == 2


def test_mean_pooling_gives_unit_sentence_embeddings(tiny):
    """pooling="mean": one unit-norm row per text; an unknown pooling is refused."""
    model, tokenizer = tiny
    phi = pooled_features(model, tokenizer, ["Hi?", "Hi?"], ["Hello!", "Bye."], 32, pooling="mean")
    np.testing.assert_allclose(np.linalg.norm(phi, axis=1), [1.0, 1.0], rtol=1e-5)
    assert not np.allclose(phi[0], phi[1])
    with pytest.raises(ValueError, match="pooling"):
        pooled_features(model, tokenizer, ["Hi?"], ["Hello!"], 32, pooling="max")
