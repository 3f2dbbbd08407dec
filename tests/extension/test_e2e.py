"""End to end: the real extension in a real Chromium, fixture pages under each site's real
URL (so the manifest's match patterns apply), and a real server on loopback."""

import pytest
from tests.extension.helpers import extension_page, link, select_text, wait_rows, worker
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

SITES = {
    "chatgpt": {
        "url": "https://chatgpt.com/c/e2e-chat-1",
        "answer_css": '[data-message-author-role="assistant"]',
        "conversation_id": "e2e-chat-1",
        "message_id": "bbb2-asst",
        "model_name": "gpt-4o",
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
        "answer": "Plants turn light, water and carbon dioxide into sugar and oxygen.\n"
        "Contact me at jane.doe@example.com or +1 415 555 0100.",
        "span": "carbon dioxide",
    },
    "gemini": {
        "url": "https://gemini.google.com/app/9f8e7d6c5b4a3921",
        "answer_css": "message-content",
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


def open_panel(page, site: str, spec: dict, rating: int, index: int = 0):
    """Open the feedback panel on an answer the way a user does on that site."""
    if site == "generic":
        select_text(page, spec["answer_css"], spec["answer"])
        page.get_by_role("button", name="Rate selection (Liftledger)").click()
        panel = page.locator("liftledger-panel")
        panel.locator('textarea[name="prompt"]').fill(spec["prompt"])
        panel.locator(f'button[name="rate"][value="{rating}"]').click()
        return panel
    bar = page.locator("liftledger-bar").nth(index)
    bar.locator(f'button[data-rating="{rating}"]').click()
    return page.locator("liftledger-panel")


def tag_span(page, panel, spec: dict, tag: str, index: int = 0) -> None:
    """Select words in the answer and tag them in the panel."""
    select_text(page, spec["answer_css"], spec["span"], index)
    expect(panel.locator('[data-role="selection"]')).to_contain_text(spec["span"])
    panel.locator('select[name="span-tag"]').select_option(tag)
    panel.get_by_role("button", name="Tag selection").click()


def send(panel, queued: int) -> None:
    panel.get_by_role("button", name="Send").click()
    expect(panel.locator(".status")).to_contain_text(f"Queued {queued} item(s)")


@pytest.mark.parametrize("site", list(SITES))
def test_rate_tag_span_and_correct_reach_the_server(browser, server, site):
    spec = SITES[site]
    link(browser, server)
    page = browser.new_page()
    page.goto(spec["url"])
    panel = open_panel(page, site, spec, rating=-1)
    panel.locator('input[name="tag"][value="unhelpful"]').check()
    tag_span(page, panel, spec, "factually_wrong")
    panel.locator('textarea[name="comment"]').fill(f"{site}: not quite")
    panel.get_by_text("Suggest a correction").click()
    corrected = f"A better answer for {site}."
    panel.locator('textarea[name="correction"]').fill(corrected)
    send(panel, 2)

    rows = wait_rows(server, 2, lambda r: r["site"] == site and r["prompt"] == spec["prompt"])
    by_kind = {r["kind"]: r for r in rows}
    common = {k: spec[k] for k in ("conversation_id", "message_id", "model_name", "prompt", "answer")}
    start = spec["answer"].index(spec["span"])
    rating = by_kind["rating"]
    assert {k: rating[k] for k in common} == common
    assert rating["rating"] == -1
    assert rating["tags"] == ["unhelpful"]
    assert rating["spans"] == [
        {"start": start, "end": start + len(spec["span"]), "tag": "factually_wrong"}
    ]
    assert rating["comment"] == f"{site}: not quite"
    correction = by_kind["correction"]
    assert {k: correction[k] for k in common} == common
    assert correction["corrected_text"] == corrected
    assert len(rows) == 2, rows
    page.close()


def test_chatgpt_streaming_regeneration_ab_and_navigation(browser, server):
    link(browser, server)
    page = browser.new_page()
    page.goto("https://chatgpt.com/c/e2e-chat-2")
    bars = page.locator("liftledger-bar")
    expect(bars).to_have_count(3)
    # A streamed answer gets its buttons only once it is finished.
    page.evaluate("fixture.ask('Count to five.', ['one','two','three','four','five'], 'stream-1')")
    page.wait_for_timeout(150)
    assert bars.count() == 3
    expect(bars).to_have_count(4, timeout=10000)
    # Regenerate the first answer: the earlier text becomes the other side of an A/B choice.
    page.evaluate("fixture.regenerate(2, ['Canberra', 'is', 'the', 'capital.'], 'bbb2-regen')")
    page.wait_for_timeout(1500)
    panel = open_panel(page, "chatgpt", {}, rating=1)
    expect(panel.locator("fieldset.ab")).to_contain_text("Many people think it is Sydney.")
    panel.locator('input[name="choice"][value="a"]').check()
    send(panel, 2)
    pair = wait_rows(server, 1, lambda r: r["kind"] == "pairwise")[0]
    assert pair["answer"] == "Canberra is the capital."
    assert pair["message_id"] == "bbb2-regen"
    assert pair["choice"] == "a"
    other = pair["other_answer"]
    other_text = other["text"] if isinstance(other, dict) else other
    assert other_text == SITES["chatgpt"]["answer"]
    # Single-page navigation to another conversation.
    page.evaluate("fixture.navigate('e2e-nav-9', 'Is water wet?', 'Water makes things wet.')")
    expect(bars).to_have_count(1, timeout=10000)
    panel = open_panel(page, "chatgpt", {}, rating=1)
    send(panel, 1)
    row = wait_rows(server, 1, lambda r: r["conversation_id"] == "e2e-nav-9")[0]
    assert (row["prompt"], row["answer"], row["rating"]) == (
        "Is water wet?",
        "Water makes things wet.",
        1,
    )
    page.close()


def test_redaction_option_and_popup(browser, server):
    address = link(browser, server)
    options = extension_page(browser, "options/options.html")
    expect(options.locator("#server")).to_have_value(server.url)
    options.locator("#redact").check()
    options.get_by_role("button", name="Save").click()
    expect(options.locator("#status")).to_have_text("Saved.")
    spec = SITES["claude"]
    page = browser.new_page()
    page.goto(spec["url"])
    panel = open_panel(page, "claude", spec, rating=1)
    tag_span(page, panel, {**spec, "span": "oxygen"}, "well_written")
    send(panel, 1)
    row = wait_rows(server, 1, lambda r: "[email]" in r["answer"])[0]
    assert row["answer"] == (
        "Plants turn light, water and carbon dioxide into sugar and oxygen.\n"
        "Contact me at [email] or [phone]."
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
    link(browser, server)
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
        send(open_panel(page, "chatgpt", {}, rating=1, index=3 + n), 1)
    sw = worker(browser)
    sw.evaluate("new Promise((r) => setTimeout(r, 500))")
    assert sw.evaluate("chrome.storage.local.get('queue').then((s) => s.queue.length)") == 3
    assert sw.evaluate("chrome.action.getBadgeText({})") == "3"
    # Restart the worker (reload the extension): the queue lives in chrome.storage.
    try:
        sw.evaluate("chrome.runtime.reload()")
    except Exception:  # noqa: BLE001 - the worker goes away while answering
        pass
    page.wait_for_timeout(1000)
    server.start()
    rows = wait_rows(server, 3, lambda r: r["answer"] in answers, timeout=60)
    assert sorted(r["answer"] for r in rows) == sorted(answers)
    page.wait_for_timeout(2000)
    again = [r for r in server.feedback_rows() if r["answer"] in answers]
    assert len(again) == 3, "each queued item is stored exactly once"
    assert worker(browser).evaluate("chrome.storage.local.get('queue').then((s) => s.queue.length)") == 0
    page.close()
