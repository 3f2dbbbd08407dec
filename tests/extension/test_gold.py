"""End to end: after a rating on a chat site the real extension shows the server's gold
comparison in its panel, and the answer reaches the server, also when the server was down
while the rater answered."""

import json
import subprocess
import sys
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.extension.helpers import extension_page, paste_token
from tests.extension.test_e2e import open_panel, send
from tests.live import ROOT, LiveServer

pytestmark = pytest.mark.slow
ROWS = [
    {"prompt": f"Gold e2e {n}: how many sides has a polygon of {n + 3} sides?",
     "chosen": f"It has {n + 3} sides.", "rejected": f"It has {n + 4} sides."}
    for n in range(4)
]  # fmt: skip


@pytest.fixture
def gold_server(tmp_path):
    """A live server that offers a gold comparison after every rating, with a small pool."""
    live = LiveServer(tmp_path / "server")
    live.env["GOLD_OFFER_RATE"] = "1"
    pool = tmp_path / "gold.jsonl"
    pool.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "gold", "import", str(pool)],
        cwd=ROOT, env=live.env, check=True, capture_output=True,
    )  # fmt: skip
    live.start()
    yield live
    live.stop()


def _accuracy(server, timeout: float = 30.0, answered: int = 1) -> dict:
    """The test wallet's gold accuracy, polled until `answered` answers arrived."""
    _, token = server.device_token()
    deadline = time.monotonic() + timeout
    while True:
        got = requests.get(
            server.url + "/api/v1/gold/accuracy", headers={"Authorization": f"Bearer {token}"}
        ).json()
        if got["answered"] >= answered or time.monotonic() > deadline:
            return got
        time.sleep(0.3)


def test_gold_offer_after_a_rating_and_the_answer_reaches_the_server(browser, gold_server):
    paste_token(browser, gold_server)
    page = browser.new_page()
    page.goto("https://chatgpt.com/c/e2e-gold")
    panel = open_panel(page, rating=1)
    send(panel)
    gold = panel.locator("fieldset.gold")
    expect(gold).to_be_visible()  # the same panel, now an A/B choice
    sides = [panel.locator("fieldset.side p").nth(n).inner_text() for n in (0, 1)]
    row = next(r for r in ROWS if r["chosen"] in sides)
    assert set(sides) == {row["chosen"], row["rejected"]}
    assert row["prompt"][:40] in panel.locator("section").inner_text()
    better = "a" if sides[0] == row["chosen"] else "b"
    panel.get_by_role("button", name="Send").click()
    expect(panel.locator(".status")).to_have_text("Choose A or B first.")
    panel.locator(f'input[name="choice"][value="{better}"]').check()
    send(panel)
    got = _accuracy(gold_server)
    assert (got["answered"], got["correct"]) == (1, 1)

    # The next rating's comparison is answered while the server is down: it waits, then lands.
    panel = open_panel(page, rating=-1)
    send(panel)
    expect(panel.locator("fieldset.gold")).to_be_visible()
    gold_server.stop()
    panel.locator('input[name="choice"][value="a"]').check()
    send(panel)
    gold_server.start()
    popup = extension_page(browser, "popup/popup.html")
    popup.get_by_role("button", name="Send now").click()  # as a user would, not waiting
    popup.close()
    assert _accuracy(gold_server, answered=2)["answered"] == 2
    page.close()
