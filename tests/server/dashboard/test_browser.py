"""The dashboard in a real Chromium against a real server: sign in with a wallet, link the
extension, see a round's earnings and lift, claim on a py-evm chain or copy the voucher."""

import json

import pytest
import requests
from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector
from playwright.sync_api import expect

from server.rewards.vouchers import Voucher, recover_voucher_signer
from tests.server.dashboard.seed import MY_LIFTS, seed_round
from tests.server.dashboard.wallet import TestWallet

pytestmark = pytest.mark.slow
CLAIM = "claimWithVoucher(address,uint256,uint256,uint256,uint256,bytes)"


def sign_in(page, live, wallet: TestWallet) -> None:
    """Sign in from the landing page; lands on the dashboard."""
    page.goto(live.url + "/")
    page.get_by_role("button", name="Sign in with wallet").click()
    page.wait_for_url(live.url + "/dashboard*")  # ?ext=<extension id> may follow
    expect(page.locator("#who-address")).to_have_attribute("title", wallet.address)
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")


def tokens(units: int, decimals: int = 18) -> str:
    """How the pages print an amount: whole tokens with separators, at most 6 decimals once
    the amount reaches one token, trailing zeros trimmed (e.g. 1234500000000000000000 ->
    "1,234.5")."""
    whole, frac = divmod(units, 10**decimals)
    digits = f"{frac:0{decimals}d}"
    digits = (digits[:6] if whole else digits).rstrip("0")
    return f"{whole:,}" + (f".{digits}" if digits else "")


def expect_amount(locator, units: int) -> None:
    """The element shows ``units`` as tokens and carries the exact base units."""
    expect(locator).to_have_text(tokens(units))
    expect(locator).to_have_attribute("data-units", str(units))


def session(page) -> dict:
    """The tokens the page keeps in sessionStorage."""
    return json.loads(page.evaluate("sessionStorage.getItem('liftledger.session')"))


def test_sign_in_link_by_paste_and_refresh(plain_server, open_page, screenshots):
    wallet = TestWallet()
    page = open_page(wallet)
    page.goto(plain_server.url + "/")
    page.screenshot(path=screenshots / "landing.png", full_page=True)
    sign_in(page, plain_server, wallet)
    assert [m for m, _ in wallet.calls] == ["eth_requestAccounts", "personal_sign"]
    first = session(page)
    access = first["access_token"]
    me = requests.get(
        plain_server.url + "/api/v1/me", headers={"Authorization": f"Bearer {access}"}
    )
    assert me.json()["address"] == wallet.address
    expect(page.locator("#rounds-empty")).to_be_visible()
    expect(page.locator("#claims-empty")).to_be_visible()
    expect(page.locator("#claimable")).to_have_text("0")
    expect(page.locator("#claim")).to_be_disabled()

    # No extension in this browser: the token is shown to paste, and it works.
    page.get_by_role("button", name="Link the extension").click()
    token = page.locator("#device-token [data-field=token]")
    expect(token).to_contain_text("lld_dev_")
    expect(page.locator("#device-token [data-field=server]")).to_have_text(plain_server.url)
    headers = {"Authorization": f"Bearer {token.inner_text()}"}
    assert requests.get(plain_server.url + "/api/v1/me", headers=headers).json()["address"] == (
        wallet.address
    )
    page.screenshot(path=screenshots / "dashboard-empty.png", full_page=True)

    # An expired access token is refreshed transparently on the next load.
    page.evaluate(
        """() => {
          const s = JSON.parse(sessionStorage.getItem('liftledger.session'));
          s.access_token = 'expired';
          sessionStorage.setItem('liftledger.session', JSON.stringify(s));
        }"""
    )
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    expect(page.locator("#signed-in")).to_be_visible()
    # The refresh token was rotated (an access JWT minted in the same second may be equal).
    assert session(page)["access_token"] != "expired"
    assert session(page)["refresh_token"] != first["refresh_token"]

    # Signing out forgets the tokens here and revokes the refresh token on the server.
    refresh_token = session(page)["refresh_token"]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(plain_server.url + "/")
    assert page.evaluate("sessionStorage.getItem('liftledger.session')") is None
    res = requests.post(
        plain_server.url + "/api/v1/auth/refresh", json={"refresh_token": refresh_token}
    )
    assert res.status_code == 401
    assert page.js_errors == []


def test_unknown_round_and_signed_out_pages_stay_whole(plain_server, open_page):
    wallet = TestWallet()
    page = open_page(wallet)
    page.goto(plain_server.url + "/dashboard/rounds/4242")
    expect(page.locator("#signed-out")).to_be_visible()
    wallet.reject = {"personal_sign"}
    page.get_by_role("button", name="Sign in with wallet").click()
    expect(page.locator("#sign-in-status")).to_have_text(
        "Sign-in failed: User rejected the request."
    )
    expect(page.locator("#who")).to_be_hidden()
    wallet.reject = set()
    page.get_by_role("button", name="Sign in with wallet").click()
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    expect(page.locator("[data-field=credited]")).to_have_text("—")
    expect(page.locator("[data-field=status]")).to_have_text("—")
    expect(page.locator("#contributions-empty")).to_be_visible()
    expect(page.locator("#distribution")).to_contain_text("No lift distribution")
    amounts = ["0", "1000000000", "1234500000000000000000", str(2**256 - 1)]
    shown = page.evaluate(
        """async (values) => {
          const { formatAmount } = await import('/dashboard/static/js/common.js');
          return values.map(formatAmount);
        }""",
        amounts,
    )
    assert shown == [tokens(int(v)) for v in amounts]
    assert shown[1:3] == ["0.000000001", "1,234.5"]
    assert page.js_errors == []


def test_claim_without_chain_shows_voucher(plain_server, redis_url, open_page, screenshots):
    wallet = TestWallet()
    page = open_page(wallet)
    sign_in(page, plain_server, wallet)
    seeded = seed_round(plain_server.seeding_app(redis_url), wallet.address)
    page.reload()
    expect_amount(page.locator("#claimable"), seeded.credited)
    page.get_by_role("button", name="Claim").click()
    expect(page.locator("#claim-status")).to_contain_text("Voucher issued")
    voucher = json.loads(page.locator("#voucher textarea").input_value())
    assert voucher["message"]["claimant"] == wallet.address
    assert voucher["message"]["cumulativeAmount"] == str(seeded.credited)
    message = {k: int(v) if k != "claimant" else v for k, v in voucher["message"].items()}
    signed = Voucher(
        message["claimant"],
        message["cumulativeAmount"],
        message["round"],
        message["nonce"],
        message["deadline"],
    )
    assert recover_voucher_signer(voucher["domain"], signed, voucher["signature"]) == (
        plain_server.signer
    )
    assert "eth_sendTransaction" not in [m for m, _ in wallet.calls]
    expect(page.locator("#claims tbody tr")).to_have_count(1)
    expect(page.locator("#claims tbody tr").first).to_have_attribute("data-status", "issued")
    expect(page.locator("#claimable")).to_have_text("0")
    page.screenshot(path=screenshots / "dashboard-voucher.png", full_page=True)
    assert page.js_errors == []


def test_round_earnings_and_claim_on_chain(chain_server, redis_url, open_page, screenshots):
    live, chain = chain_server
    wallet = TestWallet(chain_id=chain.w3.eth.chain_id, chain=chain)
    chain.fund(wallet.address)
    page = open_page(wallet)
    sign_in(page, live, wallet)
    seeded = seed_round(live.seeding_app(redis_url), wallet.address)
    page.reload()

    row = page.locator("#rounds tbody tr")
    expect(row).to_have_count(1)
    expect_amount(row.locator("td").nth(5), seeded.credited)
    expect_amount(page.locator("#total-credited"), seeded.credited)
    expect(page.locator("#lift-chart rect.bar.up")).to_have_count(1)
    page.screenshot(path=screenshots / "dashboard-earnings.png", full_page=True)

    row.get_by_role("link").click()
    page.wait_for_url(f"{live.url}/dashboard/rounds/{seeded.round_id}")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    expect_amount(page.locator("[data-field=credited]"), seeded.credited)
    expect(page.locator("[data-field=status]")).to_have_text("finished")
    expect(page.locator("#contributions li")).to_have_count(len(MY_LIFTS))
    expect(page.locator("#contributions li .explanation").first).to_contain_text("helped")
    mine = page.locator("#distribution g.mine")
    assert float(mine.get_attribute("data-lift")) == pytest.approx(seeded.my_lift)
    below = sum(v < seeded.my_lift for v in seeded.lifts)
    share = round(100 * below / len(seeded.lifts))
    expect(page.locator("#position")).to_contain_text(f"{share}% of the {len(seeded.lifts)}")
    page.screenshot(path=screenshots / "round.png", full_page=True)

    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    page.get_by_role("button", name="Claim").click()
    expect(page.locator("#claim-status")).to_contain_text("Claim submitted")
    expect(page.locator("#claims tbody tr")).to_have_count(1)
    claim_row = page.locator("#claims tbody tr").first
    # The server has no chain node to check the transaction on: the payment is unverified.
    expect(claim_row).to_have_attribute("data-status", "unverified")
    expect_amount(page.locator("#total-claimed"), seeded.credited)
    expect(page.locator("#claimable")).to_have_text("0")
    page.screenshot(path=screenshots / "dashboard-claimed.png", full_page=True)

    # The page sent exactly the contract call the voucher describes, and the chain paid it.
    (tx,) = wallet.sent
    assert tx["to"].lower() == chain.claims.address.lower()
    data = bytes.fromhex(tx["data"][2:])
    assert data[:4] == function_signature_to_4byte_selector(CLAIM)
    claimant, cumulative, round_, _nonce, _deadline, signature = decode(
        ["address", "uint256", "uint256", "uint256", "uint256", "bytes"], data[4:]
    )
    assert (claimant.lower(), cumulative, round_) == (
        wallet.address.lower(),
        seeded.credited,
        seeded.round_id,
    )
    assert len(signature) == 65
    assert chain.token.functions.balanceOf(wallet.address).call() == seeded.credited
    assert chain.claims.functions.claimed(wallet.address).call() == seeded.credited
    assert page.js_errors == []


def test_wallet_on_another_chain_gets_the_voucher_then_redeems(chain_server, redis_url, open_page):
    live, chain = chain_server
    wallet = TestWallet(chain_id=1, chain=chain)  # cannot switch to the py-evm chain
    chain.fund(wallet.address)
    page = open_page(wallet)
    sign_in(page, live, wallet)
    seeded = seed_round(live.seeding_app(redis_url), wallet.address)
    page.reload()
    page.get_by_role("button", name="Claim").click()
    expect(page.locator("#claim-status")).to_contain_text("The wallet did not send the claim")
    assert "wallet_switchEthereumChain" in [m for m, _ in wallet.calls]
    assert wallet.sent == []
    voucher = json.loads(page.locator("#voucher textarea").input_value())
    assert voucher["message"]["cumulativeAmount"] == str(seeded.credited)
    assert voucher["domain"]["verifyingContract"] == chain.claims.address
    row = page.locator("#claims tbody tr").first
    expect(row).to_have_attribute("data-status", "issued")
    assert chain.token.functions.balanceOf(wallet.address).call() == 0

    # Back on the right chain, the issued voucher is redeemed from its row.
    wallet.chain_id = chain.w3.eth.chain_id
    row.get_by_role("button", name="Redeem").click()
    expect(page.locator("#claim-status")).to_contain_text("Claim submitted")
    expect(page.locator("#claims tbody tr").first).to_have_attribute("data-status", "unverified")
    assert len(wallet.sent) == 1
    assert chain.token.functions.balanceOf(wallet.address).call() == seeded.credited
    assert page.js_errors == []


def test_without_a_wallet_sign_in_says_so(plain_server, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(plain_server.url + "/")
        page.get_by_role("button", name="Sign in with wallet").click()
        expect(page.locator("#sign-in-status")).to_contain_text("No browser wallet found")
        assert page.url == plain_server.url + "/"
    finally:
        context.close()
