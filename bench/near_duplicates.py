"""Near-duplicate pairs: recall on edited reposts and false merges among distinct real pairs.

Real pairs from data/ (every HH-RLHF harmless pair and every qa-feedback pair the pair
builder makes) are deduplicated by normalised content. Each original gets edited copies
whose edits touch a given share of its words, each at a word drawn uniformly from all the
pair's words (substitutions from the data's own vocabulary, deletions, insertions, swaps of
neighbours), plus cosmetic changes a reader does not see (case, spacing, punctuation, NFD,
zero-width characters).

- recall: the share of copies clustered with their original (target >= 95% for edits of
  <= 10% of the words), with the clustering's wall time;
- false-merge rate: the share of distinct originals clustered under another original's first
  post (target < 0.5%), on the independent HH-RLHF dialogues and on all the data, and on all
  the data counting only merges under a pair from another source record (an HH dialogue, or
  one qa-feedback question's annotation): those are what could hand one contributor's value
  to another. Some qa-feedback answers to one question differ by a word or two, so pairs one
  annotator built from them are near-duplicates by the same definition that catches an
  edited repost; they are counted in the all-data rate, and listed;
  the merged pairs are listed by their word edits from the nearest earlier member, and
  those no further from it than the lightest copy measured (2% of their words) are counted
  apart: each has the very texts of a 2%-edited copy of that member, so a rule on the
  texts alone that kept it apart would split that copy too;
- clustering time of all the distinct pairs (the round's cost for as many pairs).

    python bench/near_duplicates.py [--copies 1] [--seed 0] [--alpha 1e-3]
"""

import argparse
import random
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from reward_model.data import build_pairs  # noqa: E402
from reward_model.near_duplicates import (  # noqa: E402
    ALPHA,
    PairText,
    cluster_pairs,
    normalise,
)
from reward_model.sources import (  # noqa: E402
    HH_PATH,
    QA_PATH,
    load_hh,
    qa_feedback_by_question,
    records_to_rows,
)

SHARES = (0.02, 0.05, 0.10)
RECALL_TARGET, FALSE_MERGE_TARGET = 0.95, 0.005
MAX_EDIT = 0.10


def distinct_pairs(hh_limit: int | None = None, qa_limit: int | None = None) -> list[tuple]:
    """Every real pair once, distinct by normalised content."""
    return distinct_sourced_pairs(hh_limit, qa_limit)[0]


def distinct_sourced_pairs(
    hh_limit: int | None = None, qa_limit: int | None = None
) -> tuple[list[tuple], list[int]]:
    """Every real pair once, distinct by normalised content, and the source record each comes
    from: an HH dialogue, or a qa-feedback question's annotation (one annotator's ratings,
    correction and six comparisons of four sampled answers, which make up to ten pairs)."""
    groups = [[record] for record in load_hh(HH_PATH, limit=hh_limit)]
    groups += qa_feedback_by_question(QA_PATH, limit=qa_limit) if qa_limit != 0 else []
    seen, out, sources = set(), [], []
    for source, records in enumerate(groups):
        for pair in build_pairs(records_to_rows(records)):
            key = tuple(normalise(t) for t in (pair.prompt, pair.chosen, pair.rejected))
            if key not in seen:
                seen.add(key)
                out.append((pair.prompt, pair.chosen, pair.rejected))
                sources.append(source)
    return out, sources


def _cosmetic(text: str, rng: random.Random) -> str:
    """Changes a reader does not see: case, spacing, punctuation, NFD, zero-width."""
    change = rng.choice(("upper", "lower", "spaces", "punct", "nfd", "zw"))
    words = text.split(" ")
    if change == "upper":
        return text.upper()
    if change == "lower":
        return text.lower()
    if change == "spaces":
        return "  ".join(text.split()) + " \n"
    if change == "punct":
        return text.replace(",", "").replace(".", " .").replace("'", "’")
    if change == "nfd":
        return unicodedata.normalize("NFD", text)
    at = rng.randrange(len(words))  # a zero-width space inside a word: invisible
    words[at] = words[at][:1] + "\u200b" + words[at][1:]
    return " ".join(words)


def edit(pair: tuple, share: float, vocabulary: list[str], rng: random.Random) -> tuple:
    """A copy of the pair whose word edits touch floor(share x words) of its words, each at a
    word drawn uniformly from all the pair's words (so a text takes edits in proportion to
    its length): substitutions from the data's vocabulary, deletions, insertions, swaps of
    neighbours (which touch two); then a cosmetic change to each text."""
    words = [text.split() for text in pair]
    budget = int(share * sum(len(ws) for ws in words))
    while budget > 0:
        ws = rng.choices(words, weights=[len(ws) for ws in words])[0]
        i = rng.randrange(len(ws))
        op = rng.choice(("sub", "del", "ins", "swap") if budget > 1 else ("sub", "del", "ins"))
        if op == "sub":
            ws[i] = rng.choice(vocabulary)
        elif op == "del" and len(ws) > 1:
            del ws[i]
        elif op == "ins":
            ws.insert(i, rng.choice(vocabulary))
        elif op == "swap" and i + 1 < len(ws):
            ws[i], ws[i + 1] = ws[i + 1], ws[i]
            budget -= 1
        else:
            continue
        budget -= 1
    return tuple(_cosmetic(" ".join(ws), rng) for ws in words)


def recall(
    originals: list[tuple], share: float, copies: int, rng: random.Random, alpha: float
) -> tuple[float, int, float]:
    """(share of edited copies clustered with their original, pairs clustered, seconds)."""
    vocabulary = sorted({w for pair in originals for text in pair for w in text.split()})
    rows, owner = list(originals), []
    for index, pair in enumerate(originals):
        for _ in range(copies):
            rows.append(edit(pair, share, vocabulary, rng))
            owner.append(index)
    clock = time.perf_counter()
    labels = cluster_pairs(rows, MAX_EDIT, alpha)
    seconds = time.perf_counter() - clock
    start = len(originals)
    hits = sum(labels[start + k] == labels[o] for k, o in enumerate(owner))
    return hits / len(owner), len(rows), seconds


def merged(
    originals: list[tuple], alpha: float, sources: list[int] | None = None
) -> tuple[float, list[tuple[int, int]], float, float]:
    """(share of distinct originals clustered under another original's first post, for each
    such original its word edits (Levenshtein, role by role) from the nearest earlier member
    of its cluster and its own word count, wall seconds of the clustering, and the share
    clustered under a first post from another source record)."""
    clock = time.perf_counter()
    labels = cluster_pairs(originals, MAX_EDIT, alpha)
    seconds = time.perf_counter() - clock
    members = [i for i, label in enumerate(labels) if label != i]
    texts = [PairText.of(*pair) for pair in originals]
    nearest = [
        (
            min(word_edits(texts[i], texts[j]) for j in range(i) if labels[j] == labels[i]),
            texts[i].size(),
        )
        for i in members
    ]
    sources = sources or list(range(len(originals)))
    across = sum(sources[labels[i]] != sources[i] for i in members)
    return len(members) / len(labels), nearest, seconds, across / len(labels)


def word_edits(a: PairText, b: PairText) -> int:
    """Word insertions, deletions and substitutions between two pairs, role by role."""
    return sum(Levenshtein.distance(x, y) for x, y in zip(a.words, b.words, strict=True))


def line(name: str, value: float, target: str, ok: bool) -> str:
    """One figure with its target and verdict."""
    return f"{name}: {value:.2%} (target {target}) {'met' if ok else 'missed'}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=1, help="edited copies per original")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hh", type=int, default=None, help="HH pairs (default: all)")
    parser.add_argument("--qa", type=int, default=None, help="qa-feedback questions (all)")
    parser.add_argument(
        "--alpha", type=float, default=ALPHA, help="least scatter p-value of a copy's edits"
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    clock = time.perf_counter()
    originals, sources = distinct_sourced_pairs(args.hh, args.qa)
    print(f"{len(originals)} distinct real pairs")
    independent = distinct_pairs(args.hh, 0)
    rate, _, _, _ = merged(independent, args.alpha)
    name = f"false-merge rate, {len(independent)} distinct HH-RLHF pairs"
    print(line(name, rate, "< 0.5%", rate < FALSE_MERGE_TARGET))
    rate, nearest, seconds, across = merged(originals, args.alpha, sources)
    name = f"false-merge rate, all {len(originals)} distinct real pairs (qa-feedback included)"
    print(line(name, rate, "< 0.5%", rate < FALSE_MERGE_TARGET))
    name = "  of which merged under a pair from another source record (another annotator)"
    print(line(name, across, "< 0.5%", across < FALSE_MERGE_TARGET))
    print(
        f"  and {rate - across:.2%} under a pair of their own record: one annotator's"
        " comparisons of sampled answers a word or two apart"
    )
    edits = Counter(e for e, _ in nearest)
    spread = ", ".join(f"{k}: {edits[k]}" for k in sorted(edits))
    print(f"  merged pairs by word edits from the nearest earlier member: {spread or 'none'}")
    light = sum(e <= int(min(SHARES) * size) for e, size in nearest)
    print(
        f"  of them {light} ({light / len(originals):.2%} of all pairs) are no further from an"
        f" earlier pair than a {min(SHARES):.0%} edit of their words (the lightest copy measured)"
    )
    print(f"clustering time, {len(originals)} pairs: {seconds:.1f} s")
    for share in SHARES:
        got, rows, seconds = recall(originals, share, args.copies, rng, args.alpha)
        name = f"recall, edits on {share:.0%} of words"
        print(line(name, got, ">= 95%", got >= RECALL_TARGET) + f" ({rows} pairs: {seconds:.1f} s)")
    print(f"wall time {time.perf_counter() - clock:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
