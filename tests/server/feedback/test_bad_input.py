"""Every bad input gets the right status and the one JSON error shape, never a 500."""

import pytest

from tests.factories import make_feedback_payload, sign_in


def _assert_error(res, code: int) -> dict:
    """The response is an error of this code in the standard shape."""
    assert res.status_code == code, res.get_data(as_text=True)
    body = res.get_json()
    assert body["code"] == code and body["status"] and body["message"]
    return body


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"client_id": "not-a-uuid"}, "client_id"),
        ({"site": "myspace"}, "site"),
        ({"kind": "vibes"}, "kind"),
        ({"rating": 0}, "rating"),
        ({"rating": None}, "rating"),
        ({"prompt": ""}, "prompt"),
        ({"answer": None}, "answer"),
        ({"tags": ["not_a_tag"]}, "tags"),
        ({"spans": [{"start": 5, "end": 2, "tag": "verbose"}]}, "spans"),
        ({"spans": [{"start": 0, "end": 10**7, "tag": "verbose"}]}, "spans"),
        ({"spans": [{"start": -1, "end": 2, "tag": "verbose"}]}, "spans"),
        ({"kind": "correction", "corrected_text": None}, "corrected_text"),
        ({"kind": "pairwise", "choice": "a"}, "other_answer"),
        ({"kind": "pairwise", "other_answer": {"text": "x"}}, "choice"),
        ({"choice": "a"}, "choice"),
        ({"licence": "all-rights-reserved"}, "licence"),
        ({"captured_at": "2026-11-21T10:00:00"}, "captured_at"),
        ({"comment": "x" * 5001}, "comment"),
        ({"unexpected": 1}, "unexpected"),
        # What the database cannot store: a lone surrogate, NUL (PostgreSQL), an instant
        # before year 1 in UTC; and a fractional offset, refused rather than truncated.
        ({"prompt": "why \ud800"}, "prompt"),
        ({"answer": "because \udfff"}, "answer"),
        ({"comment": "nul \x00 here"}, "comment"),
        ({"model_name": "\x00"}, "model_name"),
        ({"message_id": "m\ud800"}, "message_id"),
        ({"captured_at": "0001-01-01T00:00:00+01:00"}, "captured_at"),
        ({"captured_at": "9999-12-31T23:00:00-05:00"}, "captured_at"),
        ({"spans": [{"start": 0, "end": 4.5, "tag": "verbose"}]}, "spans"),
        ({"rating": 1.0}, "rating"),
    ],
)
def test_invalid_fields_get_422_with_per_field_errors(client, overrides, field):
    user = sign_in(client)
    res = client.post(
        "/api/v1/feedback", json=make_feedback_payload(**overrides), headers=user["headers"]
    )
    body = _assert_error(res, 422)
    assert field in body["errors"]["json"]


def test_missing_required_fields(client):
    user = sign_in(client)
    body = _assert_error(client.post("/api/v1/feedback", json={}, headers=user["headers"]), 422)
    assert {"client_id", "site", "prompt", "answer", "kind"} <= set(body["errors"]["json"])


@pytest.mark.parametrize("body", ["[]", "42", '"text"', "null"])
def test_non_object_json_gets_422(client, body):
    user = sign_in(client)
    headers = {**user["headers"], "Content-Type": "application/json"}
    _assert_error(client.post("/api/v1/feedback", data=body, headers=headers), 422)


def test_malformed_json_gets_400(client):
    user = sign_in(client)
    headers = {**user["headers"], "Content-Type": "application/json"}
    _assert_error(client.post("/api/v1/feedback", data="{not json", headers=headers), 400)


def test_non_json_gets_415(client):
    user = sign_in(client)
    res = client.post("/api/v1/feedback", data="rating=1", headers=user["headers"])
    _assert_error(res, 415)


def test_body_over_256kb_gets_413(client):
    user = sign_in(client)
    payload = make_feedback_payload(comment="x" * (300 * 1024))
    _assert_error(client.post("/api/v1/feedback", json=payload, headers=user["headers"]), 413)


def test_batch_bounds(client):
    user = sign_in(client)
    url, headers = "/api/v1/feedback/batch", user["headers"]
    _assert_error(client.post(url, json={"items": []}, headers=headers), 422)
    too_many = {"items": [make_feedback_payload(0)] * 501}
    _assert_error(client.post(url, json=too_many, headers=headers), 422)
    _assert_error(client.post(url, json={"items": ["not an object"]}, headers=headers), 422)


def test_no_credentials_gets_401(client):
    _assert_error(client.post("/api/v1/feedback", json=make_feedback_payload()), 401)


def test_unknown_route_and_method_are_json(client):
    _assert_error(client.get("/api/v1/nothing-here"), 404)
    _assert_error(client.put("/api/v1/auth/nonce", json={}), 405)


def test_rate_limit_gets_429_with_retry_after(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_AUTH", "3 per minute")
    codes = [
        client.post("/api/v1/auth/nonce", json={"address": "0x" + "1" * 40}).status_code
        for _ in range(4)
    ]
    res = client.post("/api/v1/auth/nonce", json={"address": "0x" + "1" * 40})
    assert codes == [200, 200, 200, 429]
    body = _assert_error(res, 429)
    assert int(res.headers["Retry-After"]) > 0 and body["status"] == "Too Many Requests"


@pytest.mark.parametrize("param", ["since", "until"])
def test_out_of_range_filter_gets_422_naming_it(client, param):
    user = sign_in(client)
    query = {param: "0001-01-01T00:00:00+01:00"}
    body = _assert_error(
        client.get("/api/v1/feedback", query_string=query, headers=user["headers"]), 422
    )
    assert param in body["errors"]["query"]


def test_one_unstorable_item_in_a_batch_is_invalid_and_the_others_are_stored(client):
    user = sign_in(client)
    items = [make_feedback_payload(i) for i in range(20)]
    items[7]["prompt"] = "lone \ud800 surrogate"
    items[12]["comment"] = "NUL \x00"
    items[15]["captured_at"] = "0001-01-01T00:00:00+01:00"
    res = client.post("/api/v1/feedback/batch", json={"items": items}, headers=user["headers"])
    assert res.status_code == 200, res.get_json()
    results = res.get_json()["results"]
    bad = {7: "prompt", 12: "comment", 15: "captured_at"}
    assert [r["status"] for r in results] == [
        "invalid" if i in bad else "created" for i in range(20)
    ]
    for index, field in bad.items():
        assert field in results[index]["errors"]
    listed = client.get("/api/v1/feedback", query_string={"page_size": 50}, headers=user["headers"])
    assert len(listed.get_json()) == 17


def test_nul_and_surrogates_are_refused_outside_feedback_too(client):
    res = client.post("/api/v1/auth/nonce", json={"address": "0x" + "1" * 39 + "\ud800"})
    assert "address" in _assert_error(res, 422)["errors"]["json"]
    user = sign_in(client)
    res = client.post("/api/v1/auth/devices", json={"name": "laptop\x00"}, headers=user["headers"])
    assert "name" in _assert_error(res, 422)["errors"]["json"]


def test_empty_patch_gets_422(client):
    user = sign_in(client)
    row = client.post(
        "/api/v1/feedback", json=make_feedback_payload(), headers=user["headers"]
    ).get_json()
    res = client.patch(f"/api/v1/feedback/{row['id']}", json={}, headers=user["headers"])
    assert "at least one field" in str(_assert_error(res, 422)["errors"])
    res = client.patch("/api/v1/me", json={}, headers=user["headers"])
    assert "default_licence" in _assert_error(res, 422)["errors"]["json"]


def test_openapi_documents_what_the_validators_enforce(client):
    spec = client.get("/api/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert schemas["FeedbackPatch"]["minProperties"] == 1
    assert schemas["NonceRequest"]["properties"]["address"]["pattern"] == "^0x[0-9a-fA-F]{40}$"
    assert "default_licence" in schemas["MePatch"]["required"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                assert operation["requestBody"]["required"] is True, (method, path)


def test_retry_after_only_on_429(client):
    res = client.post("/api/v1/auth/nonce", json={"address": "0x" + "1" * 40})
    assert res.status_code == 200 and "Retry-After" not in res.headers
    assert "X-RateLimit-Limit" in res.headers  # the limit headers themselves stay
    assert "Retry-After" not in client.get("/api/v1/health").headers
