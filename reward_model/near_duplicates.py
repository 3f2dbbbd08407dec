"""Near-duplicate preference pairs: one judgement reposted with small edits.

A copier reposts someone else's judgement: the same prompt and the same chosen and rejected
answers, with the letters changed where a reader would not care (case, spacing, Unicode
forms, zero-width characters, punctuation) and a few words edited here and there. Two pairs
that share a prompt and one answer while the other answer was rewritten in one place (a
clause added, a sentence reworded) are two judgements on two different texts, even when the
rewrite is a small share of the pair's words.

- ``normalise``: Unicode NFKC, case folding, format characters (category Cf: zero-width
  spaces and joiners, bidi marks) removed, punctuation and symbols (categories P*, S*)
  turned into spaces, whitespace collapsed.
- ``tokens``: the words of a text as a reader counts them, its whitespace-separated tokens
  normalised the same way but with punctuation and symbols dropped rather than spaced, so
  a link or "U.S." is one word and replacing it one edit.
- Distance of two pairs: the optimal-string-alignment distance between their word sequences
  (insertions, deletions, substitutions and swaps of neighbours, one edit each), role by
  role (prompt with prompt, chosen with chosen, rejected with rejected), summed and divided
  by the longer pair's word count. A copy whose edits touch at most a share s of the words
  is at most s away.
- Near-duplicates are pairs at most ``max_edit`` (0.10) apart, nearer to each other than to
  each other's reversal (so a judgement and its reverse never merge, even when the two
  answers barely differ; unless they are the same words, distance 0: when both answers
  normalise to one text there is no judgement to reverse), and whose word edits look like
  light edits spread over the pair rather than a targeted rewrite of one text:

  Align each role's words (Levenshtein); let e_r be the edits in role r (n_r words, the
  longer version's), E = Σ e_r and N = Σ n_r, so q = E/N is the pair's edit rate. If the
  edits were scattered over the pair's words at random, (1) role r would get
  e_r ~ Binomial(E, n_r/N), and (2) a run of L consecutive edited words would appear
  somewhere with probability at most N·q^L. The pairs are copies only when neither p-value,
  P[Binomial(E, n_r/N) ≥ e_r] for every role nor min(1, N·q^L) for the longest run L, is
  below ``ALPHA`` (10⁻³). The tolerance thus scales with each text's length and with the
  observed edit rate: a short prompt may take one or two of a copy's edits, a long answer
  its share of them, and an edited copy is lost to either test with probability about
  ALPHA; but a 10-word clause added to one answer of an otherwise identical pair (a run of
  10 at a rate of a few per cent, and all E edits in one role) is a different text, and a
  rewrite that puts all of a pair's many edits in one answer is too. What this cannot tell
  apart: a distinct pair whose texts differ by a few scattered words from an earlier one
  (qa-feedback's sampled answers to one question often do; with a word or two it has the
  very texts of a lightly edited copy, so no rule on texts alone can), and a copier who
  edits a single answer heavily in one place (it posts a text of its own, judged anew).
- Candidates: MinHash signatures (datasketch, 128 permutations) of each pair's word bigrams
  (each text padded at both ends, tagged with its role), in an LSH index tuned for Jaccard
  0.4 (an edit of 10% of the words keeps that Jaccard near 0.75, above 0.69 for 99% of
  the real pairs); every candidate is checked exactly as above (rapidfuzz).
- Clusters, in receipt order: a pair joins the cluster of the earliest earlier pair it is a
  near-duplicate of, else it starts a cluster. So every member is a near-duplicate of an
  earlier member, the first poster names the cluster, and a later pair never joins two
  clusters into one. `bench/near_duplicates.py` measures recall on edited reposts, merges
  among distinct real pairs and the wall time.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH
from rapidfuzz.distance import OSA, Levenshtein
from scipy.special import bdtrc

NUM_PERM = 128
SEED = 1
ALPHA = 1e-3
_EDGE = 0  # the hash of a text's two ends
_MIX = tuple(np.uint64(k) for k in (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D))  # odd multipliers
_LOW32 = np.uint64(0xFFFFFFFF)


class _Folding(dict):
    """str.translate table for case-folded NFKC text, filled on first sight of a character:
    format characters dropped, punctuation and symbols turned into `mark` (a space, or
    nothing to keep a word whole), separators into spaces."""

    def __init__(self, mark: str) -> None:
        super().__init__()
        self.mark = mark

    def __missing__(self, code: int) -> str:
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Cf":
            out = ""
        elif category[0] == "Z" or char.isspace():
            out = " "
        elif category[0] in "PS":
            out = self.mark
        else:
            out = char
        self[code] = out
        return out


_SPACED, _JOINED = _Folding(" "), _Folding("")


def normalise(text: str) -> str:
    """The text as a reader compares it: NFKC, case-folded, without format characters,
    punctuation or symbols, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().translate(_SPACED).split())


def tokens(text: str) -> tuple[str, ...]:
    """The text's words as a reader counts them: its whitespace-separated tokens, NFKC and
    case-folded, without format characters, punctuation or symbols (so a link or "U.S." is
    one word, and a token of punctuation alone is none)."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_JOINED)
    return tuple(folded.split())


class WordHashes(dict):
    """Each word's crc32, computed on first sight (0 is kept for the ends of a text)."""

    def __missing__(self, word: str) -> int:
        value = zlib.crc32(word.encode()) or 1
        self[word] = value
        return value


@dataclass(frozen=True)
class PairText:
    """A pair's three texts as word sequences (`tokens`)."""

    words: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]

    @classmethod
    def of(cls, prompt: str, chosen: str, rejected: str) -> PairText:
        """The words of the three texts."""
        return cls(tuple(tokens(t) for t in (prompt, chosen, rejected)))

    def flipped(self) -> PairText:
        """The same pair with chosen and rejected swapped."""
        prompt, chosen, rejected = self.words
        return PairText((prompt, rejected, chosen))

    def size(self) -> int:
        """Words in the three texts."""
        return sum(len(w) for w in self.words)

    def bigrams(self, hashes: WordHashes) -> list[int]:
        """32-bit hashes of the role-tagged word bigrams, each text padded at both ends (so a
        one-word text still has two)."""
        out = []
        for role, words in enumerate(self.words):
            h = np.array([_EDGE, *map(hashes.__getitem__, words), _EDGE], dtype=np.uint64)
            mixed = (h[:-1] * _MIX[0] + h[1:] * _MIX[1] + np.uint64(role) * _MIX[2]) & _LOW32
            out.extend(mixed.tolist())
        return out


def _edits(a: PairText, b: PairText, cutoff: int) -> int:
    """Word edits (optimal string alignment, role by role) between two pairs, or cutoff + 1
    when there are more than `cutoff` (rapidfuzz stops early then)."""
    total = 0
    for x, y in zip(a.words, b.words, strict=True):
        total += OSA.distance(x, y, score_cutoff=cutoff - total)
        if total > cutoff:
            return cutoff + 1
    return total


def distance(a: PairText, b: PairText) -> float:
    """Word edits (optimal string alignment, role by role) per word of the longer pair."""
    return _edits(a, b, a.size() + b.size()) / max(a.size(), b.size(), 1)


def scatter_p_value(a: PairText, b: PairText) -> float:
    """How plausible the word edits between two pairs are as edits scattered over the pair at
    random: the smaller of the role-share p-value (each role's edit count against
    Binomial(E, n_r/N)) and the run p-value (the longest run of consecutive edits, N·q^L)."""
    counts, lengths, longest = [], [], 0
    for x, y in zip(a.words, b.words, strict=True):
        edits = 0
        for op in Levenshtein.opcodes(x, y):
            if op.tag != "equal":
                run = max(op.src_end - op.src_start, op.dest_end - op.dest_start)
                edits += run
                longest = max(longest, run)
        counts.append(edits)
        lengths.append(max(len(x), len(y)))
    total, size = sum(counts), max(sum(lengths), 1)
    if total == 0:
        return 1.0
    p = min(1.0, size * (total / size) ** longest)
    for edits, length in zip(counts, lengths, strict=True):
        if edits:  # P[Binomial(total, share) >= edits]
            p = min(p, float(bdtrc(edits - 1, total, length / size)))
    return p


def _copies(text: PairText, earlier: PairText, max_edit: float, alpha: float) -> bool:
    """Whether `text` is within `max_edit` of an earlier pair, nearer to it than to its
    reversal (two answers that barely differ make a judgement and its reverse look alike),
    with edits scattered over the pair rather than a rewrite of one place or one text."""
    edits = _edits(text, earlier, int(max_edit * max(text.size(), earlier.size())))
    if edits == 0:  # the same words: a copy even when its two answers read alike
        return True
    if edits > max_edit * max(text.size(), earlier.size(), 1):
        return False
    if _edits(text, earlier.flipped(), edits) <= edits:
        return False
    return scatter_p_value(text, earlier) >= alpha


def cluster_pairs(
    pairs: Sequence[tuple[str, str, str]], max_edit: float = 0.10, alpha: float = ALPHA
) -> list[int]:
    """A cluster label per pair, in the order given (receipt order): a pair joins the cluster
    of the earliest earlier pair it is a near-duplicate of (within ``max_edit``, its edits'
    `scatter_p_value` at least ``alpha``), else it starts a cluster named by its own index.
    A pair joins at most one cluster, so clusters never merge afterwards."""
    texts = [PairText.of(*pair) for pair in pairs]
    hashes = WordHashes()
    template = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int)
    lsh = MinHashLSH(threshold=0.4, num_perm=NUM_PERM)
    labels: list[int] = []
    for i, text in enumerate(texts):
        signature = template.copy()
        signature.update_batch(text.bigrams(hashes))
        earlier = sorted(lsh.query(signature))
        near = next((j for j in earlier if _copies(text, texts[j], max_edit, alpha)), None)
        labels.append(i if near is None else labels[near])
        lsh.insert(i, signature)
    return labels
