"""Near-duplicate pairs on real HH-RLHF text: invisible and small edits merge, distinct
judgements and reversals do not, and the first poster names the cluster."""

import unicodedata

import pytest

from reward_model.near_duplicates import cluster_pairs, normalise
from reward_model.sources import HH_PATH, load_hh


@pytest.fixture(scope="module")
def hh_pairs():
    """The first 80 real HH pairs as (prompt, chosen, rejected)."""
    out = []
    for record in load_hh(HH_PATH, limit=80):
        answer, other = record["answer"], record["other_answer"]["text"]
        chosen, rejected = (answer, other) if record["choice"] == "a" else (other, answer)
        out.append((record["prompt"], chosen, rejected))
    return out


TEXT = "Well, it's a fine café: eat first, then see the offices."


@pytest.mark.parametrize(
    "variant",
    [
        TEXT.upper(),
        "  " + TEXT.replace(" ", "\n  ") + "\t",
        unicodedata.normalize("NFD", TEXT),
        TEXT.replace(" ", " \u200b", 3).replace("a", "a\u200d", 2),
        TEXT.replace(",", "").replace(".", "!").replace("'", "\u2019"),
        TEXT.replace("ff", "\ufb00"),  # a compatibility ligature, folded by NFKC
    ],
)
def test_invisible_edits_normalise_away(variant):
    assert variant != TEXT and normalise(variant) == normalise(TEXT)


def test_small_word_edits_merge_with_the_first_poster(hh_pairs):
    prompt, chosen, rejected = hh_pairs[5]
    words = chosen.split()
    words[len(words) // 2] = "indeed"  # one word of a long pair
    copy = (prompt.upper(), " ".join(words), rejected.replace(".", " ."))
    labels = cluster_pairs([*hh_pairs, copy])
    assert labels[-1] == 5 and labels[:-1] == list(range(len(hh_pairs)))


def test_reversal_and_distinct_pairs_never_merge(hh_pairs):
    """Pairs whose two answers normalise to one text have no reversal a reader could see
    (they merge with it, as the next test says): left out here."""
    pairs = [p for p in hh_pairs if normalise(p[1]) != normalise(p[2])]
    assert len(pairs) >= 70
    reversed_ = [(p, r, c) for p, c, r in pairs]
    labels = cluster_pairs(pairs + reversed_)
    assert labels == list(range(2 * len(pairs)))


def test_a_later_pair_joins_one_cluster_and_never_joins_two():
    base = ("How do I cook rice?", " ".join(["rinse", "boil", "simmer", "rest"] * 5), "No idea.")
    near = (base[0], base[1].replace("rest", "wait", 1), base[2])
    other = ("How do I cook rice?", " ".join(["soak", "steam", "fluff", "serve"] * 5), "No idea.")
    labels = cluster_pairs([base, other, near])
    assert labels == [0, 1, 0]


def test_a_case_toggled_repost_merges_even_when_its_answers_read_alike():
    """Both answers normalise to one text, so a judgement and its reverse look the same; a
    case-toggled repost of it is still a copy of the first post."""
    pair = ("Thanks!", "You\u2019re welcome!", "You're welcome.")
    labels = cluster_pairs([pair, (pair[0], pair[1].swapcase(), pair[2])])
    assert labels == [0, 0]
