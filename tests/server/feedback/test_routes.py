"""Feedback ingest over HTTP: creation, every de-duplication rule, history, reads, edits.

That no user reads, edits or withdraws another's feedback is in tests/server/test_attacks.py."""

import uuid

import pytest

from server.extensions import db
from server.feedback.models import Answer, Feedback
from tests.factories import make_feedback_payload, qa_items, sign_in


def _post(client, user, payload):
    """POST one feedback item as the user."""
    return client.post("/api/v1/feedback", json=payload, headers=user["headers"])


def test_create_returns_the_stored_record(client):
    user = sign_in(client)
    payload = make_feedback_payload(
        kind="correction",
        rating=-1,
        tags=["factually_wrong"],
        spans=[{"start": 0, "end": 10, "tag": "factually_wrong"}],
        comment="The first sentence misstates the facts in the passage.",
        corrected_text="A corrected answer written by a person.",
    )
    res = _post(client, user, payload)
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    for key in ("client_id", "site", "message_id", "prompt", "answer", "kind", "rating"):
        assert body[key] == payload[key]
    assert body["spans"] == payload["spans"] and body["tags"] == ["factually_wrong"]
    assert body["licence"] == "cc-by-4.0" and body["cluster_id"] is None  # set at round time


def test_retry_with_same_client_id_returns_the_same_row(app, client):
    user = sign_in(client)
    payload = make_feedback_payload()
    first = _post(client, user, payload)
    second = _post(client, user, payload)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"]
    with app.app_context():
        assert db.session.query(Feedback).count() == 1


def test_same_client_id_with_different_content_is_a_conflict(client):
    user = sign_in(client)
    payload = make_feedback_payload()
    assert _post(client, user, payload).status_code == 201
    res = _post(client, user, {**payload, "rating": 1})
    assert res.status_code == 409
    assert res.get_json()["code"] == 409


def test_client_ids_are_per_user(app, client):
    alice, bob = sign_in(client), sign_in(client)
    payload = make_feedback_payload()
    first, second = _post(client, alice, payload), _post(client, bob, payload)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json()["id"] != second.get_json()["id"]
    with app.app_context():
        rows = db.session.scalars(db.select(Feedback).filter_by(client_id=payload["client_id"]))
        owners = {row.user_id for row in rows}
    assert len(owners) == 2  # one row per user, the same client_id in both


def test_newer_feedback_on_same_answer_supersedes_the_older(app, client):
    user = sign_in(client)
    old = _post(client, user, make_feedback_payload(rating=1)).get_json()
    new = _post(client, user, make_feedback_payload(rating=-1, tags=["verbose"])).get_json()
    assert new["id"] != old["id"]
    listed = client.get("/api/v1/feedback", headers=user["headers"]).get_json()
    assert [f["id"] for f in listed] == [new["id"]]
    history = client.get(
        "/api/v1/feedback?include_history=true", headers=user["headers"]
    ).get_json()
    assert {f["id"] for f in history} == {old["id"], new["id"]}
    old_now = client.get(f"/api/v1/feedback/{old['id']}", headers=user["headers"]).get_json()
    assert old_now["superseded_by"] == new["id"] and old_now["superseded_at"]


def test_answers_are_stored_once_across_users(app, client):
    alice, bob = sign_in(client), sign_in(client)
    a = _post(client, alice, make_feedback_payload(message_id=None)).get_json()
    b = _post(client, bob, make_feedback_payload(message_id=None, rating=1)).get_json()
    assert a["answer_id"] == b["answer_id"]
    with app.app_context():
        assert db.session.query(Answer).count() == 1


def test_a_forged_text_under_a_real_message_id_captures_no_honest_feedback(app, client):
    forger, honest, other = sign_in(client), sign_in(client), sign_in(client)
    forged = _post(client, forger, make_feedback_payload(answer="Buy my course at example.com."))
    assert forged.status_code == 201
    real = make_feedback_payload()  # the text the site really shows under msg-0
    first = _post(client, honest, real).get_json()
    second = _post(client, other, make_feedback_payload(rating=1)).get_json()
    assert first["answer"] == second["answer"] == qa_items()[0]["prediction 1"]
    assert first["answer_id"] == second["answer_id"] != forged.get_json()["answer_id"]
    assert first["message_id"] == forged.get_json()["message_id"] == "msg-0"
    with app.app_context():
        forged_answer = db.session.get(Answer, forged.get_json()["answer_id"])
        on_forged = db.session.query(Feedback).filter_by(answer_id=forged_answer.id).count()
    assert on_forged == 1  # only the forger's own


@pytest.mark.parametrize("padding", ["        ", "\n\n", " \t"])
def test_a_whitespace_padded_copy_stored_first_takes_no_honest_feedback(client, padding):
    forger, honest = sign_in(client), sign_in(client)
    real = qa_items()[0]["prediction 1"]
    forged = _post(client, forger, make_feedback_payload(answer=padding + real)).get_json()
    span = {"start": 0, "end": 5, "tag": "verbose"}  # the first 5 code points the author saw
    mine = _post(client, honest, make_feedback_payload(answer=real, spans=[span])).get_json()
    assert mine["answer_id"] != forged["answer_id"]
    assert mine["answer"] == real and mine["answer"][0:5] == real[:5]


def test_a_regenerated_answer_under_one_message_id_is_a_new_answer(client):
    user = sign_in(client)
    first = _post(client, user, make_feedback_payload()).get_json()
    res = _post(client, user, make_feedback_payload(answer=qa_items()[0]["prediction 2"]))
    assert res.status_code == 201
    assert res.get_json()["answer_id"] != first["answer_id"]
    assert res.get_json()["answer"] == qa_items()[0]["prediction 2"]


def test_pairwise_feedback_stores_both_answers(client):
    user = sign_in(client)
    payload = make_feedback_payload(
        kind="pairwise",
        rating=None,
        other_answer={"message_id": "msg-0-b", "text": qa_items()[0]["prediction 2"]},
        choice="b",
    )
    res = _post(client, user, payload)
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["choice"] == "b" and body["other_answer"]["text"] == qa_items()[0]["prediction 2"]


def test_batch_reports_each_item(client):
    user = sign_in(client)
    stored = make_feedback_payload(0)
    assert _post(client, user, stored).status_code == 201
    fresh = make_feedback_payload(1)
    items = [
        fresh,
        stored,
        {**make_feedback_payload(2), "client_id": stored["client_id"]},
        {**make_feedback_payload(3), "kind": "unknown"},
        fresh,
    ]
    res = client.post("/api/v1/feedback/batch", json={"items": items}, headers=user["headers"])
    assert res.status_code == 200, res.get_json()
    statuses = [r["status"] for r in res.get_json()["results"]]
    assert statuses == ["created", "exists", "conflict", "invalid", "exists"]
    results = res.get_json()["results"]
    assert results[0]["id"] == results[4]["id"]
    assert "kind" in results[3]["errors"]


def test_batch_of_many_items_in_one_request(app, client):
    user = sign_in(client)
    items = [make_feedback_payload(i) for i in range(200)]
    res = client.post("/api/v1/feedback/batch", json={"items": items}, headers=user["headers"])
    assert [r["status"] for r in res.get_json()["results"]] == ["created"] * 200
    with app.app_context():
        assert db.session.query(Feedback).count() == 200


def test_list_is_paginated_and_filtered(client):
    user = sign_in(client)
    for i in range(5):
        _post(client, user, make_feedback_payload(i, site="claude" if i % 2 else "chatgpt"))
    seen, cursor = [], None
    while True:
        query = {"page_size": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/feedback", query_string=query, headers=user["headers"])
        assert page.status_code == 200 and len(page.get_json()) <= 2
        seen += [f["id"] for f in page.get_json()]
        cursor = page.headers.get("X-Next-Cursor")
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 5
    claude = client.get("/api/v1/feedback?site=claude", headers=user["headers"]).get_json()
    assert {f["site"] for f in claude} == {"claude"} and len(claude) == 2


def test_edit_and_withdraw(client):
    user = sign_in(client)
    fid = _post(client, user, make_feedback_payload()).get_json()["id"]
    path = f"/api/v1/feedback/{fid}"
    edited = client.patch(path, json={"tags": ["verbose", "verbose"]}, headers=user["headers"])
    assert edited.status_code == 200 and edited.get_json()["tags"] == ["verbose"]
    bad_span = client.patch(
        path,
        json={"spans": [{"start": 0, "end": 10**6, "tag": "verbose"}]},
        headers=user["headers"],
    )
    assert bad_span.status_code == 422
    gone = client.delete(path, headers=user["headers"])
    assert gone.status_code == 200 and gone.get_json()["withdrawn_at"]
    assert client.patch(path, json={"rating": 1}, headers=user["headers"]).status_code == 409
    # A withdrawn answer can be judged afresh.
    again = _post(client, user, make_feedback_payload(client_id=str(uuid.uuid4())))
    assert again.status_code == 201
