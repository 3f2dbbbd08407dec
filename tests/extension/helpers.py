"""Helpers for driving the extension in the end-to-end tests."""

import json
import time

from playwright.sync_api import expect

LINK_PAGE = """<!doctype html><title>linking</title><script>
chrome.runtime.sendMessage(%s, {type: 'device/link', data: {token: %s}}, (reply) => {
  document.title = reply && reply.ok ? 'linked' : 'failed ' + JSON.stringify(reply);
});
</script>"""


def paste_token(context, server) -> str:
    """Link the extension by pasting a device token into the options page (the manual way).
    Returns the wallet address."""
    address, token = server.device_token()
    page = extension_page(context, "options/options.html")
    page.locator("#server").fill(server.url)
    page.locator("#token").fill(token)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#status")).to_have_text("Saved.")
    expect(page.locator("#linked")).to_have_text("This browser is linked.")
    page.close()
    return address


def link(context, server) -> str:
    """Link the extension the way the dashboard does: a page on the server's origin hands over
    a device token through externally_connectable. Returns the wallet address."""
    address, token = server.device_token()
    url = f"{server.url}/__e2e_link"
    body = LINK_PAGE % (json.dumps(context.extension_id), json.dumps(token))
    context.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=body))
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("document.title !== 'linking'", timeout=10000)
    assert page.title() == "linked", page.title()
    page.close()
    return address


def extension_page(context, path: str):
    """Open one of the extension's own pages (popup, options)."""
    page = context.new_page()
    page.goto(f"chrome-extension://{context.extension_id}/{path}")
    return page


def select_text(page, answer_css: str, text: str, index: int = 0) -> None:
    """Select `text` inside the index-th element matching `answer_css`, like a user would."""
    page.evaluate(
        """([css, text, index]) => {
          const root = document.querySelectorAll(css)[index];
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const at = n.nodeValue.indexOf(text);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(n, at);
            range.setEnd(n, at + text.length);
            const sel = document.getSelection();
            sel.removeAllRanges();
            sel.addRange(range);
            return;
          }
          throw new Error('text not found: ' + text);
        }""",
        [answer_css, text, index],
    )


def wait_rows(
    server, count: int, where=lambda row: True, timeout: float = 30.0, context=None
) -> list[dict]:
    """Poll the server until at least `count` stored rows satisfy `where`; return them."""
    deadline = time.monotonic() + timeout
    rows: list[dict] = []
    while time.monotonic() < deadline:
        try:
            rows = [r for r in server.feedback_rows() if where(r)]
        except Exception:  # noqa: BLE001 - the server may be restarting
            rows = []
        if len(rows) >= count:
            return rows
        time.sleep(0.3)
    state = worker(context).evaluate("chrome.storage.local.get(null)") if context else None
    raise AssertionError(f"expected {count} rows, got {len(rows)}: {rows}; extension: {state}")


def worker(context):
    """The extension's current service worker."""
    prefix = f"chrome-extension://{context.extension_id}/"
    for w in context.service_workers:
        if w.url.startswith(prefix):
            return w
    return context.wait_for_event("serviceworker", timeout=15000)


def stop_worker(context, page) -> None:
    """Stop the extension's service worker for real, from chrome://serviceworker-internals."""
    internals = context.new_page()
    internals.goto("chrome://serviceworker-internals/")
    scope = f"chrome-extension://{context.extension_id}/"
    block = internals.locator(".serviceworker-registration", has_text=scope)
    block.locator('cr-button[data-command="stop"]').first.click()
    expect(block.locator(".serviceworker-running-status .value").first).to_have_text("STOPPED")
    internals.close()
