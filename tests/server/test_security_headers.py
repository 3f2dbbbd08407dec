"""The header policy on every page, static file and API response; the client address from
trusted proxies only; per-IP sign-in limits that a bearer token does not escape."""

import pytest

from server import create_app
from server.security_headers import CSP
from tests.conftest import app_config
from tests.factories import make_feedback_payload, sign_in

PAGES = [
    "/",
    "/dashboard",
    "/admin/rounds",
    "/labs",
    "/dashboard/rounds/1",
    "/api/docs",
    "/api/docs/swagger-ui/swagger-ui-bundle.js",
    "/dashboard/static/dashboard.css",
    "/api/openapi.json",
    "/api/v1/health",
    "/api/v1/feedback",  # 401
    "/api/v1/no-such-thing",  # 404
]
SECRET = "s" * 48


def _assert_policy(headers) -> None:
    """The headers every response carries."""
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp == CSP
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_header_policy(client, path):
    res = client.get(path)
    assert res.status_code < 500
    _assert_policy(res.headers)
    assert "Strict-Transport-Security" not in res.headers  # not outside production


def _get_urls(app) -> list[str]:
    """A URL for every GET route the app has, each argument filled with 1."""
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            urls.add(rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1])
    return sorted(urls)


def test_every_get_route_carries_the_policy_and_no_retry_after(app, client):
    urls = _get_urls(app)
    assert len(urls) > 30 and {"/labs", "/dashboard", "/api/docs"} <= set(urls)
    for url in urls:
        res = client.get(url)
        assert res.status_code < 500, url
        _assert_policy(res.headers)
        assert "Retry-After" not in res.headers, url


def test_error_and_write_responses_carry_it_too(client):
    user = sign_in(client)
    _assert_policy(
        client.post(
            "/api/v1/feedback", json=make_feedback_payload(), headers=user["headers"]
        ).headers
    )
    _assert_policy(client.post("/api/v1/feedback", data="x", headers=user["headers"]).headers)


@pytest.fixture
def production_app(database_url, redis_url):
    """A production app behind one trusted proxy."""
    config = app_config(
        database_url,
        redis_url,
        ENV_NAME="production",
        SECRET_KEY=SECRET,
        JWT_SECRET=SECRET,
        TRUSTED_PROXY_HOPS=1,
        RATELIMIT_AUTH="2 per minute",
    )
    return create_app(config)


def test_production_sends_hsts_over_https_only(production_app):
    client = production_app.test_client()
    https = client.get("/api/v1/health", headers={"X-Forwarded-Proto": "https"})
    assert https.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    _assert_policy(https.headers)
    assert "Strict-Transport-Security" not in client.get("/api/v1/health").headers


@pytest.mark.parametrize("forwarded", ["http", "https"])
def test_the_cached_header_set_is_what_talisman_computes(production_app, forwarded):
    """The header set worked out once is, header for header, talisman's own on each request."""
    from flask import Response
    from flask_talisman import Talisman

    from server.security_headers import talisman

    headers = {"X-Forwarded-Proto": forwarded}
    for _ in range(2):  # the first request works the set out, the second reuses it
        with production_app.test_request_context("/api/v1/health", headers=headers):
            cached = talisman._set_response_headers(Response()).headers
            full = Talisman._set_response_headers(talisman, Response()).headers
            assert sorted(cached.items()) == sorted(full.items())
            assert ("Strict-Transport-Security" in cached) == (forwarded == "https")


def _nonce(client, ip: str, **headers) -> int:
    """Status of a nonce request from this forwarded client address."""
    res = client.post(
        "/api/v1/auth/nonce",
        json={"address": "0x" + "2" * 40},
        headers={"X-Forwarded-For": ip, **headers},
    )
    return res.status_code


def test_a_trusted_proxy_names_the_client_for_per_ip_limits(production_app):
    client = production_app.test_client()
    assert [_nonce(client, "203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert _nonce(client, "203.0.113.8") == 200  # another client behind the same proxy


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(app, client):
    app.config["RATELIMIT_AUTH"] = "2 per minute"
    try:
        codes = [_nonce(client, f"198.51.100.{i}") for i in range(3)]
    finally:
        app.config["RATELIMIT_AUTH"] = "100000 per minute"
    assert codes == [200, 200, 429]


def test_a_bearer_token_does_not_escape_the_per_ip_sign_in_limit(app, client):
    user = sign_in(client)
    app.config["RATELIMIT_AUTH"] = "2 per minute"
    try:
        codes = [_nonce(client, "192.0.2.1", **user["headers"]) for _ in range(3)]
        anonymous = _nonce(client, "192.0.2.1")
    finally:
        app.config["RATELIMIT_AUTH"] = "100000 per minute"
    assert codes == [200, 200, 429] and anonymous == 429
