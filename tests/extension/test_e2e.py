"""End to end: the real extension in a real Chromium, fixture pages under each site's real URL
(so the manifest's match patterns apply), and a real server on loopback."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.extension.helpers import (
    adapter_health_events,
    content_world_eval,
    extension_page,
    link,
    link_from,
    paste_token,
    select_text,
    set_server,
    stop_worker,
    wait_rows,
    worker,
)

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).resolve().parents[2] / "extension" / "test" / "fixtures"

CLAUDE_ANSWER = (
    "Plants turn light, water and carbon dioxide into sugar and oxygen.\n"
    "Contact me at jane.doe@example.com or +1 415 555 0100.\n"
    "The diagram shows where it happens: CO_2 goes in."
)
SITES = {
    "chatgpt": {
        "url": "https://chatgpt.com/c/e2e-chat-1",
        "answer_css": '[data-message-id="bbb2-asst-2"]',  # the answer's second block
        "conversation_id": "e2e-chat-1",
        "message_id": "bbb2-asst",
        "model_name": "gpt-5-2",
        "prompt": "What is the capital of Australia?",
        "answer": "The capital of Australia is Canberra.\nMany people think it is Sydney.",
        "span": "Sydney",
    },
    "claude": {
        "url": "https://claude.ai/chat/4f1c2a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6",
        "answer_css": ".font-claude-response",
        "conversation_id": "4f1c2a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6",
        "message_id": None,
        "model_name": None,
        "prompt": "Explain photosynthesis in one sentence.",
        "answer": CLAUDE_ANSWER,
        "span": "carbon dioxide",
    },
    "gemini": {
        "url": "https://gemini.google.com/u/1/app/9f8e7d6c5b4a3921",  # a second Google account
        "answer_css": "message-content.model-response-text",
        "conversation_id": "9f8e7d6c5b4a3921",
        "message_id": "r_1a2b3c4d5e",
        "model_name": None,
        "prompt": "How many legs does a spider have?",
        "answer": "A spider has eight legs.\nInsects have six.\nSpiders are arachnids.",
        "span": "eight legs",
    },
    "generic": {
        "url": "https://example.org/chat",
        "answer_css": "#answer",
        "conversation_id": None,
        "message_id": None,
        "model_name": None,
        "prompt": "Why is the sky blue?",
        "answer": "Sunlight scatters off air molecules, and blue light scatters the most.",
        "span": "blue light",
    },
}


def rate_selection(browser, page, spec: dict):
    """The generic fallback: select the answer on the page, open the popup over that tab and
    rate the selection there. Returns (popup page, panel)."""
    select_text(page, spec["answer_css"], spec["answer"])
    tab = worker(browser).evaluate(
        "chrome.tabs.query({url: 'https://example.org/*'}).then((t) => t[0].id)"
    )
    popup = extension_page(browser, f"popup/popup.html?tab={tab}")
    popup.get_by_role("button", name="Rate selected text on this page").click()
    panel = popup.locator("liftledger-panel")
    panel.locator('textarea[name="prompt"]').fill(spec["prompt"])
    return popup, panel


def open_panel(page, rating: int, index: int = 0):
    """Open the feedback panel on an answer the way a user does on a chat site."""
    bar = page.locator("liftledger-bar").nth(index)
    bar.locator(f'button[data-rating="{rating}"]').click()
    return page.locator("liftledger-panel")


def tag_span(page, panel, spec: dict, tag: str, index: int = 0) -> None:
    """Select words in the answer and tag them in the panel."""
    select_text(page, spec["answer_css"], spec["span"], index)
    expect(panel.locator('[data-role="selection"]')).to_contain_text(spec["span"])
    panel.locator('select[name="span-tag"]').select_option(tag)
    panel.get_by_role("button", name="Tag selection").click()


def send(panel) -> None:
    panel.get_by_role("button", name="Send").click()
    expect(panel.locator(".status")).to_contain_text("Queued")


@pytest.mark.parametrize("site", list(SITES))
def test_rate_tag_span_and_correct_reach_the_server(browser, server, site):
    spec = SITES[site]
    paste_token(browser, server)
    page = browser.new_page()
    page.goto(spec["url"])
    if site == "generic":
        expect(page.locator("liftledger-bar")).to_have_count(0)
        view, panel = rate_selection(browser, page, spec)
        panel.locator('button[name="rate"][value="-1"]').click()
    else:
        view, panel = page, open_panel(page, rating=-1)
    panel.locator('input[name="tag"][value="unhelpful"]').check()
    tag_span(
        view,
        panel,
        {**spec, "answer_css": "#answer"} if site == "generic" else spec,
        "factually_wrong",
    )
    panel.locator('textarea[name="comment"]').fill(f"{site}: not quite")
    panel.get_by_text("Suggest a correction").click()
    corrected = f"A better answer for {site}."
    panel.locator('textarea[name="correction"]').fill(corrected)
    send(panel)
    rows = wait_rows(
        server, 1, lambda r: r["site"] == site and r["prompt"] == spec["prompt"], context=browser
    )
    assert len(rows) == 1, rows
    row = rows[0]
    start = spec["answer"].index(spec["span"])
    expected = {
        **{k: spec[k] for k in ("conversation_id", "message_id", "model_name", "prompt", "answer")},
        "site": site,
        "kind": "correction",
        "rating": -1,
        "tags": ["unhelpful"],
        "spans": [{"start": start, "end": start + len(spec["span"]), "tag": "factually_wrong"}],
        "comment": f"{site}: not quite",
        "corrected_text": corrected,
        "choice": None,
    }
    assert {k: row[k] for k in expected} == expected
    page.close()


def test_span_offsets_are_code_points_with_emoji_and_combining_marks(browser, server):
    """The span of 'game' after an emoji (two UTF-16 units) and a combining accent is counted
    in code points, as Python indexes the stored answer."""
    paste_token(browser, server)
    page = browser.new_page()
    page.goto("https://chatgpt.com/c/e2e-offsets")
    panel = open_panel(page, rating=1, index=1)
    tag_span(
        page, panel, {"answer_css": '[data-message-id="ddd4-asst"]', "span": "game"}, "well_written"
    )
    send(panel)
    row = wait_rows(server, 1, lambda r: r["conversation_id"] == "e2e-offsets", context=browser)[0]
    assert row["answer"].startswith("Yes 🙂, seven is prime, as in the cafe\u0301 game.")
    assert "python" not in row["answer"] and row["answer"].count("mc^2") == 1
    span = row["spans"][0]
    assert row["answer"][span["start"] : span["end"]] == "game"
    assert span["start"] == row["answer"].index("game")  # Python indexes code points
    page.close()


def test_chatgpt_multi_block_streaming_regeneration_ab_and_navigation(browser, server):
    paste_token(browser, server)
    page = browser.new_page()
    page.goto("https://chatgpt.com/c/e2e-chat-2")
    bars = page.locator("liftledger-bar")
    expect(bars).to_have_count(3)  # the Deep Research report gets none
    # Two blocks stream around a "Thought for" button: no bar until the whole turn is done.
    page.evaluate(
        "window.done = fixture.ask('Count to five.', [['one','two'], ['three','four','five']],"
        " 'stream-1')"
    )
    page.wait_for_selector('[data-message-id="stream-1-2"]', state="attached")
    assert bars.count() == 3
    expect(bars).to_have_count(4, timeout=10000)
    panel = open_panel(page, rating=1, index=3)
    expect(panel.locator("fieldset.ab")).to_have_count(0)  # never A/B between two blocks
    send(panel)
    row = wait_rows(server, 1, lambda r: r["prompt"] == "Count to five.", context=browser)[0]
    assert (row["answer"], row["message_id"]) == ("one two\nthree four five", "stream-1")
    # Regenerate the first answer: the earlier text becomes the other side of an A/B choice.
    page.evaluate("fixture.regenerate(2, ['Canberra', 'is', 'the', 'capital.'], 'bbb2-regen')")
    page.wait_for_timeout(1500)
    panel = open_panel(page, rating=1)
    expect(panel.locator("fieldset.ab")).to_contain_text("Many people think it is Sydney.")
    panel.locator('input[name="choice"][value="a"]').check()
    send(panel)
    pair = wait_rows(server, 1, lambda r: r["kind"] == "pairwise")[0]
    assert pair["answer"] == "Canberra is the capital."
    assert pair["message_id"] == "bbb2-regen"
    assert (pair["choice"], pair["rating"]) == ("a", 1)
    other = pair["other_answer"]
    other_text = other["text"] if isinstance(other, dict) else other
    assert other_text == SITES["chatgpt"]["answer"]
    # Single-page navigation to another conversation.
    page.evaluate("fixture.navigate('e2e-nav-9', 'Is water wet?', 'Water makes things wet.')")
    expect(bars).to_have_count(1, timeout=10000)
    send(open_panel(page, rating=1))
    row = wait_rows(server, 1, lambda r: r["conversation_id"] == "e2e-nav-9")[0]
    assert (row["prompt"], row["answer"], row["rating"]) == (
        "Is water wet?",
        "Water makes things wet.",
        1,
    )
    page.close()


def test_gemini_thinking_streams_before_the_answer_under_u1(browser, server):
    paste_token(browser, server)
    page = browser.new_page()
    page.goto("https://gemini.google.com/u/1/app/9f8e7d6c5b4a3921")
    bars = page.locator("liftledger-bar")
    expect(bars).to_have_count(2)
    assert page.locator("model-thoughts liftledger-bar").count() == 0
    page.evaluate("window.done = fixture.ask('Name a colour.', ['Blue', 'is', 'one.'], 'cc33')")
    expect(bars).to_have_count(3, timeout=10000)
    assert page.locator("model-thoughts liftledger-bar").count() == 0
    send(open_panel(page, rating=1, index=2))
    row = wait_rows(server, 1, lambda r: r["prompt"] == "Name a colour.", context=browser)[0]
    assert (row["answer"], row["message_id"], row["conversation_id"]) == (
        "Blue is one.",
        "r_cc33",
        "9f8e7d6c5b4a3921",
    )
    page.close()


VARIANTS = {
    # page: (url, bars, last answer's text, its message id)
    "chatgpt-div-turns": (
        "https://chatgpt.com/share/e2e-div-turns",
        2,
        "A basil plant in a clay pot on a windowsill.\nIts leaves are drawn larger than life.",
        "d4-asst",
    ),
    "claude-thinking": (
        "https://claude.ai/chat/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
        1,
        "No: 91 is 7 times 13.\nIt only looks prime because it is odd and not a multiple of 3."
        "\nprint(91 % 7)",
        None,
    ),
    "claude-bare": (
        "https://claude.ai/chat/7e6d5c4b-3a29-1807-f6e5-d4c3b2a19080",
        2,
        "The Danube again: it splits Buda from Pest.",
        None,
    ),
    "gemini-research": (
        "https://gemini.google.com/u/2/app/c0a1b2c3d4e5f607",
        2,
        "How ants find food\nAnts follow scent trails laid by their nestmates.",
        None,
    ),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_variant_pages_get_one_bar_per_answer_and_send_the_answer_alone(browser, server, name):
    """The variant fixtures in Chromium, where styles are computed: one bar per answer, none in
    a thinking or tool block, and the rated answer arrives without them."""
    url, count, answer, message_id = VARIANTS[name]
    html = (FIXTURES / f"{name}.html").read_text()
    paste_token(browser, server)
    page = browser.new_page()
    page.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page.goto(url)
    bars = page.locator("liftledger-bar")
    expect(bars).to_have_count(count)
    assert (
        page.locator(
            ".row-start-1 liftledger-bar, [data-message-author-role=tool] liftledger-bar"
        ).count()
        == 0
    )
    send(open_panel(page, rating=1, index=count - 1))
    row = wait_rows(server, 1, lambda r: r["answer"] == answer, context=browser)[0]
    assert (row["message_id"], row["rating"]) == (message_id, 1)
    page.close()


def test_redaction_option_and_popup(browser, server):
    address = paste_token(browser, server)
    options = extension_page(browser, "options/options.html")
    expect(options.locator("#server")).to_have_value(server.url)
    options.locator("#redact").check()
    options.get_by_role("button", name="Save").click()
    expect(options.locator("#status")).to_have_text("Saved.")
    spec = SITES["claude"]
    page = browser.new_page()
    page.goto(spec["url"])
    panel = open_panel(page, rating=1)
    tag_span(page, panel, {**spec, "span": "oxygen"}, "well_written")
    send(panel)
    row = wait_rows(server, 1, lambda r: "[email]" in r["answer"])[0]
    assert row["answer"] == CLAUDE_ANSWER.replace("jane.doe@example.com", "[email]").replace(
        "+1 415 555 0100", "[phone]"
    )
    span = row["spans"][0]
    assert row["answer"][span["start"] : span["end"]] == "oxygen"
    options.locator("#redact").uncheck()
    options.get_by_role("button", name="Save").click()
    expect(options.locator("#status")).to_have_text("Saved.")

    popup = extension_page(browser, "popup/popup.html")
    expect(popup.locator("#wallet")).to_have_text(address)
    expect(popup.locator("#earnings")).to_have_text("—")
    expect(popup.locator("#pending")).to_have_text("0")
    assert int(popup.locator("#sent").inner_text()) >= 1
    page.close()


def test_offline_queue_survives_server_and_worker_restart(browser, server):
    paste_token(browser, server)
    page = browser.new_page()
    page.goto("https://chatgpt.com/c/e2e-offline")
    expect(page.locator("liftledger-bar")).to_have_count(3)
    server.stop()
    answers = []
    for n in range(3):
        words = ["offline", "answer", f"number-{n}"]
        answers.append(" ".join(words))
        page.evaluate(f"fixture.ask('Offline question {n}?', {words!r}, 'offline-{n}')")
        expect(page.locator("liftledger-bar")).to_have_count(4 + n, timeout=10000)
        send(open_panel(page, rating=1, index=3 + n))
    sw = worker(browser)
    sw.evaluate("new Promise((r) => setTimeout(r, 500))")
    assert sw.evaluate("chrome.storage.local.get('queue').then((s) => s.queue.length)") == 3
    assert sw.evaluate("chrome.action.getBadgeText({})") == "3"
    # Stop the worker: the queue lives in chrome.storage and the alarm wakes a new one.
    stop_worker(browser, page)
    server.start()
    rows = wait_rows(server, 3, lambda r: r["answer"] in answers, timeout=75, context=browser)
    assert sorted(r["answer"] for r in rows) == sorted(answers)
    page.wait_for_timeout(2000)
    again = [r for r in server.feedback_rows() if r["answer"] in answers]
    assert len(again) == 3, "each queued item is stored exactly once"
    queue = worker(browser).evaluate("chrome.storage.local.get('queue')")
    assert queue["queue"] == []
    page.close()


def test_dashboard_links_the_extension(browser, server):
    """A page on the configured server's origin hands the device token over."""
    address = link(browser, server)
    stored = worker(browser).evaluate("chrome.storage.local.get(['settings', 'auth'])")
    assert stored["settings"]["serverUrl"] == server.url
    assert stored["auth"]["token"] == server.device_token()[1]
    assert address == server.device_token()[0]


def test_only_the_configured_origin_links_and_it_cannot_move_the_server(browser, server):
    set_server(browser, server.url).close()
    _, token = server.device_token()
    # Another local web app (another port) is refused and changes nothing.
    other = server.url.rsplit(":", 1)[0] + ":1"
    assert link_from(browser, other, "lld_dev_stolen").startswith("failed")
    stored = worker(browser).evaluate("chrome.storage.local.get(['settings', 'auth'])")
    assert stored["settings"]["serverUrl"] == server.url
    assert stored.get("auth", {}).get("token") != "lld_dev_stolen"
    # The configured origin links, and a server_url in the message is ignored.
    assert link_from(browser, server.url, token) == "linked"
    settings = worker(browser).evaluate("chrome.storage.local.get('settings')")["settings"]
    assert settings["serverUrl"] == server.url
    # Moving the server asks first, and the old server's token is forgotten.
    options = extension_page(browser, "options/options.html")
    options.wait_for_function("document.querySelector('#linked').textContent !== ''")
    options.locator("#server").fill("http://127.0.0.1:9")
    options.get_by_role("button", name="Save").click()
    expect(options.locator("#confirm-text")).to_contain_text("http://127.0.0.1:9")
    options.get_by_role("button", name="Keep the current server").click()
    expect(options.locator("#server")).to_have_value(server.url)
    options.close()
    page = set_server(browser, "http://127.0.0.1:9")
    expect(page.locator("#linked")).to_have_text("Not linked yet.")
    page.close()


def test_content_scripts_cannot_read_the_token(browser, server):
    paste_token(browser, server)
    page = browser.new_page()
    page.goto(SITES["claude"]["url"])
    expect(page.locator("liftledger-bar")).to_have_count(1)
    ext = browser.extension_id
    assert content_world_eval(page, "chrome.runtime.id", ext) == ext  # the content world itself
    verdict = content_world_eval(
        page,
        "chrome.storage.local.get(['auth', 'settings']).then((v) => 'read ' + JSON.stringify(v),"
        " (e) => 'denied: ' + e.message)",
        ext,
    )
    assert verdict.startswith("denied"), verdict
    page.close()


def test_a_changed_page_pauses_ratings_and_reports_anonymously(browser, server):
    paste_token(browser, server)
    page = browser.new_page()
    page.goto("https://gemini.google.com/app/5a5a5a5a5a5a5a5a")
    expect(page.locator("liftledger-bar")).to_have_count(2)
    # The site renames its answer element: every prompt is left without an answer.
    page.evaluate(
        "for (const el of document.querySelectorAll('model-response'))"
        " el.replaceWith(document.createElement('model-reply'))"
    )
    # The tab's badge turns to "!" (the worker cannot see tab URLs: no "tabs" permission).
    tab = worker(browser).evaluate(
        """() => new Promise((ok) => {
          const t = setInterval(async () => {
            for (const tab of await chrome.tabs.query({})) {
              if ((await chrome.action.getBadgeText({ tabId: tab.id })) === '!') {
                clearInterval(t);
                ok(tab.id);
              }
            }
          }, 250);
        })"""
    )
    popup = extension_page(browser, f"popup/popup.html?tab={tab}")
    expect(popup.locator("#health")).to_have_text("This page changed; ratings paused.")
    events = adapter_health_events(server)
    assert events == [
        {
            "site": "gemini",
            "adapter_version": "2026.07",
            "selector": "message-content, .query-text",
            "problem": "prompt-without-answer",
        }
    ]
    page.close()


def test_stable_extension_id_keyboard_use_and_site_switch(browser, server):
    """The manifest key pins the id the dashboard links to; the buttons and panel work from
    the keyboard; switching a site off in the popup removes the buttons there."""
    assert browser.extension_id == "gaofgbibfdabmpgkblfjajgbokbgbdgg"
    paste_token(browser, server)
    page = browser.new_page()
    page.goto(SITES["gemini"]["url"])
    good = page.locator('liftledger-bar button[data-rating="1"]').first
    good.focus()
    page.keyboard.press("Enter")
    panel = page.locator("liftledger-panel")
    expect(panel.locator('button[name="rate"][aria-pressed="true"]')).to_be_focused()
    page.keyboard.press("Tab")
    expect(panel.locator('button[name="rate"][value="-1"]')).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(good).to_be_focused()

    popup = extension_page(browser, "popup/popup.html")
    popup.locator('#sites input[name="gemini"]').uncheck()
    expect(page.locator("liftledger-bar")).to_have_count(0)
    popup.locator('#sites input[name="gemini"]').check()
    expect(page.locator("liftledger-bar")).to_have_count(2)
    popup.close()
    # The legacy ChatGPT host matches the manifest too; other pages get no content script.
    page.goto("https://chat.openai.com/c/legacy-1")
    expect(page.locator("liftledger-bar")).to_have_count(3)
    page.goto(SITES["generic"]["url"])
    page.wait_for_timeout(500)
    assert page.evaluate("!!document.querySelector('liftledger-bar, liftledger-select')") is False
    page.close()
