"""Browser fixtures for the dashboard: live servers (one with a py-evm claim contract, one
without a chain), an app bound to the same database for seeding, and Chromium pages whose
``window.ethereum`` is a test wallet signing with eth-account."""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from server.rewards.signer import DEV_KEYSTORE, DEV_PASSWORD
from server.rewards.vouchers import create_keystore, load_signer
from tests.browser import ARGS, require_chromium
from tests.live import LiveServer
from tests.server.dashboard.wallet import Chain, TestWallet

POOL_PER_ROUND = 10**21  # 1,000 tokens of 18 decimals: more than 2**53 base units
CONTRACT_POOL = 10**24


def _signer_address(instance: Path) -> str:
    """The server's development voucher signer (created here with a cheap KDF for speed)."""
    path = instance / DEV_KEYSTORE
    if path.exists():
        return load_signer(path, DEV_PASSWORD).address
    instance.mkdir(parents=True, exist_ok=True)
    return create_keystore(path, DEV_PASSWORD, kdf="pbkdf2", iterations=1000).address


def _server(workdir: Path, redis_url: str, chain: bool):
    """A started live server paying POOL_PER_ROUND per round, and its chain (or None)."""
    live = LiveServer(workdir, redis_url=redis_url)
    live.env["REWARD_POOL_PER_ROUND"] = str(POOL_PER_ROUND)
    signer = _signer_address(Path(live.env["INSTANCE_PATH"]))
    evm = None
    if chain:
        evm = Chain.deploy(signer, CONTRACT_POOL)
        live.env["CLAIMS_CONTRACT"] = evm.claims.address
        live.env["CHAIN_ID"] = str(evm.w3.eth.chain_id)
    live.start()
    live.signer = signer
    return live, evm


@pytest.fixture(scope="session")
def _servers(tmp_path_factory, redis_url):
    """Both live servers, started side by side (each start is mostly waiting on imports)."""
    with ThreadPoolExecutor(2) as pool:
        plain = pool.submit(_server, tmp_path_factory.mktemp("plain-server"), redis_url, False)
        chained = pool.submit(_server, tmp_path_factory.mktemp("chain-server"), redis_url, True)
        try:
            servers = {"plain": plain.result(), "chain": chained.result()}
        except BaseException:
            for started in (plain, chained):
                if started.exception() is None:
                    started.result()[0].stop()
            raise
    yield servers
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda pair: pair[0].stop(), servers.values()))


@pytest.fixture(scope="session")
def chain_server(_servers):
    """(live server, chain): claims name a LiftClaims deployed on py-evm."""
    return _servers["chain"]


@pytest.fixture(scope="session")
def plain_server(_servers):
    """A live server with no claim contract configured (vouchers are shown to copy)."""
    return _servers["plain"][0]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (no downloaded browser)."""
    from playwright import sync_api

    path = require_chromium()  # a missing browser is a failure, never a skip
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser):
    """Factory: a fresh page with ``wallet`` behind its window.ethereum."""
    contexts = []

    def open_(wallet: TestWallet):
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        wallet.install(page)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots():
    """Where screenshots go (kept for people to look at): SCREENSHOT_DIR or a temp dir."""
    path = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/liftledger-dashboard-shots"))
    path.mkdir(parents=True, exist_ok=True)
    return path
