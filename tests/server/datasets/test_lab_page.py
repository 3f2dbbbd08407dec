"""The lab page in a real Chromium against a real server: paste a key, see the lab's balance,
create a snapshot with filters, read its card, download it, see the charges, and see bad
input explained."""

import io
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import expect

from tests.browser import ARGS, require_chromium
from tests.factories import make_lab_key
from tests.live import LiveServer

pytestmark = pytest.mark.slow
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/liftledger-lab-shots"))
DEPOSIT = 1_000_000


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory, redis_url):
    """A live server holding real seeded feedback, and a lab key for it."""
    live = LiveServer(tmp_path_factory.mktemp("labs-server"), redis_url=redis_url)
    runner = live.seeding_app(redis_url).test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--contributors", "3", "--hh", "30", "--qa", "10"])
    assert result.exit_code == 0, result.output
    live.key = make_lab_key(runner, "Acme")["Authorization"].split()[1]
    credited = runner.invoke(args=["labs", "credit", "Acme", str(DEPOSIT)])
    assert credited.exit_code == 0, credited.output
    live.env["DATASET_PRICE_PER_ITEM"] = "3"  # what admins charge per row
    live.start()
    yield live
    live.stop()


@pytest.fixture
def page(lab_server):
    """A fresh Chromium page on the lab page; JavaScript errors are collected."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=require_chromium(), headless=True, args=ARGS)
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.js_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        page.goto(lab_server.url + "/labs")
        yield page
        context.close()
        browser.close()


def _use_key(page, key: str) -> None:
    """Paste the key and wait for the page to load the snapshots."""
    page.fill("#key", key)
    page.get_by_role("button", name="Use key").click()
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")


def test_create_read_card_and_download(page, lab_server, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    _use_key(page, lab_server.key)
    expect(page.locator("#keyed")).to_be_visible()
    expect(page.locator("#empty")).to_be_visible()
    expect(page.locator("#lab-name")).to_have_text("· Acme")
    expect(page.locator("#balance")).to_have_text(str(DEPOSIT))
    expect(page.locator("#no-charges")).to_be_visible()
    assert page.locator("input[name=price]").count() == 0  # prices are not the lab's to set
    page.fill("#name", "harmless")
    page.check("input[name=kinds][value=pairwise]")
    page.check("input[name=licences][value='cc-by-4.0']")
    page.get_by_role("button", name="Create snapshot").click()
    expect(page.locator("#status")).to_contain_text("Created harmless v1")
    expect(page.locator("#datasets tbody tr")).to_have_count(1)
    card = page.locator("#card")
    expect(card).to_contain_text('pretty_name: "harmless v1"')
    expect(card).to_contain_text('"kinds": [')
    with page.expect_download() as info:
        page.get_by_role("button", name="Download Parquet").click()
    download = info.value
    assert download.suggested_filename == "harmless-v1.parquet"
    path = tmp_path / "harmless.parquet"
    download.save_as(path)
    table = pq.read_table(io.BytesIO(path.read_bytes()))
    assert table.num_rows > 0 and set(table.column("source").to_pylist()) == {"pairwise"}
    rows = page.locator("#datasets tbody tr td")
    assert rows.nth(3).inner_text() == str(table.num_rows)
    price = 3 * table.num_rows
    assert rows.nth(6).inner_text() == str(price)
    expect(page.locator("#charges tbody tr")).to_have_count(1)
    expect(page.locator("#charges tbody tr td").nth(3)).to_have_text(str(price))
    expect(page.locator("#balance")).to_have_text(str(DEPOSIT - price))
    with page.expect_download() as info:
        page.get_by_role("button", name="Download JSONL").click()
    lines = Path(info.value.path()).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["item_hash"] for line in lines] == table.column(
        "item_hash"
    ).to_pylist()
    expect(page.locator("#charges tbody tr")).to_have_count(2)
    expect(page.locator("#charged")).to_have_text(str(2 * price))
    page.screenshot(path=str(SHOTS / "lab-page.png"), full_page=True)
    assert page.js_errors == []


def test_bad_input_and_bad_keys_are_explained(page, lab_server):
    _use_key(page, "lld_lab_not-a-real-key")
    expect(page.locator("#status")).to_contain_text("invalid or revoked")
    expect(page.locator("#keyed")).to_be_hidden()
    _use_key(page, lab_server.key)
    page.fill("#name", "nothing")
    page.fill("input[name=min_margin]", "9")
    page.get_by_role("button", name="Create snapshot").click()
    expect(page.locator("#status")).to_have_class("status error")
    expect(page.locator("#status")).to_contain_text("No preferences match")
    page.fill("input[name=min_margin]", "")
    page.fill("input[name=min_reliability]", "")
    page.fill("input[name=created_from]", "2030-01-02")
    page.fill("input[name=created_to]", "2030-01-01")
    page.get_by_role("button", name="Create snapshot").click()
    expect(page.locator("#status")).to_contain_text("must be after created_from")
    assert page.js_errors == []
