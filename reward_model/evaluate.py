"""Held-out evaluation of a reward model on preference pairs it never trained on.

Accuracy is exact and strict: a pair counts as right only when r(chosen) > r(rejected);
ties (equal rewards) count as wrong and are reported. The loss is the Bradley-Terry
-log sigmoid(r_chosen - r_rejected), without margins. Both are also given per source
kind (rating, pairwise, correction) and per site.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from reward_model.data import Pair
from reward_model.score import rewards


def _summary(diffs: list[float]) -> dict:
    """Accuracy (strict >), ties and mean loss of reward differences chosen - rejected."""
    n = len(diffs)
    if n == 0:
        return {"n": 0, "accuracy": None, "ties": 0, "mean_loss": None}
    # -log sigmoid(d) = log(1 + exp(-d)), written to stay finite for large |d|
    losses = [max(-d, 0.0) + math.log1p(math.exp(-abs(d))) for d in diffs]
    return {
        "n": n,
        "accuracy": sum(d > 0 for d in diffs) / n,
        "ties": sum(d == 0 for d in diffs),
        "mean_loss": sum(losses) / n,
    }


def pair_margins(
    model: Any, tokenizer: Any, pairs: Sequence[Pair], max_length: int, batch_size: int = 64
) -> list[float]:
    """r(chosen) - r(rejected) for each pair."""
    prompts = [p.prompt for p in pairs] * 2
    answers = [p.chosen for p in pairs] + [p.rejected for p in pairs]
    scores = rewards(model, tokenizer, prompts, answers, max_length, batch_size)
    n = len(pairs)
    return [scores[i] - scores[n + i] for i in range(n)]


def summarize(pairs: Sequence[Pair], diffs: Sequence[float]) -> dict:
    """Overall, per-source and per-site accuracy, ties and loss from reward differences."""
    by_source: dict[str, list[float]] = defaultdict(list)
    by_site: dict[str, list[float]] = defaultdict(list)
    for pair, diff in zip(pairs, diffs, strict=True):
        by_source[pair.source].append(diff)
        by_site[pair.site].append(diff)
    return {
        **_summary(list(diffs)),
        "by_source": {k: _summary(v) for k, v in sorted(by_source.items())},
        "by_site": {k: _summary(v) for k, v in sorted(by_site.items())},
    }


def evaluate_pairs(
    model: Any, tokenizer: Any, pairs: Sequence[Pair], max_length: int, batch_size: int = 64
) -> dict:
    """Exact held-out metrics of `model` on `pairs` (see the module docstring)."""
    return summarize(pairs, pair_margins(model, tokenizer, pairs, max_length, batch_size))
