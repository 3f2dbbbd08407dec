"""Labs are isolated: a key sees and downloads only its own lab's snapshots, names are per
lab, and the public catalogue shows what is on offer without anyone's snapshots."""

import pytest

from tests.factories import make_lab_key, make_snapshot, post_feedback, sign_in


@pytest.fixture
def two_labs(client, runner):
    """Acme and Globex, each with a snapshot named "hh": (acme, globex, acme's, globex's)."""
    for i in range(2):
        post_feedback(client, sign_in(client), i)
    acme, globex = make_lab_key(runner, "Acme"), make_lab_key(runner, "Globex")
    return acme, globex, make_snapshot(client, acme), make_snapshot(client, globex)


def test_names_and_versions_are_per_lab(client, two_labs):
    acme, _, mine, theirs = two_labs
    assert (mine["name"], mine["version"]) == (theirs["name"], theirs["version"]) == ("hh", 1)
    assert make_snapshot(client, acme)["version"] == 2


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/datasets/{id}",
        "/api/v1/datasets/{id}/card",
        "/api/v1/datasets/{id}/download?format=jsonl",
        "/api/v1/datasets/{id}/download?format=parquet",
        "/api/v1/datasets/{id}/proofs/" + "0" * 64,
    ],
)
def test_another_labs_snapshot_does_not_exist_for_a_key(client, two_labs, path):
    acme, _, mine, theirs = two_labs
    res = client.get(path.format(id=theirs["id"]), headers=acme)
    assert res.status_code == 404 and res.get_json()["message"] == f"No dataset {theirs['id']}."
    assert client.head(path.format(id=theirs["id"]), headers=acme).status_code == 404
    assert client.get(path.format(id=mine["id"]), headers=acme).status_code in (200, 404)


def test_a_key_lists_only_its_labs_snapshots(client, runner, two_labs):
    acme, globex, mine, theirs = two_labs
    reader = make_lab_key(runner, "Acme", "datasets:read")
    assert [d["id"] for d in client.get("/api/v1/datasets", headers=reader).get_json()] == [
        mine["id"]
    ]
    assert [d["id"] for d in client.get("/api/v1/datasets", headers=globex).get_json()] == [
        theirs["id"]
    ]


def test_public_catalogue_counts_the_offer_and_lists_no_snapshot(
    app, client, two_labs, monkeypatch
):
    monkeypatch.setitem(app.config, "DATASET_PRICE_PER_ITEM", 7)
    res = client.get("/api/v1/datasets/catalogue")  # no credentials at all
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["feedback"] == 2 and body["contributors"] == 2
    assert body["sites"] == {"chatgpt": 2} and body["kinds"] == {"pairwise": 2}
    assert sum(body["licences"].values()) == 2
    assert body["quality"] == {"measured_contributors": 0, "mean_reliability": None}
    assert body["price"]["per_item"] == "7" and body["price"]["symbol"] == "LIFT"
    text = res.get_data(as_text=True)
    assert '"hh"' not in text and "merkle_root" not in text
