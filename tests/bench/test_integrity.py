"""bench/integrity.py end to end at its tiny size: every figure is printed with its target and
a verdict; the mechanics that do not depend on the backbone hold even here (influence matches
exact leave-author-out refits, the snapshot's memory is flat). No figure on tiny features is
asserted to meet a quality target: that is what the full MiniLM run is for."""

import json

import pytest

pytestmark = pytest.mark.slow

NAMES = (
    "exchangeable honest authors: all paid",
    "exchangeable honest authors: max/min payout",
    "stability, yardstick halves: share moving > 1.5x",
    "stability, yardstick halves: median relative change",
    "graded quality: Spearman on each half, one round",
    "graded quality: Spearman on each half, evidence of 4 rounds",
    "proportionality: twice the pairs earns",
    "5-wallet ring: pool share through every path, sent once",
    "5-wallet ring: median honest pay move",
    "flipper paid",
    "exactness vs leave-author-out refits (Spearman)",
    "valuation wall time / one training run",
    "served accuracy on the yardstick / bare trl",
    "copier, 3 accounts (exact + paraphrased): copies' payout / victim's",
    "copier: victim's payout / its solo payout",
    "random clicker, 10 gold answers: payout / honest median",
    "graded quality, 10 gold answers each: Spearman (whole, half 1, half 2)",
    "honest authors without gold answers: lowest payout / honest median",
)


def test_bench_integrity_quick(tmp_path, capsys):
    from bench.integrity import main

    results = main(["--quick", "--json", str(tmp_path / "integrity.json")])
    printed = capsys.readouterr().out.splitlines()
    by_name = {r["name"]: r for r in results}
    assert all(name in by_name for name in NAMES), sorted(by_name)
    for r in results:
        line = next(x for x in printed if x.startswith(r["name"] + ":"))
        assert f"(target {r['target']})" in line and line.endswith(" met" if r["met"] else "missed")
    assert by_name["exactness vs leave-author-out refits (Spearman)"]["met"]
    assert by_name["served accuracy on the yardstick / bare trl"]["met"]  # serves the better
    assert next(r for r in results if r["name"].startswith("snapshot of 2,000"))["met"]
    assert json.loads((tmp_path / "integrity.json").read_text())[0]["name"] == NAMES[0]
