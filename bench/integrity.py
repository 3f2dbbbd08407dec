"""Integrity benchmark of lift per preference on the real data, with simulated authors.

HH harmless pairs are dealt to authors: honest ones, one whose pairs are all flipped, a
random clicker (each label flipped with probability ½) and a copier who reposts author 0's
pairs from several accounts. Features are the frozen MiniLM's pooled features (the score
layer's input), cached under bench/out/. Printed in one run: calibration of influence
against exact leave-author-out retraining, stability of author totals, payouts of the bad
authors, copies vs one copy, AUROC for spotting 10% flipped pairs (HH and qa-feedback
corrections) by low lift vs by per-pair loss, valuation vs training wall time, and the
removal check. `--quick`: the tiny random-init BERT on a few hundred pairs (mechanics only).

    python bench/integrity.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# numpy's BLAS with 2 threads thrashes on a busy 2-core machine (a 384² solve: 0.2 s vs 0.01 s)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy.stats import rankdata  # noqa: E402

from reward_model.data import build_pairs  # noqa: E402
from reward_model.head import accuracy, fit_head, mean_loss, pair_losses  # noqa: E402
from reward_model.sources import (  # noqa: E402
    HH_PATH,
    QA_PATH,
    load_hh,
    load_qa_feedback,
    records_to_rows,
)
from reward_model.valuation import InfluenceLift, value_round  # noqa: E402
from reward_model.valuation.leave_group_out import spearman  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
L2 = 1e-2


def features(pairs: list, quick: bool, pooling: str = "head") -> np.ndarray:
    """Feature differences φ(chosen) − φ(rejected), cached under bench/out/features."""
    import torch

    from reward_model.backbones import load_backbone
    from reward_model.features import cached_pair_features

    torch.set_num_threads(2)
    model, tokenizer = load_backbone("tiny" if quick else "minilm", seed=0)
    chosen, rejected = cached_pair_features(
        model, tokenizer, pairs, OUT / "features", max_length=128 if quick else 256, pooling=pooling
    )
    return (chosen - rejected).astype(float)


def hh_pairs(limit: int | None) -> list:
    """HH harmless pairs (one per dialogue), in file order."""
    return build_pairs(records_to_rows(load_hh(HH_PATH, limit=limit)))


def qa_corrections(limit: int | None) -> list:
    """qa-feedback correction pairs (corrected answer > original)."""
    rows = records_to_rows(load_qa_feedback(QA_PATH, limit=limit))
    return [p for p in build_pairs(rows) if p.source == "correction"]


def auroc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve of `scores` for the `positive` rows (Mann–Whitney U)."""
    ranks = rankdata(scores)
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def flip(pair, x: np.ndarray, key: str) -> tuple:
    """The reversed judgement: chosen and rejected swapped, x negated."""
    return replace(pair, chosen=pair.rejected, rejected=pair.chosen, key=key), -x


def deal_authors(pairs: list, X: np.ndarray, copiers: int, seed: int = 0) -> tuple:
    """16 authors with len(pairs) // 16 pairs each: 0–13 honest, 14 flips all, 15 clicks at
    random; accounts 100.. repost author 0's pairs (same content key)."""
    rng = np.random.default_rng(seed)
    per = len(pairs) // 16
    out, rows = [], []
    for i, (pair, x) in enumerate(zip(pairs[: 16 * per], X, strict=False)):
        author = i // per
        if author == 14 or (author == 15 and rng.random() < 0.5):
            pair, x = flip(pair, x, f"flip-{i}")
        out.append(replace(pair, author_ids=(author,)))
        rows.append(x)
    for account in range(copiers):
        out += [replace(p, author_ids=(100 + account,)) for p in out[:per]]
        rows += rows[:per]
    return out, np.array(rows)


def authors_section(pairs: list, X: np.ndarray, X_val: np.ndarray, copiers: int) -> dict:
    """Calibration, payouts, copies, stability and wall time on simulated authors."""
    dealt, rows = deal_authors(pairs, X, copiers)
    clock = time.perf_counter()
    head_fit = fit_head(rows, l2=L2)
    train_s = time.perf_counter() - clock
    clock = time.perf_counter()
    values = value_round(dealt, rows, X_val, l2=L2, n_groups=16 + copiers)
    value_s = time.perf_counter() - clock
    alone = value_round(*deal_authors(pairs, X, 0), X_val, l2=L2, n_groups=0)
    copies = values.payout[0] + sum(values.payout[100 + a] for a in range(copiers))
    first = value_round(dealt, rows, X_val, l2=L2, split="first", n_groups=0).payout
    rng = np.random.default_rng(1)
    halves = np.array_split(rng.permutation(len(X_val)), 2)
    totals = [value_round(dealt, rows, X_val[h], l2=L2, n_groups=0).author_lift for h in halves]
    names = range(16)  # the copier accounts tie with author 0 exactly
    honest = [values.payout[a] for a in range(14)]
    return {
        "held-out accuracy of the refit head": values.heldout_accuracy,
        "calibration Spearman, predicted vs exact leave-author-out (target >= 0.95)": (
            values.calibration_spearman,
            len(values.calibration),
        ),
        "author totals Spearman, two held-out halves": spearman(
            [totals[0][a] for a in names], [totals[1][a] for a in names]
        ),
        "flipper: lift, reliability, payout (target 0)": _trio(values, 14),
        "random clicker: lift, reliability, payout (target 0)": _trio(values, 15),
        "honest: min / median payout, all paid": (min(honest), np.median(honest), min(honest) > 0),
        "honest reliability min / median": (
            min(values.reliability[a] for a in range(14)),
            float(np.median([values.reliability[a] for a in range(14)])),
        ),
        f"{copiers + 1} copies / one copy payout, equal split (target <= 1.1)": copies
        / alone.payout[0],
        "  same, first poster keeps it": (first[0] + sum(first[100 + a] for a in range(copiers)))
        / alone.payout[0],
        "valuation s / head-fit s (incl. leave-author-out calibration)": (value_s, train_s),
        "head iterations, final |grad|": (head_fit.iterations, head_fit.grad_norm),
    }


def rounds_section(pairs: list, X: np.ndarray, X_val: np.ndarray, rounds: int = 4) -> dict:
    """Reliability carried across rounds: each round deals the pairs anew, fresh clicks."""
    previous, trail = None, {14: [], 15: [], "honest min": []}
    for r in range(rounds):
        order = np.random.default_rng(10 + r).permutation(len(pairs))
        dealt, rows = deal_authors([pairs[i] for i in order], X[order], 0, seed=10 + r)
        values = value_round(dealt, rows, X_val, previous, l2=L2, n_groups=0)
        previous = values.reliability
        trail[14].append(previous[14])
        trail[15].append(previous[15])
        trail["honest min"].append(min(previous[a] for a in range(14)))
    return {
        "flipper reliability by round": tuple(trail[14]),
        "random clicker reliability by round": tuple(trail[15]),
        "honest min reliability by round": tuple(trail["honest min"]),
        "last round payout: clicker, flipper, honest min": (
            values.payout[15],
            values.payout[14],
            min(values.payout[a] for a in range(14)),
        ),
    }


def _trio(values, author) -> tuple:
    """(lift, reliability, payout) of one author."""
    return values.author_lift[author], values.reliability[author], values.payout[author]


def flipped_section(X: np.ndarray, X_val: np.ndarray, seeds: int = 3) -> dict:
    """AUROC for spotting 10% flipped pairs by low lift vs by high per-pair loss."""
    by_lift, by_loss = [], []
    for seed in range(seeds):
        rng = np.random.default_rng(100 + seed)
        flipped = np.zeros(len(X), dtype=bool)
        flipped[rng.choice(len(X), size=len(X) // 10, replace=False)] = True
        Xf = np.where(flipped[:, None], -X, X)
        lift = InfluenceLift(L2).fit(Xf, X_val)
        by_lift.append(auroc(-lift.result.values, flipped))
        by_loss.append(auroc(pair_losses(lift.head.w, Xf), flipped))
    return {
        "AUROC by low lift (target >= 0.80)": _spread_mean(by_lift),
        "AUROC by per-pair loss (baseline)": _spread_mean(by_loss),
    }


def _spread_mean(xs: list) -> tuple:
    """(mean, min, max) over seeds."""
    return float(np.mean(xs)), float(np.min(xs)), float(np.max(xs))


def removal_section(X: np.ndarray, X_val: np.ndarray, seed: int = 7) -> dict:
    """Drop the lowest / highest / a random 10% by lift (valued on one held-out half) and
    measure accuracy and loss on the other half; 10% of the training pairs are flipped."""
    rng = np.random.default_rng(seed)
    flipped = rng.random(len(X)) < 0.1
    X = np.where(flipped[:, None], -X, X)
    value_half, test_half = np.array_split(rng.permutation(len(X_val)), 2)
    lift = InfluenceLift(L2).fit(X, X_val[value_half]).result.values
    k, order = len(X) // 10, np.argsort(lift)

    def score(keep: np.ndarray) -> tuple:
        """(accuracy, loss) on the test half of the head refit on the kept rows."""
        w = fit_head(X[keep], l2=L2).w
        return accuracy(w, X_val[test_half])[0], mean_loss(w, X_val[test_half])

    everything = np.arange(len(X))
    randoms = [score(np.sort(rng.permutation(len(X))[k:])) for _ in range(5)]
    return {
        "all pairs: accuracy, loss": score(everything),
        "drop lowest-lift 10%": score(np.sort(order[k:])),
        "drop highest-lift 10%": score(np.sort(order[:-k])),
        "drop random 10% (mean of 5)": tuple(np.mean(randoms, axis=0)),
    }


def seeds_section(dealt: list, rows_held: list, quick: bool) -> dict:
    """trl-trained tiny BERT (reward_model.train) at seeds 0 and 1: author totals on each
    backbone's own features, and the wall time of training vs valuation (feature encoding,
    head refit, influence, reliability, 19 leave-author-out retrains)."""
    from reward_model.backbones import load_backbone
    from reward_model.features import cached_pair_features
    from reward_model.train import TrainConfig, train_round

    totals, ranks, train_s, value_s = [], [], 0.0, 0.0
    for seed in (0, 1):
        out = OUT / f"tiny-seed{seed}{'-quick' if quick else ''}"
        if not (out / "metrics.json").is_file():  # a rerun reuses the model and its timing
            cfg = TrainConfig(backbone="tiny", seed=seed, max_length=128, bf16=False)
            train_round(dealt, rows_held[:50], cfg, out)
        train_s += json.loads((out / "metrics.json").read_text())["timing"]["total_s"]
        model, tokenizer = load_backbone(str(out))
        clock = time.perf_counter()  # valuation = encoding the features + value_round
        c, r = cached_pair_features(model, tokenizer, dealt + rows_held, None, 128)
        X = (c - r).astype(float)
        values = value_round(dealt, X[: len(dealt)], X[len(dealt) :], l2=L2, n_groups=19)
        value_s += time.perf_counter() - clock
        totals.append(values.author_lift)
        ranks.append((values.heldout_accuracy, _rank_of(values.author_lift, 14), values.payout[14]))
    names = range(16)  # the copier accounts tie with author 0 exactly
    return {
        "per seed: held-out accuracy, flipper's rank (0 = lowest), flipper's payout": ranks,
        "author totals Spearman, seed 0 vs 1 (target >= 0.8)": spearman(
            [totals[0][a] for a in names], [totals[1][a] for a in names]
        ),
        "valuation s / trl training s, 2 seeds (target <= 1.2)": (value_s, train_s),
    }


def _rank_of(totals: dict, author) -> int:
    """How many authors have a lower total than `author`."""
    return sum(v < totals[author] for v in totals.values())


def show(title: str, results: dict) -> None:
    """Print one section."""
    print(f"\n== {title}")
    for name, value in results.items():
        items = value if isinstance(value, tuple) else (value,)
        print(f"  {name}: " + ", ".join(_fmt(v) for v in items))


def _fmt(v) -> str:
    """Numbers to 4 significant digits."""
    return f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v)


def main() -> None:
    """Parse flags and run (the full run's features take minutes the first time)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny BERT, few pairs: smoke run")
    parser.add_argument("--pooling", default="head", choices=["head", "mean"])
    parser.add_argument("--no-seeds", action="store_true", help="skip the trl training seeds")
    args = parser.parse_args()
    clock = time.perf_counter()
    hh, qa = hh_pairs(400 if args.quick else None), qa_corrections(120 if args.quick else None)
    X_hh, X_qa = features(hh, args.quick, args.pooling), features(qa, args.quick, args.pooling)
    model = "tiny random-init BERT" if args.quick else "frozen all-MiniLM-L6-v2"
    print(f"features: {model}, pooling={args.pooling}, {time.perf_counter() - clock:.0f} s")
    order = np.random.default_rng(0).permutation(len(hh))
    n_train = 1600 if not args.quick else 300
    train, held = order[:n_train], order[n_train:]
    print(f"HH: {len(train)} training pairs, {len(held)} trusted held-out; qa: {len(qa)}")
    show("HH, simulated authors", authors_section([hh[i] for i in train], X_hh[train],
         X_hh[held], copiers=3))  # fmt: skip
    show("HH authors, reliability carried over 4 rounds",
         rounds_section([hh[i] for i in train], X_hh[train], X_hh[held]))  # fmt: skip
    if not args.no_seeds:
        dealt = deal_authors([hh[i] for i in train], X_hh[train], 3)[0]
        show("HH authors, trl-trained tiny BERT", seeds_section(dealt, [hh[i] for i in held],
             args.quick))  # fmt: skip
    show("HH, 10% of training pairs flipped", flipped_section(X_hh[train], X_hh[held]))
    q = np.random.default_rng(0).permutation(len(qa))
    q_train, q_held = q[: int(0.7 * len(qa))], q[int(0.7 * len(qa)) :]
    show("qa-feedback corrections, 10% flipped", flipped_section(X_qa[q_train], X_qa[q_held]))
    show("removal check, HH", removal_section(X_hh[train], X_hh[held]))
    show("removal check, qa-feedback corrections", removal_section(X_qa[q_train], X_qa[q_held]))


if __name__ == "__main__":
    main()
