"""Near-duplicate pairs on real HH-RLHF text: invisible and small edits merge, distinct
judgements and reversals do not, and the first poster names the cluster."""

import unicodedata

import pytest

from reward_model.near_duplicates import (
    ALPHA,
    PairText,
    cluster_pairs,
    distance,
    normalise,
    scatter_p_value,
    tokens,
)
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


def _long_balanced(hh_pairs, words: int = 60):
    """The first real pair whose two answers have at least `words` words each."""
    return next(p for p in hh_pairs if min(len(p[1].split()), len(p[2].split())) >= words)


def test_a_uniformly_edited_copy_merges(hh_pairs):
    """Every tenth word of the whole pair replaced: 10% of its words, spread over the three
    texts in proportion to their lengths, as a copier's light edits are."""
    pair = _long_balanced(hh_pairs)
    texts, position = [], 0
    for text in pair:
        words = text.split()
        for i in range(len(words)):
            position += 1
            if position % 10 == 0:
                words[i] = "indeed"
        texts.append(" ".join(words))
    copy = tuple(texts)
    assert distance(PairText.of(*copy), PairText.of(*pair)) == pytest.approx(0.10, abs=0.01)
    assert cluster_pairs([pair, copy]) == [0, 0]


def test_an_answer_that_gains_a_clause_is_another_judgement(hh_pairs):
    """The same prompt and rejected answer, the chosen answer with a 10-word clause added:
    under 10% of the pair's words, but all of them in one place of one text."""
    prompt, chosen, rejected = _long_balanced(hh_pairs)
    words = chosen.split()
    clause = "and that is what most people who have tried it say"
    other = (prompt, " ".join([*words[:20], clause, *words[20:]]), rejected)
    a, b = PairText.of(*other), PairText.of(prompt, chosen, rejected)
    assert distance(a, b) < 0.10 < distance(a, b.flipped())
    assert scatter_p_value(a, b) < ALPHA
    assert cluster_pairs([(prompt, chosen, rejected), other]) == [0, 1]


def test_many_edits_all_in_one_answer_are_a_rewrite(hh_pairs):
    """Every fifth word of the chosen answer replaced and the other texts untouched: few
    enough edits for the pair (under 10%), but far more than that answer's share of them."""
    prompt, chosen, rejected = _long_balanced(hh_pairs)
    words = chosen.split()
    words[4::5] = ["indeed"] * len(words[4::5])
    other = (prompt, " ".join(words), rejected)
    a, b = PairText.of(*other), PairText.of(prompt, chosen, rejected)
    assert distance(a, b) <= 0.10
    assert cluster_pairs([(prompt, chosen, rejected), other]) == [0, 1]


def test_a_link_is_one_word():
    """A reader sees a link or an abbreviation as one word, so replacing it is one edit."""
    assert tokens("See https://example.org/a-b/c?d=1, U.S. — ok.") == (
        "see",
        "httpsexampleorgabcd1",
        "us",
        "ok",
    )
