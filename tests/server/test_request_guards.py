"""Bodies no worker may die of: deep JSON nesting is refused before it reaches the parser."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from server.request_guards import json_depth_exceeds
from tests.factories import sign_in
from tests.live import LiveServer

BOMB = b"[" * 200_000  # 200 KB: overflowed the C stack of a worker with SIGSEGV


@pytest.mark.parametrize(
    ("body", "too_deep"),
    [
        (b"[]", False),
        (b'{"a": [1, {"b": "[[[[ {{{{"}]}', False),  # brackets inside strings do not count
        (b'["\\"[[[["]', False),  # nor do escaped quotes end a string
        (b"[" * 32 + b"]" * 32, False),
        (b"[" * 33 + b"]" * 33, True),
        (b"[{" * 16 + b"}]" * 16, False),
        (b"[{" * 16 + b"[]" + b"}]" * 16, True),
        (b"[]" * 100_000, False),  # wide is fine, only deep is not
        (b"[[]", True),  # unbalanced: never handed to the parser
        (BOMB, True),
    ],
)
def test_depth_is_measured_on_the_raw_bytes(body, too_deep):
    assert json_depth_exceeds(body, 32) is too_deep


def test_deeply_nested_json_gets_400_in_the_one_error_shape(client):
    res = client.post(
        "/api/v1/auth/nonce", data=b"[" * 50 + b"]" * 50, content_type="application/json"
    )
    body = res.get_json()
    assert res.status_code == 400 and body["code"] == 400
    assert "nested more than 32 levels" in body["message"] and "json" in body["errors"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"address": ' + b"1" * 4301 + b"}", 400),  # int() refused it: a 500 before
        (b"[1." + b"0" * 5000 + b"]", 400),
        (b'{"address": "' + b"1" * 5000 + b'"}', 422),  # digits in a string are text
        (b'{"address": ' + b"1" * 4300 + b"}", 422),
    ],
)
def test_a_number_too_long_to_convert_is_400_not_500(client, body, code):
    res = client.post("/api/v1/auth/nonce", data=body, content_type="application/json")
    assert res.status_code == code and res.get_json()["code"] == code, res.get_json()
    if code == 400:
        assert "digits" in res.get_json()["message"]


@pytest.mark.parametrize("name", ["a%00b", "%00"])
def test_a_nul_in_a_path_segment_is_404_not_a_database_error(client, runner, name):
    user = sign_in(client)
    assert runner.invoke(args=["users", "set-role", user["address"], "admin"]).exit_code == 0
    admin = sign_in(client, user["account"])
    url = f"/api/v1/admin/labs/{name}/deposits"  # PostgreSQL refused the NUL with a 500
    res = client.post(url, json={"amount": "5"}, headers=admin["headers"])
    assert res.status_code == 404 and res.get_json()["code"] == 404
    assert "NUL" in res.get_json()["message"]


@pytest.mark.slow
def test_a_real_worker_survives_a_nesting_bomb_and_refuses_big_chunked_bodies(tmp_path):
    server = LiveServer(tmp_path, workers=1)
    try:
        server.start()
        headers = {"Content-Type": "application/json"}
        bombs = [server.url + "/api/v1/auth/nonce", server.url + "/api/v1/feedback/batch"]

        def bomb(url: str) -> requests.Response:
            return requests.post(url, data=BOMB, headers=headers, timeout=30)

        def honest(_: int) -> int:
            return requests.get(server.url + "/api/v1/health", timeout=30).status_code

        with ThreadPoolExecutor(6) as pool:
            refused = list(pool.map(bomb, bombs))
            others = list(pool.map(honest, range(8)))
        assert [r.status_code for r in refused] == [400, 400]
        assert all(r.json()["code"] == 400 for r in refused)
        assert others == [200] * 8
        # The one worker served everything: it was never replaced.
        log = server.log.read_text()
        assert log.count("Booting worker") == 1, log
        assert "SIGSEGV" not in log and "exited with code" not in log
        address = "0x" + "1" * 40
        after = requests.post(server.url + "/api/v1/auth/nonce", json={"address": address})
        assert after.status_code == 200
        _chunked_bodies_over_the_limit_get_413(server)
    finally:
        server.stop()


def _chunked(total: int, piece: int = 64 * 1024):
    """A JSON body of about `total` bytes sent chunked (no Content-Length), as a generator."""
    yield b'{"address": "'
    for _ in range(total // piece):
        yield b"x" * piece
    yield b'"}'


def _chunked_bodies_over_the_limit_get_413(server: LiveServer) -> None:
    """A chunked body over the limit is 413 (werkzeug would cut it short: 400 broken JSON);
    one under the limit reaches the view."""
    url, headers = server.url + "/api/v1/auth/nonce", {"Content-Type": "application/json"}
    over = requests.post(url, data=_chunked(300 * 1024), headers=headers)
    assert over.status_code == 413 and over.json()["code"] == 413
    under = requests.post(url, data=_chunked(128 * 1024), headers=headers)
    assert under.status_code == 422 and "address" in under.json()["errors"]["json"]
