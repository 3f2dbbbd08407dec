"""Linking the real extension from the dashboard (externally_connectable) in a real Chromium."""

import shutil

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import ARGS, require_chromium
from tests.extension.helpers import set_server
from tests.live import ROOT
from tests.server.dashboard.wallet import TestWallet

pytestmark = pytest.mark.slow
RUNTIME = ["manifest.json", "background", "content", "common", "popup", "options"]


@pytest.fixture
def extension_context(tmp_path):
    """A persistent Chromium context with the unpacked extension; (context, its worker)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = require_chromium()

    unpacked = tmp_path / "unpacked"
    for name in RUNTIME:
        source = ROOT / "extension" / name
        if source.is_dir():
            shutil.copytree(source, unpacked / name)
        else:
            unpacked.mkdir(exist_ok=True)
            shutil.copy(source, unpacked / name)
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=chromium,
            headless=True,
            args=[
                *ARGS,
                f"--disable-extensions-except={unpacked}",
                f"--load-extension={unpacked}",
            ],
        )
        worker = context.service_workers[0] if context.service_workers else None
        worker = worker or context.wait_for_event("serviceworker", timeout=15_000)
        yield context, worker
        context.close()


def test_dashboard_links_the_extension(plain_server, extension_context):
    context, worker = extension_context
    extension_id = worker.url.split("/")[2]
    context.extension_id = extension_id
    # The user names the server in the extension's options; only that origin may link it.
    set_server(context, plain_server.url).close()
    wallet = TestWallet()
    page = context.new_page()
    wallet.install(page)
    page.goto(f"{plain_server.url}/?ext={extension_id}")
    page.get_by_role("button", name="Sign in with wallet").click()
    page.wait_for_url(f"{plain_server.url}/dashboard?ext={extension_id}")
    page.get_by_role("button", name="Link the extension").click()
    expect(page.locator("#link-status")).to_have_text("The extension is linked to this wallet.")
    expect(page.locator("#device-token")).to_be_hidden()

    stored = worker.evaluate("chrome.storage.local.get(null)")
    assert stored["settings"]["serverUrl"] == plain_server.url
    token = stored["auth"]["token"]
    me = requests.get(plain_server.url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["address"] == wallet.address
