"""Span offsets are Unicode code points (Python str indices), with emoji and combining marks:
what a span covers on the server is the text the author marked."""

import pytest

from tests.factories import make_feedback_payload, sign_in

SNAKE = "\U0001f40d"  # one code point, two UTF-16 units
ACUTE = "\u0301"  # a combining mark: a code point of its own
ANSWER = f"Python {SNAKE} is a snake; cafe{ACUTE} is not, and 👍🏽 is a thumb."


def _post(client, user, spans: list[dict], answer: str = ANSWER):
    """Post a rating with these spans on the answer."""
    payload = make_feedback_payload(answer=answer, spans=spans, message_id=None)
    return client.post("/api/v1/feedback", json=payload, headers=user["headers"])


def _span(part: str, tag: str = "factually_wrong") -> dict:
    """The code-point span of the first occurrence of `part` in ANSWER."""
    start = ANSWER.index(part)
    return {"start": start, "end": start + len(part), "tag": tag}


@pytest.mark.parametrize("part", [SNAKE, f"cafe{ACUTE}", "👍🏽", "snake", ANSWER])
def test_a_span_covers_the_marked_text(client, part):
    user = sign_in(client)
    res = _post(client, user, [_span(part)])
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    (span,) = body["spans"]
    assert body["answer"][span["start"] : span["end"]] == part


def test_offsets_after_an_emoji_are_not_shifted(client):
    user = sign_in(client)
    word = ANSWER.index("is a snake")
    utf16 = len(ANSWER[:word].encode("utf-16-le")) // 2
    assert utf16 == word + 1  # the snake counts twice in UTF-16
    res = _post(client, user, [{"start": word, "end": word + 10, "tag": "verbose"}])
    body = res.get_json()
    assert body["answer"][word : word + 10] == "is a snake"


def test_the_end_is_bounded_by_the_length_in_code_points(client):
    user = sign_in(client)
    in_code_points, in_utf16 = len(ANSWER), len(ANSWER.encode("utf-16-le")) // 2
    assert in_utf16 > in_code_points
    assert (
        _post(client, user, [{"start": 0, "end": in_code_points, "tag": "verbose"}]).status_code
        == 201
    )
    res = _post(client, user, [{"start": 0, "end": in_utf16, "tag": "verbose"}])
    assert res.status_code == 422
    assert f"past the answer's length {in_code_points}" in str(res.get_json()["errors"])


def test_edits_use_the_same_unit(client):
    user = sign_in(client)
    row = _post(client, user, []).get_json()
    res = client.patch(
        f"/api/v1/feedback/{row['id']}", json={"spans": [_span(SNAKE)]}, headers=user["headers"]
    )
    assert res.status_code == 200, res.get_json()
    span = res.get_json()["spans"][0]
    assert res.get_json()["answer"][span["start"] : span["end"]] == SNAKE
