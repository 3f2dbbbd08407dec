"""The calibrate card in a real Chromium against a real server: gold comparisons shown as A/B
choices, answers posted, and the accuracy with its interval, until the day's cap."""

import pytest
import requests
from playwright.sync_api import expect

from server.gold.models import GoldAnswer
from server.gold.pools import import_rows
from tests.server.dashboard.test_browser import session, sign_in
from tests.server.dashboard.wallet import TestWallet

pytestmark = pytest.mark.slow
ROWS = [
    {"prompt": f"Calibration {n}: which city is the capital of country {n}?",
     "chosen": f"City {n} is its capital.", "rejected": f"Town {n} is its capital."}
    for n in range(5)
]  # fmt: skip


def test_calibrate_card_shows_comparisons_and_accuracy(plain_server, redis_url, open_page):
    app = plain_server.seeding_app(redis_url)
    with app.app_context():
        from server.extensions import db
        from server.gold.models import GoldItem

        import_rows(ROWS, "calibrate-e2e")
        # Only this pool is offered (the server's setup may have imported the default one).
        db.session.execute(
            db.update(GoldItem).where(GoldItem.pool != "calibrate-e2e").values(active=False)
        )
        db.session.commit()
    wallet = TestWallet()
    page = open_page(wallet)
    sign_in(page, plain_server, wallet)
    card = page.locator("#calibrate")
    expect(card.locator("#calibrate-accuracy")).to_have_text("No calibration answers yet.")
    card.get_by_role("button", name="Show a comparison").click()
    shown = []
    for n in range(3):  # the default daily cap
        item = card.locator("#calibrate-item")
        expect(item).to_be_visible()
        prompt = item.locator("[data-field=prompt]").inner_text()
        shown.append(prompt)
        texts = {item.locator(f"[data-field={s}]").inner_text() for s in "ab"}
        row = next(r for r in ROWS if r["prompt"] == prompt)
        assert texts == {row["chosen"], row["rejected"]}
        card.get_by_role("button", name="A is better").click()
        expect(card.locator("#calibrate-accuracy")).to_contain_text(f"of {n + 1} right")
        if n < 2:  # the card then shows the next comparison (the last answer hits the cap)
            expect(item.locator("[data-field=prompt]")).not_to_have_text(prompt)
    expect(card.locator("#calibrate-status")).to_have_text(
        "No more comparisons today. Come back tomorrow."
    )
    expect(card.locator("#calibrate-item")).to_be_hidden()
    assert len(set(shown)) == 3
    headers = {"Authorization": f"Bearer {session(page)['access_token']}"}
    accuracy = requests.get(plain_server.url + "/api/v1/gold/accuracy", headers=headers).json()
    assert accuracy["answered"] == 3
    low, high = round(accuracy["low"] * 100), round(accuracy["high"] * 100)
    expect(card.locator("#calibrate-accuracy")).to_have_text(
        f"{accuracy['correct']} of 3 right ({round(accuracy['accuracy'] * 100)}%; "
        f"95% interval {low}%–{high}%)"
    )
    with app.app_context():
        from server.extensions import db

        answered = db.session.query(GoldAnswer).filter(GoldAnswer.choice == "a").count()
        assert answered == 3
    assert page.js_errors == []
