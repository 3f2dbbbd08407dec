"""The admin rounds page in a real Chromium: an admin wallet starts a round and watches it
run on the real RQ worker until it finishes."""

import pytest
from playwright.sync_api import expect

from server.auth.models import User
from server.extensions import db
from tests.server.dashboard.wallet import TestWallet

pytestmark = pytest.mark.slow


def test_admin_starts_a_round_and_sees_it_finish(plain_server, redis_url, open_page, screenshots):
    wallet = TestWallet()
    app = plain_server.seeding_app(redis_url)
    runner = app.test_cli_runner()
    seeded = runner.invoke(args=["demo", "seed", "--contributors", "2", "--hh", "30", "--qa", "0"])
    assert seeded.exit_code == 0, seeded.output
    assert runner.invoke(args=["users", "set-role", wallet.address, "admin"]).exit_code == 0

    page = open_page(wallet)
    page.goto(plain_server.url + "/admin/rounds")
    page.get_by_role("button", name="Sign in with wallet").click()
    expect(page.locator("#signed-in")).to_be_visible()
    page.fill("input[name=backbone]", "tiny")
    page.get_by_role("button", name="Snapshot and train").click()
    expect(page.locator("#start-status")).to_contain_text("queued")
    expect(page.locator("#rounds tr").first).to_have_attribute("data-status", "queued")

    assert runner.invoke(args=["worker", "--burst", "--no-fork"]).exit_code == 0
    expect(page.locator("#rounds tr").first).to_have_attribute(
        "data-status", "finished", timeout=15_000
    )
    page.screenshot(path=str(screenshots / "admin-rounds.png"), full_page=True)
    assert not page.js_errors
    with app.app_context():
        assert (
            db.session.execute(db.select(User.role).filter_by(address=wallet.address)).scalar_one()
            == "admin"
        )


def test_a_contributor_cannot_start_rounds(plain_server, open_page):
    page = open_page(TestWallet())
    page.goto(plain_server.url + "/admin/rounds")
    page.get_by_role("button", name="Sign in with wallet").click()
    page.get_by_role("button", name="Snapshot and train").click()
    expect(page.locator("#start-status")).to_contain_text("scope")
