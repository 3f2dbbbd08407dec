"""Yardstick files: read (JSONL, Parquet), validated with the bad row named, content-hashed."""

import json

import pytest

from reward_model.data import pair_key
from reward_model.yardstick import (
    YardstickError,
    content_hash,
    guarded_keys,
    read_rows,
    validate,
)

ROWS = [
    {"prompt": "2+2?", "chosen": "4", "rejected": "5"},
    {"prompt": "capital of France?", "chosen": "Paris", "rejected": "Lyon"},
    {"prompt": "2+2?", "chosen": "4", "rejected": "5"},  # a duplicate, kept once
]


def _jsonl(tmp_path, rows, name="y.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_jsonl_and_parquet_give_the_same_pairs_and_hash(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from_jsonl = validate(read_rows(_jsonl(tmp_path, ROWS)))
    table = pa.table({k: [r[k] for r in ROWS] for k in ("prompt", "chosen", "rejected")})
    pq.write_table(table, tmp_path / "y.parquet")
    from_parquet = validate(read_rows(tmp_path / "y.parquet"))
    assert [p.key for p in from_jsonl] == [p.key for p in from_parquet]
    assert len(from_jsonl) == 2 and all(p.source == "yardstick" for p in from_jsonl)
    assert content_hash(from_jsonl) == content_hash(list(reversed(from_parquet)))
    changed = validate([*ROWS[:1], {**ROWS[1], "chosen": "Paris."}])
    assert content_hash(changed) != content_hash(from_jsonl)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"prompt": "p", "chosen": "a"}, "must be strings"),
        ({"prompt": "p", "chosen": " ", "rejected": "b"}, "must not be empty"),
        ({"prompt": "p", "chosen": "same", "rejected": "same "}, "the same text"),
        ({"prompt": 3, "chosen": "a", "rejected": "b"}, "must be strings"),
    ],
)
def test_bad_rows_are_named(tmp_path, row, message):
    path = _jsonl(tmp_path, [ROWS[0], row])
    with pytest.raises(YardstickError, match=f"line 2: .*{message}"):
        validate(read_rows(path))


def test_bad_files_are_refused(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"prompt": "p", "chosen": "a", "rejected": "b"}\nnope\n')
    with pytest.raises(YardstickError, match="line 2: not JSON"):
        read_rows(tmp_path / "bad.jsonl")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(YardstickError, match="Parquet"):
        read_rows(tmp_path / "bad.parquet")
    with pytest.raises(YardstickError, match="at least 2"):
        validate(ROWS[:1])


def test_guarded_keys_cover_each_judgement_and_its_reversal():
    pairs = validate(ROWS)
    keys = guarded_keys(pairs)
    assert pair_key("2+2?", "4", "5") in keys and pair_key("2+2?", "5", "4") in keys
    assert len(keys) == 4
