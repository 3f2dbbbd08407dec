"""Simulated authors for the integrity benchmark: real pairs dealt to honest, graded, flipping,
doubled and ring authors, each scenario valued by `reward_model.valuation.round.value_round`.

Every scenario takes the training pool (pairs and their feature differences) and a
yardstick's feature differences, and returns named figures; `bench/integrity.py` prints
them with their targets. Nothing here is tuned to the data: authors are dealt at random.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from reward_model.data import PairConfig, merge_pair, pair_key
from reward_model.valuation.leave_group_out import spearman
from reward_model.valuation.round import value_round

L2 = 1e-2
CONFIG = PairConfig()


def flipped(pair, x: np.ndarray) -> tuple:
    """The reversed judgement: chosen and rejected swapped, x negated."""
    key = pair_key(pair.prompt, pair.rejected, pair.chosen)
    return replace(pair, chosen=pair.rejected, rejected=pair.chosen, key=key), -x


def deal(pool: list, X: np.ndarray, sizes: list[int], flips: list[float], seed: int) -> tuple:
    """Authors 0..k−1 with sizes[a] random pool pairs each, a share flips[a] of them flipped."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pool))
    pairs, rows, at = [], [], 0
    for author, (size, share) in enumerate(zip(sizes, flips, strict=True)):
        picked = order[at : at + size]
        at += size
        bad = set(rng.choice(size, size=round(share * size), replace=False).tolist())
        for k, i in enumerate(picked):
            pair, x = (pool[i], X[i]) if k not in bad else flipped(pool[i], X[i])
            pairs.append(replace(pair, author_ids=(author,)))
            rows.append(x)
    return pairs, np.array(rows)


def value(pairs: list, rows: np.ndarray, X_val: np.ndarray, **options):
    """`value_round` with the benchmark's regulariser."""
    return value_round(pairs, rows, X_val, l2=L2, **{"n_groups": 0, **options})


def exchangeable(pool, X, X_val, halves, authors: int = 8, seed: int = 1) -> dict:
    """Real pairs dealt round-robin to honest authors: all paid, max/min; stability of their
    payouts on two disjoint halves of the yardstick."""
    per = len(pool) // authors
    pairs, rows = deal(pool, X, [per] * authors, [0.0] * authors, seed)
    pay = value(pairs, rows, X_val).payout
    on_half = [value(pairs, rows, X_val[h]).payout for h in halves]
    paid = [pay[a] for a in range(authors)]
    a, b = (np.array([p[k] for k in range(authors)]) for p in on_half)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.maximum(a, b) / np.minimum(a, b)
        change = np.abs(a - b) / ((a + b) / 2)
    return {
        "all_paid": all(p > 0 for p in paid),
        "max_min": max(paid) / min(paid) if min(paid) > 0 else float("inf"),
        "moved_1_5x": float(np.mean(~(ratio <= 1.5))),
        "median_change": float(np.nanmedian(np.where(np.isfinite(change), change, np.inf))),
    }


def graded(pool, X, X_val, halves, per: int = 100, seed: int = 2) -> dict:
    """Three authors at each of 0, 10, 20, 30, 40% flipped: Spearman of payout vs quality on
    each yardstick half; one all-flipping author beside them; exact leave-author-out check."""
    levels = [0.0, 0.1, 0.2, 0.3, 0.4]
    flips = [lv for lv in levels for _ in range(3)] + [1.0]
    per = min(per, len(pool) // len(flips))
    pairs, rows = deal(pool, X, [per] * len(flips), flips, seed)
    quality = [-f for f in flips[:-1]]
    rhos = []
    for h in halves:
        pay = value(pairs, rows, X_val[h]).payout
        rhos.append(spearman([pay[a] for a in range(15)], quality))
    full = value(pairs, rows, X_val, n_groups=len(flips))
    return {
        "spearman_halves": tuple(rhos),
        "flipper_paid": full.payout[15],
        "exactness": full.calibration_spearman,
        "yardstick_accuracy": full.heldout_accuracy,
    }


def proportional(pool, X, X_val, authors: int = 8, seed: int = 3) -> dict:
    """One honest author with twice the pairs of each of the others: their payout ratio."""
    per = len(pool) // (authors + 1)
    pairs, rows = deal(pool, X, [2 * per] + [per] * (authors - 1), [0.0] * authors, seed)
    pay = value(pairs, rows, X_val).payout
    others = np.mean([pay[a] for a in range(1, authors)])
    return {"ratio": pay[0] / others if others > 0 else float("inf")}


def _ring_rows(pool, X, picked, ring: list[int], every_path: bool) -> tuple[list, list]:
    """The ring's judgements ("the longer answer wins"); with `every_path` each is also sent
    as a correction (a case-toggled copy, invisible to an uncased tokenizer) and co-rated by
    every ring wallet (one pair merged as the service merges it, all five as authors)."""
    pairs, rows = [], []
    for k, i in enumerate(picked):
        pair, x = pool[i], X[i]
        if len(pair.rejected) > len(pair.chosen):
            pair, x = flipped(pair, x)
        owner = ring[k % len(ring)]
        if not every_path:
            pairs.append(replace(pair, author_ids=(owner,)))
            rows.append(x)
            continue
        co_rated = replace(pair, author_ids=(ring[0],))
        for wallet in ring[1:]:  # margin and trust as the service merges the co-ratings
            co_rated = merge_pair(co_rated, replace(pair, author_ids=(wallet,)), CONFIG)
        pairs.append(co_rated)
        copy = pair.chosen.swapcase()
        key = pair_key(pair.prompt, copy, pair.rejected)
        fixed = replace(pair, chosen=copy, key=key, source="correction", author_ids=(owner,))
        pairs.append(fixed)
        rows += [x, x]
    return pairs, rows


def ring(pool, X, X_val, honest: int = 10, wallets: int = 5, seed: int = 4) -> dict:
    """A 5-wallet ring through every contributor path vs the same judgements sent once each:
    the ring's share of the payouts, and how much each honest author's pay moves."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pool))
    per = len(pool) // (honest + wallets)
    base, base_rows = deal([pool[i] for i in order[: honest * per]], X[order[: honest * per]],
                           [per] * honest, [0.0] * honest, seed)  # fmt: skip
    ring_ids = list(range(100, 100 + wallets))
    picked = order[honest * per : (honest + wallets) * per]
    out = {}
    for name, every in (("once", False), ("every_path", True)):
        extra, extra_rows = _ring_rows(pool, X, picked, ring_ids, every)
        rows = np.vstack([base_rows, np.array(extra_rows)])
        pay = value(base + extra, rows, X_val).payout
        total = sum(pay.values())
        out[name] = (sum(pay[a] for a in ring_ids) / total if total else 0.0, pay)
    once, attack = out["once"], out["every_path"]
    moves = [abs(attack[1][a] - once[1][a]) / once[1][a] for a in range(honest) if once[1][a] > 0]
    return {
        "share_ratio": attack[0] / once[0] if once[0] > 0 else (0.0 if attack[0] == 0 else np.inf),
        "ring_share": attack[0],
        "once_share": once[0],
        "honest_move": float(np.median(moves)) if moves else float("inf"),
    }
