"""/api/docs in real Chromium: the operations list renders from local files only, under the
page's CSP, with no request leaving the server's origin."""

import os

import pytest

from server.security_headers import CSP

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


@pytest.mark.slow
def test_docs_render_offline_under_the_csp(live_server):
    from playwright.sync_api import expect, sync_playwright

    origin = live_server.url
    requested, violations, errors = [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "console",
                lambda msg: (
                    violations.append(msg.text) if "Content Security Policy" in msg.text else None
                ),
            )
            response = page.goto(origin + "/api/docs")
            assert response.headers["content-security-policy"].startswith("default-src 'self'")
            operations = page.locator(".opblock")
            expect(operations.first).to_be_visible(timeout=20_000)
            assert operations.count() >= 20
            expect(
                page.locator(".opblock-summary-path", has_text="/api/v1/feedback/batch")
            ).to_have_count(1)
        finally:
            browser.close()
    assert CSP["script-src"] == "'self'"
    outside = [
        url for url in requested if not url.startswith(origin) and not url.startswith("data:")
    ]
    assert outside == [], outside
    assert violations == [] and errors == [], (violations, errors)
