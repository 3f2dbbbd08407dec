"""Fixtures for the extension's end-to-end tests: the unpacked extension in a real Chromium
(Playwright, persistent context) with fixture pages served under each site's real URL."""

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
FIXTURES = EXTENSION / "test" / "fixtures"
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
RUNTIME = ["manifest.json", "background", "content", "common", "popup", "options"]
SITE_URLS = {
    "chatgpt": ["https://chatgpt.com/**", "https://chat.openai.com/**"],
    "claude": ["https://claude.ai/**"],
    "gemini": ["https://gemini.google.com/**"],
    "generic": ["https://example.org/**"],
}
# What activeTab grants for one tab when the user opens the popup there; a test cannot click
# the toolbar, so the test copy of the manifest holds it as a host permission instead.
ACTIVE_TAB_STAND_IN = "https://example.org/*"


@pytest.fixture
def server(live_server):
    """The real server on loopback (tests/conftest.py's live_server: gunicorn, fresh SQLite)."""
    return live_server


def _serve(html: str):
    """A route handler answering every request with the fixture page."""

    def handler(route):
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    return handler


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A persistent Chromium context with the unpacked extension loaded (headless)."""
    from playwright import sync_api

    if not Path(CHROMIUM).exists():  # a missing browser is a failure, never a skip
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    unpacked = tmp_path_factory.mktemp("unpacked")
    for name in RUNTIME:  # only the shipped files; node_modules never goes into the browser
        src = EXTENSION / name
        copy = shutil.copytree if src.is_dir() else shutil.copy
        copy(src, unpacked / name)
    manifest = json.loads((unpacked / "manifest.json").read_text())
    manifest["host_permissions"].append(ACTIVE_TAB_STAND_IN)
    (unpacked / "manifest.json").write_text(json.dumps(manifest))
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--headless=new",
                f"--disable-extensions-except={unpacked}",
                f"--load-extension={unpacked}",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
            ],
        )
        for site, patterns in SITE_URLS.items():
            html = (FIXTURES / f"{site}.html").read_text()
            for pattern in patterns:
                context.route(pattern, _serve(html))
        worker = context.service_workers[0] if context.service_workers else None
        worker = worker or context.wait_for_event("serviceworker", timeout=15000)
        context.extension_id = worker.url.split("/")[2]
        yield context
        context.close()
