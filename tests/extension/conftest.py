"""Fixtures for the extension's end-to-end tests: the unpacked extension in a real Chromium
(Playwright, persistent context), fixture pages served under each site's real URL, and a real
server on loopback (the shared ``live_server`` when tests/conftest.py has one, else our own)."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
FIXTURES = EXTENSION / "test" / "fixtures"
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
RUNTIME = ["manifest.json", "background", "content", "shared", "popup", "options"]
SITE_URLS = {
    "chatgpt": ["https://chatgpt.com/**", "https://chat.openai.com/**"],
    "claude": ["https://claude.ai/**"],
    "gemini": ["https://gemini.google.com/**"],
    "generic": ["https://example.org/**"],
}


class OwnServer:
    """A real server in a subprocess (flask run on wsgi:app), same port and DB across restarts."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{workdir / 'e2e.db'}",
            "INSTANCE_PATH": str(workdir / "instance"),
            "SIWE_DOMAIN": f"127.0.0.1:{self.port}",
            "SIWE_URI": self.url,
            "LIFTLEDGER_ENV": "development",
        }
        self.env.pop("REDIS_URL", None)
        self.proc = None
        self._token = None
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=self.env, check=True)

    def start(self) -> None:
        """Start (or restart) the server and wait until it answers."""
        cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(self.port)]
        log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        log.close()
        for _ in range(200):
            try:
                requests.get(f"{self.url}/api/v1/auth/nonce", timeout=0.5)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start, see {self.workdir / 'server.log'}")

    def stop(self) -> None:
        """Stop the server process."""
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def device_token(self) -> tuple[str, str]:
        """(address, device token) from a real wallet sign-in and POST /api/v1/auth/devices."""
        from eth_account import Account
        from eth_account.messages import encode_defunct

        if self._token:
            return self._token
        account = Account.create()
        nonce = requests.post(f"{self.url}/api/v1/auth/nonce", json={"address": account.address})
        message = nonce.json()["message"]
        sig = account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
        verify = requests.post(
            f"{self.url}/api/v1/auth/verify", json={"message": message, "signature": sig}
        )
        access = verify.json()["access_token"]
        device = requests.post(
            f"{self.url}/api/v1/auth/devices",
            json={"name": "e2e"},
            headers={"Authorization": f"Bearer {access}"},
        )
        self._token = (account.address, device.json()["token"])
        return self._token

    def feedback_rows(self) -> list[dict]:
        """Stored feedback as GET /api/v1/feedback returns it to the device token's user."""
        _, token = self.device_token()
        res = requests.get(
            f"{self.url}/api/v1/feedback",
            params={"page_size": 100},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        res.raise_for_status()
        return res.json()


@pytest.fixture
def server(request, tmp_path):
    """The shared live_server fixture when the project has one, else our own subprocess."""
    try:
        yield request.getfixturevalue("live_server")
        return
    except pytest.FixtureLookupError:
        pass
    if not (ROOT / "wsgi.py").exists():
        pytest.skip("no live_server fixture and no wsgi.py to start")
    own = OwnServer(tmp_path)
    own.start()
    yield own
    own.stop()


def _serve(html: str):
    """A route handler answering every request with the fixture page."""

    def handler(route):
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    return handler


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A persistent Chromium context with the unpacked extension loaded (headless)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    unpacked = tmp_path_factory.mktemp("unpacked")
    for name in RUNTIME:  # only the shipped files; node_modules never goes into the browser
        src = EXTENSION / name
        copy = shutil.copytree if src.is_dir() else shutil.copy
        copy(src, unpacked / name)
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--headless=new",
                f"--disable-extensions-except={unpacked}",
                f"--load-extension={unpacked}",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
            ],
        )
        for site, patterns in SITE_URLS.items():
            html = (FIXTURES / f"{site}.html").read_text()
            for pattern in patterns:
                context.route(pattern, _serve(html))
        worker = context.service_workers[0] if context.service_workers else None
        worker = worker or context.wait_for_event("serviceworker", timeout=15000)
        context.extension_id = worker.url.split("/")[2]
        yield context
        context.close()
