"""Copiers, adversaries and gold answers for the integrity benchmark, on real pairs.

Gold items are qa-feedback comparisons (a corrected answer over the original), disjoint from
the HH pairs dealt to authors and from the HH yardstick. Each simulated author's gold answers
follow the author's own labelling behaviour: an honest rater answers wrong with probability
ε = `HONEST_ERROR` (people disagree with a reference now and then); an author who flips a
share q of their pairs answers wrong with probability ε(1 − q) + (1 − ε)q, the same flips on
top of an honest rater's own error; a random clicker answers at random; a "longer answer
wins" rater picks the longer answer, right exactly when the reference's preferred answer is
the longer one. Copies are built as the service builds them: an exact repost by another
account is merged into the original's pair (`reward_model.data.merge_pair`, with its margin
and trust), a paraphrased repost is an edited copy (`bench.near_duplicates.edit`, 5% of the
words plus a cosmetic change) received later, encoded like any other pair.
"""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np

from bench import integrity_authors as authors
from bench.near_duplicates import edit
from reward_model.data import PairConfig, build_pairs, merge_pair, pair_key
from reward_model.sources import QA_PATH, load_qa_feedback, records_to_rows
from reward_model.valuation.leave_group_out import spearman

HONEST_ERROR = 0.15
GOLD = 10  # gold answers per author: the first round with at least 10


def gold_items() -> list[tuple[int, int]]:
    """(len(preferred), len(other)) of qa-feedback comparisons: the gold pool's answers."""
    pairs = build_pairs(records_to_rows(load_qa_feedback(QA_PATH)))
    return [(len(p.chosen), len(p.rejected)) for p in pairs]


def gold_answers(
    kind: str, q: float, items: list, rng: np.random.Generator, count: int = GOLD
) -> tuple[int, int]:
    """(correct, answered) of one author on `count` random gold items (see the module
    docstring; drawn with replacement past the pool's size)."""
    picked = [items[i] for i in rng.choice(len(items), size=count, replace=count > len(items))]
    if kind == "clicker":
        right = rng.random(count) < 0.5
    elif kind == "longer":
        right = np.array([a > b for a, b in picked])
    else:
        wrong = HONEST_ERROR * (1 - q) + (1 - HONEST_ERROR) * q
        right = rng.random(count) >= wrong
    return int(right.sum()), count


def _stamped(pairs: list, start: int = 0) -> list:
    """Pairs with receipts in list order (time, id, their author)."""
    return [
        replace(p, receipt=(f"2026-01-01T00:{(start + k) // 60:02d}:{(start + k) % 60:02d}",
                            start + k, p.author_ids[0]))
        for k, p in enumerate(pairs)
    ]  # fmt: skip


def copier(pool, X, X_val, encode, honest: int = 8, seed: int = 5) -> dict:
    """An honest victim (author 0) among honest authors; three accounts repost its pairs:
    101 exactly, 102 and 103 paraphrased. Payouts against the victim's solo payout."""
    per = len(pool) // (honest + 1)
    pairs, rows = authors.deal(pool, X, [per] * honest, [0.0] * honest, seed)
    pairs = _stamped(pairs)
    solo = authors.value(pairs, rows, X_val).payout
    victim = [k for k, p in enumerate(pairs) if p.author_ids == (0,)]
    config, rng = PairConfig(), random.Random(seed)
    vocabulary = sorted({w for i in victim for t in _texts(pairs[i]) for w in t.split()})
    attacked, extra = list(pairs), []
    for k in victim:  # the exact repost merges into the victim's pair, as the service does
        copy = replace(pairs[k], author_ids=(101,), receipt=("2026-02-01", 10**6 + k, 101))
        attacked[k] = merge_pair(attacked[k], copy, config)
    for n, account in enumerate((102, 103)):
        for k in victim:
            prompt, chosen, rejected = edit(_texts(pairs[k]), 0.05, vocabulary, rng)
            extra.append(
                replace(
                    pairs[k],
                    prompt=prompt,
                    chosen=chosen,
                    rejected=rejected,
                    key=pair_key(prompt, chosen, rejected),
                    author_ids=(account,),
                    receipt=("2026-02-02", 2 * 10**6 + n * 10**5 + k, account),
                )
            )
    X_extra = encode(extra)
    pay = authors.value(attacked + extra, np.vstack([rows, X_extra]), X_val).payout
    copies = sum(pay.get(a, 0.0) for a in (101, 102, 103))
    verbatim = [merge_pair(pairs[k], replace(pairs[k], author_ids=(100 + c,)), config)
                for k in victim for c in range(1, 4)]  # fmt: skip
    four = list(pairs)
    for k in victim:  # k = 4: the victim and three verbatim reposts, margins as merged
        for c in range(1, 4):
            copy = replace(
                pairs[k], author_ids=(100 + c,), receipt=("2026-03", 3 * 10**6 + k, 100 + c)
            )
            four[k] = merge_pair(four[k], copy, config)
    pay_four = authors.value(four, rows, X_val).payout
    k4 = sum(pay_four.values()) / sum(solo.values()) if sum(solo.values()) else float("inf")
    return {
        "copies_over_victim": copies / pay[0] if pay[0] > 0 else float("inf"),
        "victim_kept": pay[0] / solo[0] if solo[0] > 0 else 0.0,
        "four_over_one": k4,
        "max_merged_margin": max(p.margin for p in verbatim),
    }


def _texts(pair) -> tuple[str, str, str]:
    """A pair's three texts."""
    return pair.prompt, pair.chosen, pair.rejected


def _longer(pair, x) -> tuple:
    """The pair as a "longer answer wins" rater labels it."""
    return authors.flipped(pair, x) if len(pair.rejected) > len(pair.chosen) else (pair, x)


def adversaries(pool, X, X_val, items, honest: int = 12, seed: int = 6) -> dict:
    """Honest authors beside a random clicker (200), a flipper (201) and a "longer answer
    wins" rater (202), everyone with GOLD gold answers: each adversary's payout over the
    honest median."""
    rng = np.random.default_rng(seed)
    per = len(pool) // (honest + 3)
    flips = [0.0] * honest + [0.5, 1.0, 0.0]
    dealt, dealt_rows = authors.deal(pool, X, [per] * len(flips), flips, seed)
    rename = {honest: 200, honest + 1: 201, honest + 2: 202}
    pairs, rows = [], []
    for pair, x in zip(dealt, dealt_rows, strict=True):
        author = rename.get(pair.author_ids[0], pair.author_ids[0])
        if author == 202:
            pair, x = _longer(pair, x)
        pairs.append(replace(pair, author_ids=(author,)))
        rows.append(x)
    kinds = {a: ("honest", 0.0) for a in range(honest)}
    kinds.update({200: ("clicker", 0.5), 201: ("flip", 1.0), 202: ("longer", 0.0)})
    gold = {a: gold_answers(kind, q, items, rng) for a, (kind, q) in kinds.items()}
    pay = authors.value(_stamped(pairs), np.array(rows), X_val, gold=gold).payout
    median = float(np.median([pay[a] for a in range(honest)]))
    share = {a: pay[a] / median if median > 0 else float("inf") for a in (200, 201, 202)}
    return {"clicker": share[200], "flipper": share[201], "longer": share[202]}


def graded_gold(
    pool, X, X_val, halves, items, per: int = 100, seed: int = 2, count: int = GOLD
) -> dict:
    """Three authors at each of 0–40% flipped, each with `count` gold answers: Spearman of
    payout vs quality on the whole yardstick and on each half (no halves: whole only)."""
    rng = np.random.default_rng(seed + 100)
    levels = [0.0, 0.1, 0.2, 0.3, 0.4]
    flips = [lv for lv in levels for _ in range(3)]
    per = min(per, len(pool) // len(flips))
    pairs, rows = authors.deal(pool, X, [per] * len(flips), flips, seed)
    gold = {a: gold_answers("flip", q, items, rng, count) for a, q in enumerate(flips)}
    quality = [-f for f in flips]
    rhos = []
    for h in [np.arange(len(X_val)), *halves]:
        pay = authors.value(_stamped(pairs), rows, X_val[h], gold=gold).payout
        rhos.append(spearman([pay[a] for a in range(len(flips))], quality))
    return {"spearman": tuple(rhos)}


def honest_without_gold(pool, X, X_val, items, honest: int = 10, seed: int = 7) -> dict:
    """Honest authors, half with GOLD gold answers and half with none: the lowest payout of
    an author without gold over the honest median."""
    rng = np.random.default_rng(seed)
    per = len(pool) // honest
    pairs, rows = authors.deal(pool, X, [per] * honest, [0.0] * honest, seed)
    gold = {a: gold_answers("honest", 0.0, items, rng) for a in range(0, honest, 2)}
    pay = authors.value(_stamped(pairs), rows, X_val, gold=gold).payout
    median = float(np.median([pay[a] for a in range(honest)]))
    lowest = min(pay[a] for a in range(1, honest, 2))
    return {"lowest_without_gold": lowest / median if median > 0 else 0.0}
