"""Snapshots: filters, immutability, versions, what never enters, and bad input."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from server.auth.models import User
from server.datasets import item_merkle
from server.extensions import db
from server.feedback.models import Feedback
from tests.factories import make_snapshot, post_feedback, sign_in


def _rows(client, headers: dict, dataset_id: int) -> list[dict]:
    """The JSONL download, parsed."""
    res = client.get(f"/api/v1/datasets/{dataset_id}/download?format=jsonl", headers=headers)
    assert res.status_code == 200
    return [json.loads(line) for line in res.get_data(as_text=True).splitlines()]


@pytest.fixture
def three(app, client):
    """Three wallets' feedback: A pairwise on chatgpt tagged verbose; B a research-only
    correction on claude (in a near-duplicate group); C pairwise on gemini by an unreliable
    author."""
    a, b, c = sign_in(client), sign_in(client), sign_in(client)
    fa = post_feedback(client, a, 0, site="chatgpt", tags=["verbose"])
    span = {"start": 0, "end": 5, "tag": "factually_wrong"}
    fb = post_feedback(client, b, 1, kind="correction", site="claude", licence="research-only",
              tags=["factually_wrong"], spans=[span])  # fmt: skip
    fc = post_feedback(client, c, 2, site="gemini")
    with app.app_context():
        db.session.execute(
            db.update(User).where(User.address == c["account"].address).values(reliability=0.2)
        )
        # Groups are assigned at round time, not at ingest.
        db.session.execute(db.update(Feedback).where(Feedback.id == fb["id"]).values(cluster_id=7))
        db.session.commit()
    fb["cluster_id"] = 7
    return {"chatgpt": fa, "claude": fb, "gemini": fc}


@pytest.mark.parametrize(
    ("filters", "sites"),
    [
        ({}, {"chatgpt", "claude", "gemini"}),
        ({"sites": ["claude"]}, {"claude"}),
        ({"kinds": ["pairwise"]}, {"chatgpt", "gemini"}),
        ({"kinds": ["correction", "rating"]}, {"claude"}),
        ({"tags": ["verbose", "harmful"]}, {"chatgpt"}),
        ({"licences": ["cc-by-4.0"]}, {"chatgpt", "gemini"}),
        ({"licences": ["research-only"]}, {"claude"}),
        ({"min_reliability": 0.4}, {"chatgpt", "claude"}),
        ({"min_margin": 0.0}, {"chatgpt", "claude", "gemini"}),
        ({"created_from": "2000-01-01T00:00:00+00:00"}, {"chatgpt", "claude", "gemini"}),
    ],
)
def test_filters_select_the_right_items(client, lab, three, filters, sites):
    body = make_snapshot(client, lab, filters=filters)
    rows = _rows(client, lab, body["id"])
    assert {r["site"] for r in rows} == sites
    assert body["row_count"] == len(rows) and body["counts"]["site"] == {s: 1 for s in sites}
    assert body["filters"] == filters


def test_excluding_a_cluster(client, lab, three):
    cluster = three["claude"]["cluster_id"]
    assert cluster is not None
    body = make_snapshot(client, lab, filters={"exclude_clusters": [cluster]})
    assert {r["site"] for r in _rows(client, lab, body["id"])} == {"chatgpt", "gemini"}


@pytest.mark.parametrize(
    "filters",
    [
        {"min_margin": 0.5},
        {"created_to": "2000-01-01T00:00:00Z"},
        {"sites": ["generic"]},
    ],
)
def test_nothing_matching_is_a_clear_422(client, lab, three, filters):
    res = client.post("/api/v1/datasets", json={"name": "x", "filters": filters}, headers=lab)
    assert res.status_code == 422 and "No preferences match" in res.get_json()["message"]


def test_granular_fields_and_provenance(client, lab, three):
    body = make_snapshot(client, lab)
    rows = {r["site"]: r for r in _rows(client, lab, body["id"])}
    fix = rows["claude"]
    assert fix["source"] == "correction" and fix["licence"] == "research-only"
    assert fix["tags"] == ["factually_wrong"]
    assert fix["spans"] == [{"start": 0, "end": 5, "tag": "factually_wrong"}]
    assert fix["correction"] == fix["chosen"]
    assert rows["chatgpt"]["tags"] == ["verbose"] and rows["chatgpt"]["correction"] is None
    assert body["licences"] == {"cc-by-4.0": 2, "research-only": 1}
    assert (
        body["counts"]["contributors"] == 3 and len({r["contributor"] for r in rows.values()}) == 3
    )


def test_withdrawn_and_no_training_never_enter_and_old_versions_do_not_change(client, lab):
    user = sign_in(client)
    kept = post_feedback(client, user, 0)
    gone = post_feedback(client, user, 1)
    post_feedback(client, user, 2, licence="no-training")
    first = make_snapshot(client, lab, name="mine")
    first_rows = _rows(client, lab, first["id"])
    assert first["row_count"] == 2
    assert {r["prompt"] for r in first_rows} == {kept["prompt"], gone["prompt"]}
    res = client.delete(f"/api/v1/feedback/{gone['id']}", headers=user["headers"])
    assert res.status_code == 200
    second = make_snapshot(client, lab, name="mine")
    assert (first["version"], second["version"]) == (1, 2)
    assert [r["prompt"] for r in _rows(client, lab, second["id"])] == [kept["prompt"]]
    again = client.get(f"/api/v1/datasets/{first['id']}", headers=lab).get_json()
    assert again == first and _rows(client, lab, first["id"]) == first_rows


def test_snapshot_records_ids_and_merkle_root_of_real_data(app, client, lab, seeded):
    body = make_snapshot(client, lab)
    rows = _rows(client, lab, body["id"])
    assert body["row_count"] == len(rows) > 50
    assert body["merkle_root"] == item_merkle.root(r["item_hash"] for r in rows)
    assert sum(body["licences"].values()) == len(rows)
    assert len({r["pair_id"] for r in rows}) == len(rows)
    listed = client.get("/api/v1/datasets", headers=lab).get_json()
    assert [d["id"] for d in listed] == [body["id"]]


def test_proofs_verify_for_labs_and_contributors(client, lab):
    users = [sign_in(client) for _ in range(3)]
    for i, user in enumerate(users):
        post_feedback(client, user, i)
        post_feedback(client, user, i + 3)
    body = make_snapshot(client, lab)
    mine = client.get(f"/api/v1/datasets/{body['id']}/mine", headers=users[1]["headers"])
    assert mine.status_code == 200 and len(mine.get_json()) == 2
    for item in mine.get_json():
        path = f"/api/v1/datasets/{body['id']}/proofs/{item['item_hash']}"
        for headers in (users[1]["headers"], lab):
            proof = client.get(path, headers=headers).get_json()
            assert proof["root"] == body["merkle_root"] and proof["leaves"] == 6
            assert item_merkle.verify(item["item_hash"], proof["proof"], body["merkle_root"])
            assert not item_merkle.verify("0" * 64, proof["proof"], body["merkle_root"])


@pytest.mark.parametrize(
    ("path", "code"),
    [("/proofs/" + "0" * 64, 404), ("/proofs/nothex", 422), ("/mine", 200)],
)
def test_proof_errors(client, lab, three, path, code):
    body = make_snapshot(client, lab)
    user = sign_in(client)
    res = client.get(f"/api/v1/datasets/{body['id']}{path}", headers=user["headers"])
    assert res.status_code == code
    if code == 200:
        assert res.get_json() == []
    else:
        assert res.get_json()["code"] == code


def _later() -> str:
    """An ISO time in the future."""
    return (datetime.now(UTC) + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"filters": {}}, "name"),
        ({"name": "bad name!"}, "name"),
        ({"name": "x", "filters": {"sites": ["myspace"]}}, "filters"),
        ({"name": "x", "filters": {"licences": ["no-training"]}}, "filters"),
        ({"name": "x", "filters": {"kinds": []}}, "filters"),
        ({"name": "x", "filters": {"min_reliability": 2}}, "filters"),
        ({"name": "x", "filters": {"min_margin": "lots"}}, "filters"),
        ({"name": "x", "filters": {"exclude_clusters": ["a"]}}, "filters"),
        ({"name": "x", "filters": {"created_from": _later(), "created_to": _later()}}, "filters"),
        ({"name": "x", "filters": {"created_from": "2024-01-01T00:00:00"}}, "filters"),
        ({"name": "x", "filters": {"colour": "red"}}, "filters"),
        ({"name": "x", "filters": []}, "filters"),
        ({"name": "x", "price": "-1"}, "price"),
        ({"name": "x", "price": 5}, "price"),
        ({"name": "x", "surprise": 1}, "surprise"),
    ],
)
def test_bad_snapshot_requests_are_clear_422s(client, lab, body, field):
    res = client.post("/api/v1/datasets", json=body, headers=lab)
    assert res.status_code == 422, res.get_json()
    payload = res.get_json()
    assert payload["code"] == 422 and payload["message"]
    assert field in json.dumps(payload["errors"])


@pytest.mark.parametrize("path", ["/api/v1/datasets/999", "/api/v1/datasets/999/card",
                                  "/api/v1/datasets/999/download"])  # fmt: skip
def test_unknown_dataset_is_404(client, lab, path):
    res = client.get(path, headers=lab)
    assert res.status_code == 404 and res.get_json()["code"] == 404
