"""Rater agreement: where several contributors labelled the same comparison, how often each
agrees with the label a Dawid–Skene model infers from all of them.

A comparison is a prompt with an unordered pair of answers, all three normalised
(`reward_model.near_duplicates.normalise`, so case or zero-width variants are one task); a
rater's label is the answer they preferred. Each rater counts once per comparison (the same
author's repeats are one label), and only comparisons labelled by at least `min_raters`
distinct raters are used: with two, neither rater can be told from the other. Dawid & Skene
(1979) fit every rater's confusion matrix and each comparison's label by EM
(`crowdkit.aggregation.DawidSkene`); a rater's evidence is (agreements with the inferred
labels, labels), which `reliability` turns into a likelihood.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from reward_model.near_duplicates import normalise

MIN_RATERS = 3


def _digest(text: str) -> str:
    """A short stand-in for a normalised text."""
    return hashlib.sha256(normalise(text).encode()).hexdigest()[:16]


def labels_of(pairs: Sequence) -> list[tuple]:
    """(rater, comparison, preferred answer) once per rater and comparison, in pair order."""
    seen, out = set(), []
    for pair in pairs:
        chosen, rejected = _digest(pair.chosen), _digest(pair.rejected)
        task = "|".join([_digest(pair.prompt), *sorted((chosen, rejected))])
        for author in pair.author_ids:
            if (author, task) not in seen:
                seen.add((author, task))
                out.append((author, task, chosen))
    return out


def crowd_agreement(pairs: Sequence, min_raters: int = MIN_RATERS) -> dict:
    """{author: (agreements, labels)} with the Dawid–Skene labels of the comparisons that at
    least `min_raters` distinct raters labelled; authors without such labels are absent."""
    rows = labels_of(pairs)
    raters: dict = {}
    for author, task, _ in rows:
        raters.setdefault(task, set()).add(author)
    rows = [row for row in rows if len(raters[row[1]]) >= min_raters]
    if not rows:
        return {}
    import pandas as pd
    from crowdkit.aggregation import DawidSkene

    frame = pd.DataFrame(rows, columns=["worker", "task", "label"])
    inferred = DawidSkene(n_iter=100).fit_predict(frame)
    frame["agrees"] = frame["label"].to_numpy() == inferred.loc[frame["task"]].to_numpy()
    counts = frame.groupby("worker")["agrees"].agg(["sum", "count"])
    return {author: (float(row["sum"]), float(row["count"])) for author, row in counts.iterrows()}
