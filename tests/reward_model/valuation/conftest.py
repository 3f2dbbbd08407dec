"""Fixtures: pooled features of real HH texts from the tiny random-init BERT, and helpers."""

import numpy as np
import pytest


@pytest.fixture(scope="session")
def hh_features():
    """(pairs, X) for 300 real HH pairs: X = φ(chosen) − φ(rejected), tiny BERT, 64 tokens."""
    from reward_model.backbones import load_backbone
    from reward_model.data import build_pairs
    from reward_model.features import cached_pair_features
    from reward_model.sources import HH_PATH, load_hh, records_to_rows

    rows = records_to_rows(load_hh(HH_PATH, limit=300))
    pairs = build_pairs(rows)
    model, tokenizer = load_backbone("tiny", seed=0)
    chosen, rejected = cached_pair_features(model, tokenizer, pairs, max_length=64)
    return pairs, (chosen - rejected).astype(float)


@pytest.fixture(scope="session")
def planted(hh_features):
    """Real-text features with labels from a planted head w_true: (X oriented, X_val, w_true).

    Rows are standardised so a linear head separates them well; labels follow
    P(chosen) = σ(w_true·x), so the refit head has a clear truth to recover.
    """
    _, X = hh_features
    X = (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-12)
    rng = np.random.default_rng(7)
    w_true = rng.normal(size=X.shape[1]) / np.sqrt(X.shape[1]) * 4.0
    flip = rng.random(len(X)) > 1 / (1 + np.exp(-X @ w_true))
    X = np.where(flip[:, None], -X, X)
    return X[:220], X[220:], w_true
