"""value_round end to end on real-text features from the tiny BERT, with simulated authors."""

from dataclasses import replace

import numpy as np
import pytest

from reward_model.valuation.round import value_round

HONEST, FLIPPER, CLICKER = (1, 2, 3, 4), 5, 6


def _round(hh_features, planted, seed: int):
    """Honest authors 1–4 (40 pairs each), a flipper (30) and a random clicker (30); the
    220 pairs are dealt in a new order each round (seed)."""
    pairs, _ = hh_features
    X, _, _ = planted
    rng = np.random.default_rng(seed)
    order = rng.permutation(220)
    out, rows = [], []
    for i, (pair, x) in enumerate(zip([pairs[k] for k in order], X[order], strict=True)):
        author = HONEST[i // 40] if i < 160 else (FLIPPER if i < 190 else CLICKER)
        flip = author == FLIPPER or (author == CLICKER and rng.random() < 0.5)
        if flip:
            pair = replace(pair, chosen=pair.rejected, rejected=pair.chosen, key=f"flip-{i}")
        out.append(replace(pair, author_ids=(author,)))
        rows.append(-x if flip else x)
    return out, np.array(rows)


@pytest.fixture(scope="module")
def first_round(hh_features, planted):
    """One valued round, calibrated on every author."""
    pairs, X = _round(hh_features, planted, seed=0)
    return value_round(pairs, X, planted[1], l2=0.1, n_groups=6), pairs


def test_totals_are_sums_of_pair_lifts(first_round):
    """Each author's total is the sum of their pairs' lifts; every pair has a cluster."""
    values, pairs = first_round
    for author, total in values.author_lift.items():
        mine = [i for i, p in enumerate(pairs) if author in p.author_ids]
        assert total == pytest.approx(values.pair_lift[mine].sum(), rel=1e-9, abs=1e-15)
    assert len(values.cluster) == len(pairs)
    assert values.head.grad_norm < 1e-8


def test_flipper_and_clicker_are_not_paid(first_round):
    """One round: the flipper's lift is negative, its reliability falls below neutral and it
    earns nothing; the clicker's label quality (what a pair of theirs is worth) is far below
    every honest author's (one round of 30 pairs on the tiny model: weak evidence), and so is
    its pay; every honest author is paid."""
    values, _ = first_round
    assert values.author_lift[FLIPPER] < 0 and values.reliability[FLIPPER] < 0.5
    assert values.payout[FLIPPER] == 0.0
    quality = values.label_quality
    assert quality[CLICKER] < 0.8 * min(quality[a] for a in HONEST)
    assert values.payout[CLICKER] < min(values.payout[a] for a in HONEST)
    assert all(values.payout[a] > 0 for a in HONEST)


def test_calibration_against_leave_author_out(first_round):
    """Summed influence ranks authors as exact leave-author-out retraining does."""
    values, _ = first_round
    assert len(values.calibration) == 6
    assert values.calibration_spearman > 0.9


def test_reliability_carries_across_rounds(hh_features, planted):
    """Four rounds, fresh pairs and clicks each: the flipper stays at ~0, the clicker far
    below every honest author (forgetting, φ = 0.1, keeps its prior ≥ 0.05 each round)."""
    previous = None
    for seed in range(4):
        pairs, X = _round(hh_features, planted, seed)
        values = value_round(pairs, X, planted[1], previous, l2=0.1, n_groups=0)
        previous = values.reliability
    assert previous[FLIPPER] < 0.01 and previous[CLICKER] < 0.25
    assert min(previous[a] for a in HONEST) > 0.8
