"""What one feedback request costs: Redis round trips and SQL statements, counted on the real
SQLite/PostgreSQL and Redis (counts, not timings: the timings live in bench/ingest.py)."""

import pytest

from bench.request_costs import counted
from tests.factories import make_device, make_feedback_payload, sign_in


@pytest.fixture
def device(app, client, monkeypatch):
    """A device token's headers, with the credential cache on as in production."""
    monkeypatch.setitem(app.config, "CREDENTIAL_CACHE_TTL", 30.0)
    headers = make_device(client, sign_in(client))
    # The first request fills the caches (owner, licence) and the script cache.
    warm = make_feedback_payload(50)
    assert client.post("/api/v1/feedback", json=warm, headers=headers).status_code == 201
    return headers


def test_a_new_item_costs_one_redis_round_trip_and_at_most_three_statements(app, client, device):
    with counted(app) as seen:
        res = client.post("/api/v1/feedback", json=make_feedback_payload(1), headers=device)
    assert res.status_code == 201 and res.headers["X-RateLimit-Limit"]
    assert seen["redis"] == 1, seen  # the gate counts and marks; nothing after the commit
    assert len(seen["sql"]) <= 3, seen["sql"]
    assert [s for s in seen["sql"] if s.startswith("SELECT")] == []  # nothing read back


def test_a_retry_is_answered_without_writing(app, client, device):
    payload = make_feedback_payload(2)
    first = client.post("/api/v1/feedback", json=payload, headers=device)
    with counted(app) as seen:
        again = client.post("/api/v1/feedback", json=payload, headers=device)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert seen["redis"] <= 2
    assert not [s for s in seen["sql"] if s.split()[0] in ("INSERT", "UPDATE")], seen["sql"]


def test_a_client_id_seen_in_a_refused_request_is_stored_on_its_retry(app, client, device):
    """The gate marks a client_id before the body is validated: the mark only sends the retry
    to the database first, where nothing is found, so the fixed item is stored."""
    payload = make_feedback_payload(4)
    broken = client.post("/api/v1/feedback", json={**payload, "rating": 7}, headers=device)
    assert broken.status_code == 422
    with counted(app) as seen:
        fixed = client.post("/api/v1/feedback", json=payload, headers=device)
    assert fixed.status_code == 201, fixed.get_json()
    assert seen["redis"] == 1
    again = client.post("/api/v1/feedback", json=payload, headers=device)
    assert again.status_code == 200 and again.get_json()["id"] == fixed.get_json()["id"]
    reused = client.post("/api/v1/feedback", json={**payload, "rating": 1}, headers=device)
    assert reused.status_code == 409


def test_a_batch_is_one_insert_per_table(app, client, device):
    # Mixed kinds and optional fields: rows of different shapes still go in together.
    pairwise = {"kind": "pairwise", "rating": None, "choice": "b"}
    items = [
        make_feedback_payload(i, comment="Too long." if i % 3 else None)
        if i % 2
        else make_feedback_payload(
            i, other_answer={"text": f"B {i}", "message_id": f"b{i}"}, **pairwise
        )
        for i in range(3, 40)
    ]
    with counted(app) as seen:
        res = client.post("/api/v1/feedback/batch", json={"items": items}, headers=device)
    assert [r["status"] for r in res.get_json()["results"]] == ["created"] * len(items)
    inserts = [s for s in seen["sql"] if s.startswith("INSERT")]
    assert sorted(inserts) == ["INSERT INTO answer", "INSERT INTO feedback"], seen["sql"]
    assert seen["redis"] <= 2


def test_newer_feedback_on_an_answer_still_replaces_the_older(app, client, device):
    old = client.post("/api/v1/feedback", json=make_feedback_payload(5), headers=device)
    new = client.post(
        "/api/v1/feedback", json=make_feedback_payload(5, rating=1), headers=device
    ).get_json()
    history = client.get(
        "/api/v1/feedback", query_string={"include_history": "true"}, headers=device
    ).get_json()
    replaced = next(f for f in history if f["id"] == old.get_json()["id"])
    assert replaced["superseded_by"] == new["id"] and new["superseded_at"] is None


def test_over_the_limit_is_429_with_the_window_in_headers(app, client, device, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_FEEDBACK", "2 per minute")
    codes = [
        client.post("/api/v1/feedback", json=make_feedback_payload(i), headers=device)
        for i in range(6, 9)
    ]
    assert [r.status_code for r in codes] == [201, 201, 429]
    assert (
        codes[1].headers["X-RateLimit-Remaining"] == "0" and "Retry-After" not in codes[1].headers
    )
    refused = codes[2]
    assert int(refused.headers["Retry-After"]) > 0 and refused.get_json()["code"] == 429


def test_re_rating_an_answer_costs_three_statements(app, client, device):
    old = client.post("/api/v1/feedback", json=make_feedback_payload(9), headers=device)
    with counted(app) as seen:
        new = client.post(
            "/api/v1/feedback", json=make_feedback_payload(9, rating=1), headers=device
        ).get_json()
    assert len(seen["sql"]) <= 3 and seen["redis"] <= 2, seen
    assert new["superseded_at"] is None and new["superseded_by"] is None
    history = client.get(
        "/api/v1/feedback", query_string={"include_history": "true"}, headers=device
    ).get_json()
    replaced = next(f for f in history if f["id"] == old.get_json()["id"])
    assert replaced["superseded_at"] and replaced["superseded_by"] == new["id"]


def test_history_inside_a_batch_points_at_the_last_item(app, client, device):
    items = [make_feedback_payload(11, rating=r, comment=c) for r, c in ((1, "a"), (-1, "b"))]
    items.append(make_feedback_payload(11, rating=1, comment="c"))
    res = client.post("/api/v1/feedback/batch", json={"items": items}, headers=device)
    ids = [r["id"] for r in res.get_json()["results"]]
    history = client.get(
        "/api/v1/feedback", query_string={"include_history": "true"}, headers=device
    ).get_json()
    by_id = {f["id"]: f for f in history}
    assert [by_id[i]["superseded_by"] for i in ids] == [ids[2], ids[2], None]
