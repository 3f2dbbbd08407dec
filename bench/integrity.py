"""Integrity benchmark: does lift mean something, on real data, with the real round pipeline?

The yardstick is the last 500 HH dialogues (the default yardstick's HH part, never posted
by the demo nor dealt to authors); the HH dialogues before them are dealt to simulated
authors (`integrity_authors`). Features: the frozen all-MiniLM-L6-v2 (the base model, which
no round shapes), mean-pooled, cached under bench/out/features. One run prints every figure
on one line with its target and `met` or `missed`:

- exchangeable honest authors (8, round-robin): all paid, max/min payout;
- stability on two disjoint yardstick halves: share of payouts moving > 1.5x, median change;
- graded quality (0–40% flipped, 3 authors a level): Spearman on each half, in one round
  and with evidence carried over 4 rounds (fresh pairs each round);
- proportionality, a 5-wallet ring through every path (its pool share against the same
  judgements sent once: at most 1.1x plus 0.1% of the pool, so a ring paid 0 both ways is
  a pass, not 0/0), the flipper, exactness vs exact leave-author-out refits;
- the whole round (`reward_model.pipeline.compute_round`) on the dealt pool: valuation wall
  time / trl training wall time, and the served model's yardstick accuracy / a bare trl
  script's on the same pairs (`bench/train.py`'s bare arm);
- a 200,000-row feedback snapshot built by the worker's code in its own process: peak RSS;
- copies, adversaries and gold answers (`integrity_copies`, whose docstring says how gold
  answers are simulated from each author's own labelling): a victim and three copy accounts
  (one exact, two paraphrased reposts), k = 4 verbatim copies with margins as the service
  merges them; a random clicker, a flipper and a "longer answer wins" rater in the first
  round they answer 10 gold items; graded quality with 10 gold answers each (and, for
  context, 30 and 100: how far more gold evidence takes the ranking); honest
  authors without gold answers; near-duplicate recall and false merges
  (`bench/near_duplicates.py`, run by itself: it takes minutes).

`--quick`: the tiny random-init BERT, a few hundred pairs, 2,000 rows (mechanics only).

    python bench/integrity.py [--quick] [--skip-round] [--json bench/out/integrity.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# numpy's BLAS with 2 threads thrashes on a busy 2-core machine (a 384² solve: 0.2 s vs 0.01 s)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench import integrity_authors as authors  # noqa: E402
from bench import integrity_copies as copies  # noqa: E402
from bench.integrity_snapshot import snapshot_peak_mb  # noqa: E402
from reward_model.data import build_pairs  # noqa: E402
from reward_model.sources import HH_PATH, YARDSTICK_HH, load_hh, records_to_rows  # noqa: E402
from reward_model.valuation.leave_group_out import spearman  # noqa: E402

OUT = ROOT / "bench" / "out"
FULL = {"backbone": "minilm", "n_pool": None, "n_yardstick": YARDSTICK_HH, "max_length": 256,
        "batch_size": 16, "snapshot_rows": 200_000}  # fmt: skip
QUICK = {"backbone": "tiny", "n_pool": 360, "n_yardstick": 120, "max_length": 64,
         "batch_size": 16, "snapshot_rows": 2_000}  # fmt: skip


def load(settings: dict) -> tuple[list, list]:
    """(pool, yardstick): HH pairs in file order, the last `n_yardstick` as the yardstick."""
    pairs = build_pairs(records_to_rows(load_hh(HH_PATH)))
    pool, yardstick = pairs[: -settings["n_yardstick"]], pairs[-settings["n_yardstick"] :]
    return (pool if settings["n_pool"] is None else pool[: settings["n_pool"]]), yardstick


def features(pairs: list, settings: dict) -> np.ndarray:
    """Mean-pooled base-model feature differences, cached under bench/out/features."""
    import torch

    from reward_model.backbones import load_backbone
    from reward_model.features import cached_pair_features

    torch.set_num_threads(2)
    model, tokenizer = load_backbone(settings["backbone"], seed=0)
    chosen, rejected = cached_pair_features(
        model, tokenizer, pairs, OUT / "features", settings["max_length"], pooling="mean"
    )
    return (chosen - rejected).astype(float)


def carried_over(pool, X, X_val, halves, rounds: int = 4) -> tuple:
    """Graded authors over `rounds` rounds, fresh pairs each, quality and reliability carried
    over: Spearman of the last round's payouts with quality on each half."""
    levels = [0.0, 0.1, 0.2, 0.3, 0.4]
    flips = [lv for lv in levels for _ in range(3)] + [1.0]
    per = len(pool) // len(flips)
    rhos = []
    for h in halves:
        reliability, quality = None, None
        for r in range(rounds):
            pairs, rows = authors.deal(pool, X, [per] * len(flips), flips, seed=20 + r)
            values = authors.value(pairs, rows, X_val[h], previous=reliability, quality=quality)
            reliability = values.reliability
            quality = {a: (e.evidence, e.evidence_var) for a, e in values.estimates.items()}
        rhos.append(spearman([values.payout[a] for a in range(15)], [-f for f in flips[:-1]]))
    return tuple(rhos)


def whole_round(pool: list, yardstick: list, settings: dict) -> dict:
    """compute_round on the pool dealt round-robin to 8 authors, and the bare trl arm."""
    from bench.train import LEARNING_RATE, bare_arm
    from reward_model.pipeline import compute_round
    from reward_model.train import TrainConfig

    dealt = [replace(p, author_ids=(i % 8,)) for i, p in enumerate(pool)]
    config = TrainConfig(
        backbone=settings["backbone"], max_length=settings["max_length"],
        batch_size=settings["batch_size"], learning_rate=LEARNING_RATE, seed=0,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as cache:
        outcome = compute_round(dealt, yardstick, config, out, cache_dir=cache)
    bare = bare_arm(dealt, yardstick, settings)
    m = outcome.metrics
    return {
        "train_s": m["timing"]["total_s"],
        "valuation_s": m["valuation_s"],
        "served": m["served"],
        "served_accuracy": m["served_yardstick_accuracy"],
        "trl_accuracy": m["trl_yardstick_accuracy"],
        "base_accuracy": m["base_refit_yardstick_accuracy"],
        "bare_accuracy": bare["accuracy"],
    }


def line(name: str, value, target: str, ok: bool) -> dict:
    """Print one figure with its target and the verdict; return it."""
    shown = ", ".join(_fmt(v) for v in value) if isinstance(value, tuple) else _fmt(value)
    print(f"{name}: {shown} (target {target}) {'met' if ok else 'missed'}", flush=True)
    return {"name": name, "value": value, "target": target, "met": bool(ok)}


def _fmt(v) -> str:
    """Numbers to 4 significant digits."""
    return f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v)


def valuation_lines(pool, X, X_val) -> list[dict]:
    """Every figure that needs only features."""
    n = len(X_val)
    halves = [np.arange(0, n, 2), np.arange(1, n, 2)]
    ex = authors.exchangeable(pool, X, X_val, halves)
    gr = authors.graded(pool, X, X_val, halves)
    carried = carried_over(pool, X, X_val, halves)
    pr = authors.proportional(pool, X, X_val)
    ring = authors.ring(pool, X, X_val)
    return [
        line("exchangeable honest authors: all paid", ex["all_paid"], "True", ex["all_paid"]),
        line("exchangeable honest authors: max/min payout", ex["max_min"], "<= 1.5",
             ex["max_min"] <= 1.5),
        line("stability, yardstick halves: share moving > 1.5x", ex["moved_1_5x"], "<= 0.10",
             ex["moved_1_5x"] <= 0.10),
        line("stability, yardstick halves: median relative change", ex["median_change"],
             "<= 0.20", ex["median_change"] <= 0.20),
        line("graded quality: Spearman on each half, one round", gr["spearman_halves"],
             ">= 0.6 each", min(gr["spearman_halves"]) >= 0.6),
        line("graded quality: Spearman on each half, evidence of 4 rounds", carried,
             ">= 0.6 each", min(carried) >= 0.6),
        line("proportionality: twice the pairs earns", pr["ratio"], "1.6-2.4x",
             1.6 <= pr["ratio"] <= 2.4),
        line("5-wallet ring: pool share through every path, sent once",
             (ring["ring_share"], ring["once_share"]), "every path <= 1.1 x once + 0.001",
             ring["ring_share"] <= 1.1 * ring["once_share"] + 1e-3),
        line("5-wallet ring: median honest pay move", ring["honest_move"], "<= 0.10",
             ring["honest_move"] <= 0.10),
        line("flipper paid", gr["flipper_paid"], "0", gr["flipper_paid"] == 0),
        line("exactness vs leave-author-out refits (Spearman)", gr["exactness"], ">= 0.95",
             gr["exactness"] >= 0.95),
        line("refit head on the yardstick: accuracy (context)", gr["yardstick_accuracy"],
             "none", True),
    ]  # fmt: skip


def copy_lines(pool, X, X_val, settings: dict) -> list[dict]:
    """Copier, adversaries with gold answers, graded quality with gold, honest without gold."""
    n = len(X_val)
    halves = [np.arange(0, n, 2), np.arange(1, n, 2)]
    items = copies.gold_items()
    cp = copies.copier(pool, X, X_val, lambda pairs: features(pairs, settings))
    adv = copies.adversaries(pool, X, X_val, items)
    gg = copies.graded_gold(pool, X, X_val, halves, items)
    more = [copies.graded_gold(pool, X, X_val, [], items, count=c)["spearman"][0]
            for c in (30, 100)]  # fmt: skip
    hw = copies.honest_without_gold(pool, X, X_val, items)
    return [
        line("copier, 3 accounts (exact + paraphrased): copies' payout / victim's",
             cp["copies_over_victim"], "<= 0.1", cp["copies_over_victim"] <= 0.1),
        line("copier: victim's payout / its solo payout", cp["victim_kept"], ">= 0.9",
             cp["victim_kept"] >= 0.9),
        line("k = 4 verbatim copies (margins as merged: max margin "
             f"{cp['max_merged_margin']:.2f}): total payout / one copy", cp["four_over_one"],
             "<= 1.05", cp["four_over_one"] <= 1.05),
        line("random clicker, 10 gold answers: payout / honest median", adv["clicker"],
             "<= 0.02", adv["clicker"] <= 0.02),
        line("flipper, 10 gold answers: payout / honest median", adv["flipper"], "<= 0.02",
             adv["flipper"] <= 0.02),
        line('"longer answer wins", 10 gold answers: payout / honest median', adv["longer"],
             "<= 0.02", adv["longer"] <= 0.02),
        line("graded quality, 10 gold answers each: Spearman (whole, half 1, half 2)",
             gg["spearman"], ">= 0.9", min(gg["spearman"]) >= 0.9),
        line("graded quality, 30 and 100 gold answers each: Spearman, whole (context)",
             tuple(more), "reported", True),
        line("honest authors without gold answers: lowest payout / honest median",
             hw["lowest_without_gold"], ">= 0.5", hw["lowest_without_gold"] >= 0.5),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> list[dict]:
    """Run every section and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny BERT, few pairs: smoke run")
    parser.add_argument("--skip-round", action="store_true", help="no trl training run")
    parser.add_argument("--skip-snapshot", action="store_true", help="no 200k-row snapshot")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    clock = time.perf_counter()
    pool, yardstick = load(settings)
    X, X_val = features(pool, settings), features(yardstick, settings)
    print(f"{len(pool)} pool pairs, {len(yardstick)} yardstick pairs, {settings['backbone']} "
          f"features in {time.perf_counter() - clock:.0f} s", flush=True)  # fmt: skip
    results = valuation_lines(pool, X, X_val)
    results += copy_lines(pool, X, X_val, settings)
    if not args.skip_round:
        r = whole_round(pool, yardstick, settings)
        ratio = r["valuation_s"] / r["train_s"]
        served = r["served_accuracy"] / r["bare_accuracy"]
        results += [
            line("valuation wall time / one training run", (ratio, r["valuation_s"],
                 r["train_s"]), "<= 1.2", ratio <= 1.2),
            line("served accuracy on the yardstick / bare trl", (served, r["served_accuracy"],
                 r["bare_accuracy"]), ">= 1.0", served >= 1.0),
            line("both models on the yardstick: trl-trained, base+refit head; served",
                 (r["trl_accuracy"], r["base_accuracy"], r["served"]), "reported", True),
        ]  # fmt: skip
    if not args.skip_snapshot:
        peak = snapshot_peak_mb(settings["snapshot_rows"])
        results.append(line(f"snapshot of {settings['snapshot_rows']:,} feedback rows in the "
                            "worker: peak MB", peak, "<= 500", peak <= 500))  # fmt: skip
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return results


if __name__ == "__main__":
    main()
