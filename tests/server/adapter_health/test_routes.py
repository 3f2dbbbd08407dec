"""Adapter-health events: anonymous, validated, rate-limited reports; counts for admins only."""

import pytest

from server.adapter_health.routes import REPORT_LIMIT
from server.extensions import limiter
from tests.factories import sign_in

EVENT = {
    "site": "gemini",
    "adapter_version": "2026.07",
    "selector": "message-content, .query-text",
    "problem": "prompt-without-answer",
}


def _admin(client, runner):
    """A signed-in admin (role set through the CLI, then a fresh sign-in)."""
    user = sign_in(client)
    result = runner.invoke(args=["users", "set-role", user["address"], "admin"])
    assert result.exit_code == 0, result.output
    return sign_in(client, user["account"])


def test_reports_without_sign_in_are_counted_per_site_and_version(client, runner):
    for event in (EVENT, EVENT, {**EVENT, "adapter_version": "2026.08"}):
        assert client.post("/api/v1/adapter-health", json=event).status_code == 204
    admin = _admin(client, runner)
    res = client.get("/api/v1/admin/adapter-health", headers=admin["headers"])
    assert res.status_code == 200
    counts = {(r["site"], r["adapter_version"], r["problem"]): r["count"] for r in res.get_json()}
    assert counts == {
        ("gemini", "2026.07", "prompt-without-answer"): 2,
        ("gemini", "2026.08", "prompt-without-answer"): 1,
    }


@pytest.mark.parametrize(
    "change",
    [
        {"site": "bing"},
        {"problem": "slow"},
        {"adapter_version": ""},
        {"selector": "x" * 201},
        {"url": "https://chatgpt.com/c/secret"},  # nothing personal rides along
        {"prompt": "my question"},
    ],
)
def test_invalid_or_personal_reports_are_refused(client, change):
    res = client.post("/api/v1/adapter-health", json={**EVENT, **change})
    assert res.status_code == 422, res.get_json()


def test_counts_are_for_admins_only(client):
    user = sign_in(client)
    assert client.get("/api/v1/admin/adapter-health").status_code == 401
    res = client.get("/api/v1/admin/adapter-health", headers=user["headers"])
    assert res.status_code == 403


def test_reports_are_rate_limited_per_address(client):
    limiter.reset()
    allowed = int(REPORT_LIMIT.split()[0])
    codes = [
        client.post("/api/v1/adapter-health", json=EVENT).status_code for _ in range(allowed + 1)
    ]
    assert codes[:allowed] == [204] * allowed
    assert codes[-1] == 429
    limiter.reset()
