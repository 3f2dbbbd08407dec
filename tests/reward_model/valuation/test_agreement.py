"""Crowd agreement: Dawid–Skene labels of comparisons that three or more raters labelled."""

from reward_model.data import Pair
from reward_model.valuation.agreement import crowd_agreement, labels_of


def _pair(task: int, winner: str, author: int, prompt_case=str) -> Pair:
    """Author's label on comparison `task` between answers x and y (winner first)."""
    loser = "y" if winner == "x" else "x"
    return Pair(prompt=prompt_case(f"question {task}"), chosen=f"{winner}{task}",
                rejected=f"{loser}{task}", source="pairwise", author_ids=(author,))  # fmt: skip


def test_the_contrarian_disagrees_and_pairs_of_two_are_ignored():
    """Raters 1–3 agree on 8 comparisons, rater 4 always says the opposite; a comparison
    only two raters labelled gives nobody evidence."""
    pairs = [_pair(t, "x", a) for t in range(8) for a in (1, 2, 3)]
    pairs += [_pair(t, "y", 4) for t in range(8)]
    pairs += [_pair(99, "x", 5), _pair(99, "y", 6)]
    crowd = crowd_agreement(pairs)
    assert crowd[1] == crowd[2] == crowd[3] == (8.0, 8.0)
    assert crowd[4] == (0.0, 8.0)
    assert 5 not in crowd and 6 not in crowd


def test_a_rater_counts_once_per_comparison_whatever_the_case():
    """The same author's repeat (here with the prompt upper-cased) is one label."""
    labels = labels_of([_pair(1, "x", 7), _pair(1, "x", 7, str.upper), _pair(1, "y", 8)])
    assert [(author, label) for author, _, label in labels].count((7, labels[0][2])) == 1
    assert len({task for _, task, _ in labels}) == 1 and len(labels) == 2
