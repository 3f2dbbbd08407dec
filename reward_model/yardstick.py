"""Yardsticks: reference preference sets that lift is measured on, read, checked and hashed.

A yardstick is a file of `prompt` / `chosen` / `rejected` rows (JSONL, one object a line, or
Parquet with those three string columns; extra columns are ignored). Every row must have
three strings, `chosen` and `rejected` non-empty and different. Duplicate rows (the same
content key) are kept once. The content hash is sha256 over the sorted pair keys, so the
same judgements in any order or file format hash the same. Standard library only (Parquet
needs pyarrow), so the server can read yardsticks without torch.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from reward_model.data import Pair, pair_key

COLUMNS = ("prompt", "chosen", "rejected")
MAX_PAIRS = 100_000
MAX_TEXT = 100_000  # characters per text
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


class YardstickError(ValueError):
    """A yardstick file or row that cannot be used, with where and why."""


def _jsonl_rows(path: Path) -> Iterable[dict]:
    """Objects of a JSONL file (.gz allowed), each tagged with its line number."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise YardstickError(f"line {number}: not JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise YardstickError(f"line {number}: expected an object with {COLUMNS}")
            yield {**row, "_where": f"line {number}"}


def _parquet_rows(path: Path) -> Iterable[dict]:
    """Rows of a Parquet file's prompt/chosen/rejected columns."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise YardstickError(f"not a readable Parquet file: {exc}") from None
    missing = [c for c in COLUMNS if c not in table.column_names]
    if missing:
        raise YardstickError(f"Parquet file lacks column(s) {missing}; needs {list(COLUMNS)}")
    for number, row in enumerate(table.select(list(COLUMNS)).to_pylist(), start=1):
        yield {**row, "_where": f"row {number}"}


def read_rows(path: str | Path) -> list[dict]:
    """The rows of a yardstick file (.jsonl, .jsonl.gz, .json lines or .parquet)."""
    path = Path(path)
    if not path.is_file():
        raise YardstickError(f"{path} is not a file")
    rows = _parquet_rows(path) if path.suffix == ".parquet" else _jsonl_rows(path)
    return list(rows)


def validate(rows: Iterable[dict]) -> list[Pair]:
    """Checked, de-duplicated pairs (source "yardstick") in file order; YardstickError on the
    first bad row, naming it."""
    pairs: dict[str, Pair] = {}
    for k, row in enumerate(rows, start=1):
        where = row.get("_where", f"row {k}")
        texts = [row.get(c) for c in COLUMNS]
        bad = [c for c, t in zip(COLUMNS, texts, strict=True) if not isinstance(t, str)]
        if bad:
            raise YardstickError(f"{where}: {bad} must be strings")
        prompt, chosen, rejected = texts
        if not chosen.strip() or not rejected.strip():
            raise YardstickError(f"{where}: chosen and rejected must not be empty")
        if chosen.strip() == rejected.strip():
            raise YardstickError(f"{where}: chosen and rejected are the same text")
        if max(map(len, texts)) > MAX_TEXT:
            raise YardstickError(f"{where}: a text is longer than {MAX_TEXT} characters")
        key = pair_key(prompt, chosen, rejected)
        pairs.setdefault(key, Pair(prompt, chosen, rejected, source="yardstick", key=key))
        if len(pairs) > MAX_PAIRS:
            raise YardstickError(f"more than {MAX_PAIRS} pairs; split the file")
    if len(pairs) < 2:
        raise YardstickError("a reference set needs at least 2 distinct pairs")
    return list(pairs.values())


def content_hash(pairs: Sequence[Pair]) -> str:
    """sha256 over the sorted content keys of the pairs (order and format do not matter)."""
    digest = hashlib.sha256()
    for key in sorted(p.key or pair_key(p.prompt, p.chosen, p.rejected) for p in pairs):
        digest.update(key.encode())
    return digest.hexdigest()


def guarded_keys(pairs: Iterable[Pair]) -> set[str]:
    """Keys a training set must not contain: each yardstick pair and its reversal."""
    keys = set()
    for p in pairs:
        keys.add(pair_key(p.prompt, p.chosen, p.rejected))
        keys.add(pair_key(p.prompt, p.rejected, p.chosen))
    return keys


def _normal(text: str) -> str:
    """A text as overlap checks compare it: NFKC, case-folded, invisible characters dropped,
    whitespace collapsed."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return " ".join(text.split())


def overlap_key(prompt: str, first: str, second: str) -> str:
    """Key of a comparison of two answers to a prompt, whichever side won and however the
    texts differ in Unicode form, case, whitespace or invisible characters: a gold item and a
    yardstick judgement with the same key are the same comparison."""
    answers = sorted((_normal(first), _normal(second)))
    blob = json.dumps([_normal(prompt), *answers], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
