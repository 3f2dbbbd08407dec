"""bench/near_duplicates.py: a copy's word edits fall on the pair's words uniformly (each text
takes its share by length), and the benchmark prints every figure with a verdict."""

import random
import re

from rapidfuzz.distance import Levenshtein

from bench.near_duplicates import edit, main
from reward_model.near_duplicates import PairText


def test_edits_fall_on_each_text_in_proportion_to_its_length():
    pair = (
        " ".join(f"p{i}" for i in range(10)),
        " ".join(f"c{i}" for i in range(100)),
        " ".join(f"r{i}" for i in range(100)),
    )
    rng, per_role = random.Random(0), [0, 0, 0]
    for _ in range(200):
        copy = PairText.of(*edit(pair, 0.10, ["zzz"], rng))
        for role, (x, y) in enumerate(zip(copy.words, PairText.of(*pair).words, strict=True)):
            per_role[role] += Levenshtein.distance(x, y)
    share = [n / sum(per_role) for n in per_role]
    assert 0.02 < share[0] < 0.08  # 10 of 210 words: 4.8%
    assert abs(share[1] - share[2]) < 0.05


def test_every_figure_has_a_verdict(capsys):
    assert main(["--hh", "20", "--qa", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    figures = [line for line in lines if "(target" in line]
    assert len(figures) == 6  # three false-merge rates, three recalls
    assert all(re.search(r"\(target [^)]*\) (met|missed)\b", line) for line in figures)
    assert any(line.startswith("clustering time") for line in lines)


def test_pairs_know_the_record_they_come_from():
    """A qa-feedback question's pairs share its source; each HH dialogue is its own."""
    from bench.near_duplicates import distinct_sourced_pairs

    pairs, sources = distinct_sourced_pairs(3, 2)
    assert len(pairs) == len(sources) and sources[:3] == [0, 1, 2]
    assert set(sources[3:]) == {3, 4} and len(sources) > 5
