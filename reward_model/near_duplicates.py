"""Near-duplicate preference pairs: one judgement reposted with small edits.

A copier reposts someone else's pair with the letters changed where a reader would not
care: case, spacing, Unicode forms, zero-width characters, punctuation, a few words. Such
copies share one cluster; pairs further apart than that do not.

- ``normalise``: Unicode NFKC, case folding, format characters (category Cf: zero-width
  spaces and joiners, bidi marks) removed, punctuation and symbols (categories P*, S*)
  turned into spaces, whitespace collapsed.
- Distance of two pairs: the Damerau-Levenshtein distance between their normalised word
  sequences, role by role (prompt with prompt, chosen with chosen, rejected with rejected),
  summed and divided by the longer pair's word count. A copy whose edits touch at most a
  share s of the words is at most s away. Near-duplicates are pairs at most ``max_edit``
  (0.10) apart and nearer to each other than to each other's reversal, so a judgement and its
  reverse never merge, even when the two answers barely differ — unless they are the same
  words (distance 0): when both answers normalise to one text a reader sees no judgement
  to reverse, and a case-toggled repost is still a copy.
- Candidates: MinHash signatures (datasketch, 128 permutations) of each pair's character
  5-grams, tagged with their role, in an LSH index tuned for Jaccard 0.4 (an edit of 10% of
  the words keeps that Jaccard near 0.7); every candidate is checked exactly with the
  distance above (rapidfuzz).
- Clusters, in receipt order: a pair joins the cluster of the earliest earlier pair within
  ``max_edit`` of it, else it starts a cluster. So every member is a near-duplicate of an
  earlier member, the first poster names the cluster, and a later pair never joins two
  clusters into one. `bench/near_duplicates.py` measures
recall on edited reposts and merges among distinct real pairs.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH
from rapidfuzz.distance import DamerauLevenshtein

SHINGLE = 5
NUM_PERM = 128
SEED = 1
ROLES = ("p", "c", "r")


def normalise(text: str) -> str:
    """The text as a reader compares it: NFKC, case-folded, without format characters,
    punctuation or symbols, whitespace collapsed."""
    out = []
    for char in unicodedata.normalize("NFKC", text).casefold():
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        out.append(" " if category[0] in "PSZ" or char.isspace() else char)
    return " ".join("".join(out).split())


def shingles(text: str) -> set[str]:
    """Character 5-grams of the normalised text (the whole text when it is shorter)."""
    norm = normalise(text)
    if len(norm) <= SHINGLE:
        return {norm} if norm else set()
    return {norm[i : i + SHINGLE] for i in range(len(norm) - SHINGLE + 1)}


@dataclass(frozen=True)
class PairText:
    """A pair's three texts as normalised word sequences and tagged character shingles."""

    words: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
    tagged: frozenset[str]

    @classmethod
    def of(cls, prompt: str, chosen: str, rejected: str) -> PairText:
        """Normalise and shingle the three texts."""
        texts = (prompt, chosen, rejected)
        words = tuple(tuple(normalise(t).split()) for t in texts)
        tagged = frozenset(
            f"{r}:{s}" for r, t in zip(ROLES, texts, strict=True) for s in shingles(t)
        )
        return cls(words, tagged)

    def flipped(self) -> PairText:
        """The same pair with chosen and rejected swapped (its shingles are not needed)."""
        prompt, chosen, rejected = self.words
        return PairText((prompt, rejected, chosen), frozenset())

    def size(self) -> int:
        """Words in the three texts."""
        return sum(len(w) for w in self.words)


def distance(a: PairText, b: PairText) -> float:
    """Word edits (Damerau-Levenshtein, role by role) per word of the longer pair."""
    edits = sum(DamerauLevenshtein.distance(x, y) for x, y in zip(a.words, b.words, strict=True))
    return edits / max(a.size(), b.size(), 1)


def _copies(text: PairText, earlier: PairText, max_edit: float) -> bool:
    """Whether `text` is within `max_edit` of an earlier pair, and nearer to it than to its
    reversal (two answers that barely differ make a judgement and its reverse look alike)."""
    near = distance(text, earlier)
    if near == 0:  # the same words: a copy even when its two answers read alike
        return True
    return near <= max_edit and near < distance(text, earlier.flipped())


def _signature(tagged: frozenset[str]) -> MinHash:
    """MinHash of a tagged shingle set."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch([s.encode("utf-8") for s in tagged])
    return minhash


def cluster_pairs(pairs: Sequence[tuple[str, str, str]], max_edit: float = 0.10) -> list[int]:
    """A cluster label per pair, in the order given (receipt order): a pair joins the cluster
    of the earliest earlier pair within ``max_edit`` of it, else it starts a cluster named by
    its own index. A pair joins at most one cluster, so clusters never merge afterwards."""
    texts = [PairText.of(*pair) for pair in pairs]
    lsh = MinHashLSH(threshold=0.4, num_perm=NUM_PERM)
    labels: list[int] = []
    for i, text in enumerate(texts):
        signature = _signature(text.tagged)
        earlier = sorted(lsh.query(signature))
        near = next((j for j in earlier if _copies(text, texts[j], max_edit)), None)
        labels.append(i if near is None else labels[near])
        lsh.insert(i, signature)
    return labels
