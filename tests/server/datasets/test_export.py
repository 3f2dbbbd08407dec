"""Exports: JSONL and Parquet hold the same rows, stream in batches, carry per-dataset
pseudonyms, leave scrubbed, and every download is logged."""

import hashlib
import hmac
import io
import json

import pyarrow.parquet as pq
import pytest

from reward_model.data import pair_key
from server.datasets import export
from server.datasets.models import Dataset, Download
from server.extensions import db
from tests.factories import make_snapshot, post_feedback, sign_in


def _get(client, headers, dataset_id, fmt):
    """GET a download (not buffered) and return (response, chunks)."""
    res = client.get(
        f"/api/v1/datasets/{dataset_id}/download?format={fmt}", headers=headers, buffered=False
    )
    chunks = list(res.response)
    res.close()
    return res, chunks


def test_jsonl_and_parquet_hold_the_same_rows_streamed(client, lab, seeded, monkeypatch):
    monkeypatch.setattr(export, "BATCH", 7)
    body = make_snapshot(client, lab)
    res_j, chunks_j = _get(client, lab, body["id"], "jsonl")
    res_p, chunks_p = _get(client, lab, body["id"], "parquet")
    assert res_j.is_streamed and res_p.is_streamed
    assert res_p.mimetype == "application/vnd.apache.parquet"
    assert f"{body['name']}-v1.parquet" in res_p.headers["Content-Disposition"]
    rows = [json.loads(line) for line in b"".join(chunks_j).decode().splitlines()]
    table = pq.ParquetFile(io.BytesIO(b"".join(chunks_p)))
    n = body["row_count"]
    assert len(rows) == n and table.metadata.num_rows == n
    assert len(chunks_j) == -(-n // 7) and table.num_row_groups == -(-n // 7)
    assert len(chunks_p) >= table.num_row_groups
    assert table.read().to_pylist() == rows
    assert table.schema_arrow.names == [f.name for f in export.SCHEMA]


def test_pseudonyms_are_hmacs_of_the_address_per_dataset(app, client, lab):
    user = sign_in(client)
    post_feedback(client, user, 0)
    first, second = make_snapshot(client, lab), make_snapshot(client, lab)
    names = []
    for body in (first, second):
        _, chunks = _get(client, lab, body["id"], "jsonl")
        (row,) = [json.loads(line) for line in b"".join(chunks).decode().splitlines()]
        with app.app_context():
            salt = db.session.get(Dataset, body["id"]).pseudonym_salt
        address = user["account"].address.lower().encode()
        expected = hmac.new(bytes.fromhex(salt), address, hashlib.sha256).hexdigest()[:32]
        assert row["contributor"] == expected and row["contributors"] == [expected]
        assert user["account"].address.lower() not in json.dumps(row).lower()
        names.append(row["contributor"])
    assert names[0] != names[1]


PRIVATE = (
    "I'm Dana, write to dana.whitfield@protonmail.com or call +1 (415) 555-0132; "
    "my backup is 020 7946 0958 and tips go to 0x52908400098527886E0F7030069857D2E4169EE7. "
    "The 2019 report lists 3 studies from 1998 2004 2011."
)


def test_text_is_scrubbed_before_it_leaves(client, lab):
    user = sign_in(client)
    post_feedback(
        client, user, 0, prompt=PRIVATE, kind="correction", corrected_text="Ask bob@example.org."
    )
    body = make_snapshot(client, lab)
    for fmt in ("jsonl", "parquet"):
        _, chunks = _get(client, lab, body["id"], fmt)
        blob = b"".join(chunks)
        row = json.loads(blob) if fmt == "jsonl" else pq.read_table(io.BytesIO(blob)).to_pylist()[0]
        assert row["prompt"] == (
            "I'm Dana, write to [email] or call [phone]; my backup is [phone] and tips go to "
            "[wallet]. The 2019 report lists 3 studies from 1998 2004 2011."
        )
        assert row["chosen"] == row["correction"] == "Ask [email]."
        assert row["item_hash"] == pair_key(row["prompt"], row["chosen"], row["rejected"])
        for secret in (b"protonmail", b"555-0132", b"7946", b"0x5290", b"bob@"):
            assert secret not in blob


def test_every_download_is_logged(app, client, lab):
    post_feedback(client, sign_in(client), 0)
    body = make_snapshot(client, lab)
    for fmt in ("jsonl", "parquet", "jsonl"):
        res, _ = _get(client, lab, body["id"], fmt)
        assert res.status_code == 200
    with app.app_context():
        logs = db.session.scalars(db.select(Download).order_by(Download.id)).all()
        assert [d.format for d in logs] == ["jsonl", "parquet", "jsonl"]
        assert {(d.dataset_id, d.lab_id, d.price) for d in logs} == {
            (body["id"], logs[0].lab_id, 0)
        }
        assert all(d.key_id and d.created_at for d in logs)


@pytest.mark.parametrize("query", ["format=csv", "format=", "format=PARQUET"])
def test_bad_format_is_422(client, lab, query):
    post_feedback(client, sign_in(client), 0)
    body = make_snapshot(client, lab)
    res = client.get(f"/api/v1/datasets/{body['id']}/download?{query}", headers=lab)
    assert res.status_code == 422 and "format" in json.dumps(res.get_json()["errors"])


def test_unicode_line_separators_keep_one_row_per_line(client, lab):
    user = sign_in(client)
    post_feedback(client, user, 0, prompt="first line\u2028second line\u2029third \u00e9\u4e2d")
    body = make_snapshot(client, lab)
    _, chunks = _get(client, lab, body["id"], "jsonl")
    (line,) = b"".join(chunks).decode().splitlines()
    assert json.loads(line)["prompt"] == "first line\u2028second line\u2029third \u00e9\u4e2d"
    _, chunks = _get(client, lab, body["id"], "parquet")
    assert pq.read_table(io.BytesIO(b"".join(chunks))).column("prompt")[0].as_py() == (
        "first line\u2028second line\u2029third \u00e9\u4e2d"
    )
