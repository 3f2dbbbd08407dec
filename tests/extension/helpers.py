"""Helpers for driving the extension in the end-to-end tests."""

import json
import time

from playwright.sync_api import expect

LINK_PAGE = """<!doctype html><title>linking</title><script>
chrome.runtime.sendMessage(%s, {type: 'device/link', data: {token: %s}}, (reply) => {
  document.title = reply && reply.ok ? 'linked' : 'failed ' + JSON.stringify(reply);
});
</script>"""


def set_server(context, server_url: str, token: str | None = None):
    """Set the server URL (and a pasted token) in the options page, confirming a change of
    server when asked. Returns the options page, still open."""
    page = extension_page(context, "options/options.html")
    page.wait_for_function("document.querySelector('#linked').textContent !== ''")
    page.locator("#server").fill(server_url)
    if token:
        page.locator("#token").fill(token)
    page.get_by_role("button", name="Save").click()
    confirm = page.get_by_role("button", name="Change server")
    expect(confirm.or_(page.locator("#status", has_text="Saved."))).to_be_visible()
    if confirm.is_visible():
        confirm.click()
    expect(page.locator("#status")).to_have_text("Saved.")
    return page


def paste_token(context, server) -> str:
    """Link the extension by pasting a device token into the options page (the manual way).
    Returns the wallet address."""
    address, token = server.device_token()
    page = set_server(context, server.url, token)
    expect(page.locator("#linked")).to_have_text("This browser is linked.")
    page.close()
    return address


def link(context, server) -> str:
    """Link the extension the way the dashboard does: a page on the server's origin hands over
    a device token through externally_connectable. Returns the wallet address."""
    address, token = server.device_token()
    set_server(context, server.url).close()
    assert link_from(context, server.url, token) == "linked"
    return address


def link_from(context, origin: str, token: str) -> str:
    """Open a page on `origin` that hands `token` to the extension; returns its verdict."""
    url = f"{origin}/__e2e_link"
    body = LINK_PAGE % (json.dumps(context.extension_id), json.dumps(token))
    context.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=body))
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("document.title !== 'linking'", timeout=10000)
    title = page.title()
    page.close()
    return title


def extension_page(context, path: str):
    """Open one of the extension's own pages (popup, options)."""
    page = context.new_page()
    page.goto(f"chrome-extension://{context.extension_id}/{path}")
    return page


def content_world_eval(page, expression: str, extension_id: str):
    """Evaluate `expression` (awaited) in the extension's content-script world of `page`."""
    cdp = page.context.new_cdp_session(page)
    worlds = []
    cdp.on("Runtime.executionContextCreated", lambda e: worlds.append(e["context"]))
    cdp.send("Runtime.enable")
    origin = f"chrome-extension://{extension_id}"
    world = next(c for c in worlds if c.get("origin") == origin)
    result = cdp.send(
        "Runtime.evaluate",
        {
            "expression": expression,
            "contextId": world["id"],
            "awaitPromise": True,
            "returnByValue": True,
        },
    )
    cdp.detach()
    return result["result"].get("value")


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


def adapter_health_events(server, timeout: float = 20.0) -> list[dict]:
    """The anonymous adapter-health events the live server stored (read from its database),
    polled until at least one arrives."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(server.env["DATABASE_URL"])
    query = sqlalchemy.text(
        "SELECT site, adapter_version, selector, problem FROM adapter_health_event"
    )
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                rows = [dict(r._mapping) for r in connection.execute(query)]
            if rows or time.monotonic() > deadline:
                return rows
            time.sleep(0.3)
    finally:
        engine.dispose()
