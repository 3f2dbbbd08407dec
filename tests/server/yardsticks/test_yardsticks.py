"""Yardsticks through the admin API and `flask yardstick import`: validated, versioned,
content-hashed, never returned; a round names the one it is valued on."""

import json

import pytest

from server.extensions import db
from server.rounds.models import TrainingRound
from server.yardsticks.models import YardstickPair
from tests.factories import sign_in

PAIRS = [
    {"prompt": "2+2?", "chosen": "4", "rejected": "5"},
    {"prompt": "capital of France?", "chosen": "Paris", "rejected": "Lyon"},
]


def _admin(client, runner):
    """A signed-in admin."""
    user = sign_in(client)
    assert runner.invoke(args=["users", "set-role", user["address"], "admin"]).exit_code == 0
    return sign_in(client, user["account"])


def test_admin_imports_versions_and_never_returns_pairs(app, client, runner):
    admin = _admin(client, runner)
    url, headers = "/api/v1/admin/yardsticks", admin["headers"]
    first = client.post(url, json={"name": "core", "pairs": PAIRS}, headers=headers)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["version"] == 1 and body["n_pairs"] == 2 and len(body["content_hash"]) == 64
    again = client.post(url, json={"name": "core", "pairs": PAIRS[::-1]}, headers=headers)
    assert again.get_json()["id"] == body["id"]  # same content in another order: same version
    more = PAIRS + [{"prompt": "", "chosen": "kind words", "rejected": "rude words"}]
    second = client.post(url, json={"name": "core", "pairs": more}, headers=headers).get_json()
    assert second["version"] == 2 and second["content_hash"] != body["content_hash"]
    listed = client.get(url, headers=headers)
    assert [y["version"] for y in listed.get_json()] == [2, 1]
    assert all("pairs" not in y for y in listed.get_json())
    assert "Paris" not in listed.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(YardstickPair).count() == 5


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "core", "pairs": PAIRS[:1]}, 422),
        ({"name": "Bad Name", "pairs": PAIRS}, 422),
        ({"name": "core", "pairs": [PAIRS[0], {"prompt": "p", "chosen": "x", "rejected": "x"}]},
         422),
        ({"name": "core", "pairs": [PAIRS[0], {"prompt": "p", "chosen": "x"}]}, 422),
        ({"name": "core", "pairs": PAIRS, "lab_id": 999}, 404),
    ],
)  # fmt: skip
def test_bad_imports_get_clear_errors(client, runner, body, status):
    admin = _admin(client, runner)
    res = client.post("/api/v1/admin/yardsticks", json=body, headers=admin["headers"])
    assert res.status_code == status and res.get_json()["message"]


def test_only_admins_import_or_list(client):
    user = sign_in(client)
    res = client.post("/api/v1/admin/yardsticks", json={"name": "x", "pairs": PAIRS},
                      headers=user["headers"])  # fmt: skip
    assert res.status_code == 403
    assert client.get("/api/v1/admin/yardsticks").status_code == 401


def test_cli_imports_jsonl_and_parquet(runner, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    jsonl = tmp_path / "y.jsonl"
    jsonl.write_text("".join(json.dumps(p) + "\n" for p in PAIRS))
    out = runner.invoke(args=["yardstick", "import", str(jsonl), "--name", "cli"])
    assert out.exit_code == 0 and "cli v1 imported" in out.output, out.output
    pq.write_table(pa.table({k: [p[k] for p in PAIRS] for k in PAIRS[0]}), tmp_path / "y.parquet")
    same = runner.invoke(args=["yardstick", "import", str(tmp_path / "y.parquet"), "--name", "cli"])
    assert "unchanged" in same.output and "v1" in same.output
    (tmp_path / "bad.jsonl").write_text("{}\n")
    bad = runner.invoke(args=["yardstick", "import", str(tmp_path / "bad.jsonl")])
    assert bad.exit_code != 0 and "must be strings" in bad.output
    listed = runner.invoke(args=["yardstick", "list"])
    assert "cli v1 (admins) 2 pairs" in listed.output


def test_a_round_names_its_yardstick_and_needs_one(app, client, runner):
    admin = _admin(client, runner)
    seeded = runner.invoke(args=["demo", "seed", "--contributors", "2", "--hh", "8", "--qa", "0"])
    assert seeded.exit_code == 0 and "default yardstick imported" in seeded.output
    res = client.post("/api/v1/admin/rounds", json={"backbone": "tiny"}, headers=admin["headers"])
    assert res.status_code == 202, res.get_json()
    view = res.get_json()
    assert view["status"] == "queued" and view["n_train"] == 0  # the worker builds the snapshot
    with app.app_context():
        round_ = db.session.get(TrainingRound, view["id"])
        assert round_.yardstick_hash == view["yardstick_hash"] and round_.yardstick_id
    lab = client.post(
        "/api/v1/admin/rounds", json={"backbone": "tiny", "yardstick_id": 999},
        headers=admin["headers"],
    )  # fmt: skip
    assert lab.status_code == 404
