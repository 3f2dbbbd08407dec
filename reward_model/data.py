"""Feedback rows (docs/contracts.md) to preference pairs, with provenance and a held-out split.

Rules: pairwise feedback gives (chosen, rejected) by its choice, ties dropped; a correction
gives (corrected text > original answer); ratings on answers to the same prompt give each
thumbs-up answer > each thumbs-down answer, capped per prompt. Withdrawn rows and rows
licensed "no-training" never enter. Pairs with the same content `key` are merged, keeping
the provenance of every row behind them. Rater agreement becomes the margin.
Standard library only, so the server can import it without torch.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

KINDS = ("rating", "pairwise", "correction")
RESTRICTED_LICENCES = ("research-only",)


@dataclass(frozen=True)
class Pair:
    """One preference `chosen > rejected` for `prompt`, with where it came from."""

    prompt: str
    chosen: str
    rejected: str
    source: str
    margin: float = 0.0
    feedback_ids: tuple[int, ...] = ()
    author_ids: tuple[int, ...] = ()
    cluster_ids: tuple[int, ...] = ()
    site: str = "generic"
    licence: str = "cc-by-4.0"
    trusted: bool = False
    key: str = ""
    receipt: tuple = ()  # (received at, feedback id, author) of the earliest feedback behind it

    def as_dict(self) -> dict:
        """Plain dict (lists for tuples), e.g. for JSON or a `datasets.Dataset`."""
        return {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in self.__dict__.items()
        }


@dataclass(frozen=True)
class PairConfig:
    """Knobs of the pair builder."""

    max_rating_pairs_per_prompt: int = field(
        default=8, metadata={"help": "Cap on thumbs-up x thumbs-down pairs per prompt."}
    )
    margin_scale: float = field(
        default=1.0, metadata={"help": "Margin given to a pair backed unanimously by many raters."}
    )
    trust_agreement: float = field(
        default=0.75, metadata={"help": "Rater agreement (|up-down|/votes) for a trusted pair."}
    )
    min_trusted_raters: int = field(
        default=2, metadata={"help": "Raters agreeing on a pair before it counts as trusted."}
    )


def pair_key(prompt: str, chosen: str, rejected: str) -> str:
    """Stable content key of a pair: sha256 of the JSON list [prompt, chosen, rejected]."""
    blob = json.dumps([prompt, chosen, rejected], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def usable(row: dict) -> bool:
    """True when a feedback row may be trained on (live, not licensed no-training)."""
    return not row.get("withdrawn") and row.get("licence") != "no-training"


def _receipt(rows: list[dict]) -> tuple:
    """(received at, feedback id, author) of the earliest row by server receipt (its time,
    then its id); rows without a time sort first, by id."""
    first = min(rows, key=lambda r: (str(r.get("created_at") or ""), r["id"]))
    return (str(first.get("created_at") or ""), first["id"], first["user_id"])


def _make_pair(rows: list[dict], prompt: str, chosen: str, rejected: str, **extra) -> Pair:
    """A pair carrying the provenance of `rows` (the feedback that supports it)."""
    licences = {r.get("licence") or "cc-by-4.0" for r in rows}
    restricted = [lic for lic in RESTRICTED_LICENCES if lic in licences]
    return Pair(
        prompt=prompt,
        chosen=chosen,
        rejected=rejected,
        feedback_ids=tuple(sorted({r["id"] for r in rows})),
        author_ids=tuple(sorted({r["user_id"] for r in rows})),
        cluster_ids=tuple(
            sorted({r["cluster_id"] for r in rows if r.get("cluster_id") is not None})
        ),
        site=rows[0].get("site") or "generic",
        licence=restricted[0] if restricted else sorted(licences)[0],
        key=pair_key(prompt, chosen, rejected),
        receipt=_receipt(rows),
        **extra,
    )


def _pairwise(row: dict) -> Pair | None:
    """(chosen, rejected) from an A/B choice; `a` is the row's answer. Ties give nothing."""
    other = row.get("other_answer")
    if row.get("choice") not in ("a", "b") or not other or other == row["answer"]:
        return None
    a, b = row["answer"], other
    chosen, rejected = (a, b) if row["choice"] == "a" else (b, a)
    return _make_pair([row], row["prompt"], chosen, rejected, source="pairwise")


def _correction(row: dict) -> Pair | None:
    """(corrected text > original answer); nothing when the text did not change."""
    fixed = (row.get("corrected_text") or "").strip()
    if not fixed or fixed == row["answer"].strip():
        return None
    return _make_pair([row], row["prompt"], fixed, row["answer"], source="correction", trusted=True)


def _answer_votes(rows: list[dict]) -> dict:
    """Ratings on one prompt grouped by answer: {answer key: (text, [rows])}."""
    answers: dict = {}
    for row in rows:
        ident = row.get("answer_id") or hashlib.sha256(row["answer"].encode()).hexdigest()
        answers.setdefault(ident, (row["answer"], []))[1].append(row)
    return answers


def _side(votes: list[dict], sign: int) -> tuple[float, list[dict]]:
    """Agreement |up - down| / votes, and the rows voting `sign`."""
    agree = abs(sum(r["rating"] for r in votes)) / len(votes)
    return agree, [r for r in votes if r["rating"] == sign]


def _rating_pairs(rows: list[dict], config: PairConfig) -> list[Pair]:
    """Thumbs-up answers > thumbs-down answers of one prompt, strongest first, capped."""
    ups, downs = [], []
    for text, votes in _answer_votes(rows).values():
        net = sum(r["rating"] for r in votes)
        if net:
            (ups if net > 0 else downs).append((text, votes))
    pairs = []
    for up_text, up_votes in ups:
        for down_text, down_votes in downs:
            agree_up, backers_up = _side(up_votes, 1)
            agree_down, backers_down = _side(down_votes, -1)
            raters = min(len(backers_up), len(backers_down))
            agree = min(agree_up, agree_down)
            margin = config.margin_scale * agree * (1 - 1 / raters)
            trusted = raters >= config.min_trusted_raters and agree >= config.trust_agreement
            backers = backers_up + backers_down
            pairs.append(
                _make_pair(
                    backers, rows[0]["prompt"], up_text, down_text,
                    source="rating", margin=margin, trusted=trusted,
                )
            )  # fmt: skip
    pairs.sort(key=lambda p: (-p.margin, p.key))
    return pairs[: config.max_rating_pairs_per_prompt]


def merge_pair(old: Pair, pair: Pair, config: PairConfig) -> Pair:
    """Two pairs with one key as one: provenance united, the earliest receipt kept. Another
    account posting the same judgement raises neither margin nor trust: a repost is not
    agreement (the first poster keeps the value; agreement between raters is measured by
    `reward_model.valuation.agreement`)."""
    receipts = [r for r in (old.receipt, pair.receipt) if r]
    return replace(
        old,
        feedback_ids=tuple(sorted({*old.feedback_ids, *pair.feedback_ids})),
        author_ids=tuple(sorted({*old.author_ids, *pair.author_ids})),
        cluster_ids=tuple(sorted({*old.cluster_ids, *pair.cluster_ids})),
        margin=max(old.margin, pair.margin),
        trusted=old.trusted or pair.trusted,
        licence=pair.licence if pair.licence in RESTRICTED_LICENCES else old.licence,
        receipt=tuple(min(receipts, key=lambda r: (r[0], r[1]))) if receipts else (),
    )


def _merge(pairs: Iterable[Pair], config: PairConfig) -> list[Pair]:
    """One pair per key, in order of first appearance."""
    merged: dict[str, Pair] = {}
    for pair in pairs:
        old = merged.get(pair.key)
        merged[pair.key] = pair if old is None else merge_pair(old, pair, config)
    return list(merged.values())


def iter_pairs(
    rows: Iterable[dict], config: PairConfig | None = None, grouped: bool = False
) -> Iterator[Pair]:
    """Pairs of feedback rows one at a time, not yet merged by key (see `merge_pair`).

    With `grouped=True` the caller promises that the rating rows of a prompt come together
    (e.g. ordered by prompt hash): each prompt's rating pairs are yielded when its group
    ends, so memory stays flat in the number of rows. Otherwise ratings are held until the
    end and yielded by prompt hash, as `build_pairs` orders them.
    """
    config = config or PairConfig()
    ratings: dict[str, list[dict]] = defaultdict(list)
    current = None
    for row in rows:
        if row.get("kind") not in KINDS:
            raise ValueError(f"feedback row {row.get('id')}: kind must be one of {KINDS}")
        if not usable(row):
            continue
        if row["kind"] == "rating":
            if row.get("rating") not in (1, -1):
                continue
            if grouped and current is not None and row["prompt_hash"] != current:
                yield from _rating_pairs(ratings.pop(current), config)
            current = row["prompt_hash"]
            ratings[current].append(row)
            continue
        pair = _pairwise(row) if row["kind"] == "pairwise" else _correction(row)
        if pair is not None:
            yield pair
    for prompt_hash in sorted(ratings):
        yield from _rating_pairs(ratings[prompt_hash], config)


def build_pairs(rows: Iterable[dict], config: PairConfig | None = None) -> list[Pair]:
    """Turn feedback rows into de-duplicated preference pairs, in a stable order."""
    config = config or PairConfig()
    return _merge(iter_pairs(rows, config), config)


def _rank(key: str, salt: str) -> str:
    """Deterministic pseudo-random order of a pair key."""
    return hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()


def split_pairs(
    pairs: list[Pair],
    eval_fraction: float = 0.2,
    max_trusted_share: float = 0.5,
    salt: str = "liftledger",
) -> tuple[list[Pair], list[Pair]]:
    """Deterministic (train, held-out) split by a hash of each pair's key.

    The held-out set takes `round(eval_fraction * len(pairs))` pairs: trusted pairs first
    (at most `max_trusted_share` of them, so training keeps some), then the others.
    """
    if not 0 <= eval_fraction < 1 or not 0 <= max_trusted_share <= 1:
        raise ValueError("eval_fraction must be in [0, 1) and max_trusted_share in [0, 1]")
    n_eval = round(eval_fraction * len(pairs))
    trusted = sorted((p for p in pairs if p.trusted), key=lambda p: _rank(p.key, salt))
    others = sorted((p for p in pairs if not p.trusted), key=lambda p: _rank(p.key, salt))
    take = min(n_eval, int(max_trusted_share * len(trusted)))
    held = {p.key for p in trusted[:take] + others[: n_eval - take]}
    if len(held) < n_eval:  # too few untrusted pairs: fall back to more trusted ones
        held.update(p.key for p in trusted[take : take + n_eval - len(held)])
    train = [p for p in pairs if p.key not in held]
    return train, [p for p in pairs if p.key in held]
