"""`compute_round`: a whole round in one call — pairs → train → value → payouts → model card.

1. Train the round's reward model on every contributor pair with trl (`train.train_round`),
   evaluated on the yardstick, which is never trained on.
2. Encode training and yardstick pairs with a backbone this round did not shape: the base
   model (`RoundConfig.valuation_backbone`, default the round's own base) or the previous
   round's served model, pooled as `valuation_pooling` says; features are cached by content.
3. Refit the preference head on those features and value every pair and author on the
   yardstick with standard errors and empirical-Bayes payouts (`valuation.round`, which
   also finds near-duplicate pairs by their texts and gives each cluster's credit to its
   first post by server receipt, and weighs gold answers into reliability); each
   further yardstick (a lab's) adds its authors' lift at the cost of one more solve.
4. Serve whichever is more accurate on the yardstick: the trl-trained model, or the
   valuation backbone with the refit head; both accuracies are reported.
5. Write `model_card.json` beside the served model.

The caller (a worker) loads pairs and stores what comes back; nothing here knows about it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from reward_model.data import Pair
from reward_model.train import TrainConfig, train_round
from reward_model.valuation.round import RoundValues, value_round
from reward_model.yardstick import content_hash

CARD = "model_card.json"


@dataclass
class RoundConfig:
    """How a round values its pairs (training settings live in `TrainConfig`)."""

    valuation_backbone: str | None = field(
        default=None, metadata={"help": "Backbone for valuation features (None: the base)."}
    )
    valuation_pooling: str = field(
        default="mean", metadata={"help": '"mean" (sentence embedding) or "head" pooling.'}
    )
    l2: float = field(default=1e-2, metadata={"help": "The refit head's L2 strength."})
    calibration_groups: int = field(
        default=20, metadata={"help": "Authors checked by exact leave-author-out refits."}
    )
    bootstrap_draws: int = field(default=200, metadata={"help": "Bootstrap replicates."})


@dataclass
class RoundOutcome:
    """What a round produced: metrics, values per pair and author, and the model card."""

    metrics: dict
    values: RoundValues
    card: dict


Progress = Callable[[dict], None]


def snapshot_hash(pairs: Sequence[Pair]) -> str:
    """sha256 over the training pairs' content keys in snapshot order."""
    digest = hashlib.sha256()
    for pair in pairs:
        digest.update(pair.key.encode())
    return digest.hexdigest()


def _features(model, tokenizer, pairs, cache: Path | None, config, train: TrainConfig):
    """φ(chosen) − φ(rejected) of the pairs under the valuation backbone."""
    from reward_model.features import cached_pair_features

    chosen, rejected = cached_pair_features(
        model, tokenizer, pairs, cache, train.max_length, pooling=config.valuation_pooling
    )
    return (chosen - rejected).astype(float)


def _serve_base(model, tokenizer, w: np.ndarray, pooling: str, out: Path) -> None:
    """Write the valuation backbone with the refit head over the trained model in `out`."""
    from reward_model.head import write_score_layer
    from reward_model.score import TRAIN_CONFIG

    settings = json.loads((out / TRAIN_CONFIG).read_text())
    write_score_layer(model, w)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / TRAIN_CONFIG).write_text(json.dumps({**settings, "pooling": pooling}, indent=2))


def compute_round(
    pairs: Sequence[Pair],
    yardstick: Sequence[Pair],
    train: TrainConfig,
    out_dir: str | Path,
    config: RoundConfig | None = None,
    previous: Mapping | None = None,
    quality: Mapping | None = None,
    extra_yardsticks: Mapping[str, Sequence[Pair]] | None = None,
    cache_dir: str | Path | None = None,
    progress: Progress | None = None,
    gold: Mapping | None = None,
) -> RoundOutcome:
    """Train, value and pay one round (see the module docstring); the served model and its
    card are written to `out_dir`. `previous`: author → last reliability; `quality`: author
    → (evidence, variance) on quality from past rounds; `extra_yardsticks`: name → a lab's
    yardstick pairs; `gold`: author → (correct, answered) on gold items (None: no gold)."""
    from reward_model.backbones import load_backbone

    config, out = config or RoundConfig(), Path(out_dir)
    report = progress or (lambda update: None)
    if len(yardstick) < 2:
        raise ValueError("a round needs a yardstick of at least 2 pairs")
    metrics = train_round(pairs, yardstick, train, out, progress=progress)
    report({"phase": "features"})
    clock = time.perf_counter()
    base_name = config.valuation_backbone or train.backbone
    model, tokenizer = load_backbone(base_name, seed=train.seed)
    cache = Path(cache_dir) if cache_dir else None
    X = _features(model, tokenizer, pairs, cache, config, train)
    X_val = _features(model, tokenizer, yardstick, cache, config, train)
    extra = {
        name: _features(model, tokenizer, other, cache, config, train)
        for name, other in (extra_yardsticks or {}).items()
    }
    report({"phase": "value", "pairs": len(pairs)})
    values = value_round(
        pairs, X, X_val, previous, l2=config.l2, n_groups=config.calibration_groups,
        seed=train.seed, quality=quality, extra=extra, draws=config.bootstrap_draws, gold=gold,
    )  # fmt: skip
    valuation_s = time.perf_counter() - clock
    trl_acc, base_acc = metrics["accuracy"], values.heldout_accuracy
    served = "base+refit" if base_acc > (trl_acc or 0.0) else "trl"
    if served == "base+refit":
        _serve_base(model, tokenizer, values.head.w, config.valuation_pooling, out)
    metrics = {
        **metrics,
        "served": served,
        "served_yardstick_accuracy": max(base_acc, trl_acc or 0.0),
        "trl_yardstick_accuracy": trl_acc,
        "base_refit_yardstick_accuracy": base_acc,
        "base_refit_yardstick_loss": values.heldout_loss,
        "mean_lift_per_pair": values.population["mean_lift_per_pair"],
        "between_author_variance": values.population["tau2"],
        "calibration_spearman": _finite(values.calibration_spearman),
        "valuation_s": valuation_s,
    }
    card = {
        "snapshot_hash": snapshot_hash(pairs),
        "n_pairs": len(pairs),
        "yardstick_hash": content_hash(yardstick),
        "n_yardstick": len(yardstick),
        "train_config": asdict(train),
        "round_config": asdict(config),
        "metrics": {k: v for k, v in metrics.items() if k not in ("by_source", "by_site")},
    }
    (out / CARD).write_text(json.dumps(card, indent=2, default=str))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, default=str))
    return RoundOutcome(metrics=metrics, values=values, card=card)


def _finite(x: float | None) -> float | None:
    """JSON-safe float (NaN becomes None)."""
    return None if x is None or not np.isfinite(x) else float(x)
