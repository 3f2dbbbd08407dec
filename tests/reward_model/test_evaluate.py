"""Exact pairwise accuracy (strict >, ties reported) and loss, per source and site."""

import math

import pytest

from reward_model.data import Pair
from reward_model.evaluate import summarize


def _pair(source, site):
    """A pair whose texts do not matter here."""
    return Pair(prompt="q", chosen="c", rejected="r", source=source, site=site)


def test_summary_matches_hand_computation():
    """Diffs 2, -1, 0, 0.5: accuracy 2/4 (a tie is not right), one tie, mean log(1+e^-d)."""
    pairs = [
        _pair("rating", "chatgpt"),
        _pair("pairwise", "chatgpt"),
        _pair("pairwise", "claude"),
        _pair("correction", "claude"),
    ]
    diffs = [2.0, -1.0, 0.0, 0.5]
    result = summarize(pairs, diffs)
    expected_loss = sum(math.log1p(math.exp(-d)) for d in diffs) / 4
    assert (result["n"], result["accuracy"], result["ties"]) == (4, 0.5, 1)
    assert result["mean_loss"] == pytest.approx(expected_loss)
    assert result["by_source"]["pairwise"] == {
        "n": 2, "accuracy": 0.0, "ties": 1,
        "mean_loss": pytest.approx((math.log1p(math.e) + math.log(2)) / 2),
    }  # fmt: skip
    assert result["by_site"]["claude"]["accuracy"] == 0.5
    assert result["by_source"]["rating"]["accuracy"] == 1.0


def test_loss_stays_finite_for_huge_margins():
    """-log sigmoid(d) is computed stably: ~0 for d = 1000, ~1000 for d = -1000."""
    result = summarize([_pair("rating", "x")] * 2, [1000.0, -1000.0])
    assert result["mean_loss"] == pytest.approx(500.0)


def test_empty_set_has_no_accuracy():
    """No held-out pairs: accuracy is None, not a made-up number."""
    assert summarize([], [])["accuracy"] is None
