"""Benchmark: stream a million-row snapshot as Parquet through the real download endpoint.

Real HH-RLHF pairs are repeated with distinct ids into one snapshot of ``--rows`` rows in a
SQLite file. Then, each in a fresh process so that peak RSS is its own:
- ``export``: GET /api/v1/datasets/<id>/download?format=parquet with a lab key, the body
  consumed chunk by chunk into a file; rows/s and peak RSS (target: <= 300 MB);
- ``baseline``: the same rows held in memory as Python lists, written by pyarrow in one go
  (``pa.table`` + ``pq.write_table``); rows/s (target: export >= 0.5x baseline).
The baseline writes exactly the rows read back from the export, with the same writer options;
the export is checked to hold every pair id in order. Run: ``python -m bench.export [--rows N]``.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 20_000


def _app(workdir: Path):
    """The service on the bench's SQLite file (embedded Redis under workdir)."""
    os.environ["INSTANCE_PATH"] = str(workdir / "instance")
    from server import create_app

    database = f"sqlite:///{workdir / 'bench.db'}"
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": database, "REDIS_URL": os.environ.get("REDIS_URL")}
    )


def _pairs() -> list[tuple[str, str, str]]:
    """(prompt, chosen, rejected) of the real HH pairs."""
    from reward_model.sources import HH_PATH, load_hh

    out = []
    for record in load_hh(HH_PATH):
        a, b = record["answer"], record["other_answer"]["text"]
        out.append((record["prompt"], *((a, b) if record["choice"] == "a" else (b, a))))
    return out


def _item(dataset_id: int, n: int, pair: tuple[str, str, str]) -> dict:
    """Row n of the snapshot: a real pair under a distinct id and hash, frozen as snapshots
    freeze items (its export record)."""
    import hashlib

    from server.datasets.export import pseudonym, record

    prompt, chosen, rejected = pair
    item_hash = hashlib.sha256(f"{n}:{prompt}{chosen}".encode()).hexdigest()
    author = 1 + n % 7
    name = pseudonym("ab" * 32, f"0x{author:040x}")
    fields = {
        "prompt": prompt, "chosen": chosen, "rejected": rejected, "margin": 0.5,
        "source": "pairwise", "site": "generic", "licence": "cc-by-4.0", "pair_id": n + 1,
        "item_hash": item_hash, "contributor": name, "contributors": [name], "tags": [],
        "spans": [], "correction": None,
    }  # fmt: skip
    return {
        "dataset_id": dataset_id, "position": n, "preference_id": n + 1,
        "item_hash": item_hash, "author_ids": [author], "record": record(fields),
    }  # fmt: skip


def build(workdir: Path, rows: int) -> str:
    """Migrate, add 7 authors, a lab, its key and a snapshot of ``rows`` items; the key."""
    from flask_migrate import upgrade

    from server.auth.models import User
    from server.datasets.models import Dataset, DatasetItem
    from server.extensions import db
    from server.labs.services import create_key, create_lab

    app = _app(workdir)
    with app.app_context():
        upgrade()
        db.session.add_all(User(address=f"0x{i:040x}") for i in range(1, 8))
        create_lab("bench")
        _, key = create_key("bench", frozenset({"datasets:read"}))
        dataset = Dataset(name="bench", version=1, lab_id=1, filters={}, row_count=rows,
                          merkle_root="0" * 64, pseudonym_salt="ab" * 32, price=0)  # fmt: skip
        db.session.add(dataset)
        db.session.commit()
        pairs = _pairs()
        for start in range(0, rows, CHUNK):
            batch = [_item(dataset.id, n, pairs[n % len(pairs)])
                     for n in range(start, min(rows, start + CHUNK))]  # fmt: skip
            db.session.execute(db.insert(DatasetItem), batch)
            db.session.commit()
        db.session.execute(db.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()
    return key


def _peak_mb() -> float:
    """This process's peak resident set size in MB: VmHWM, which exec resets (ru_maxrss can
    carry the forking parent's peak over into the child)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_export(workdir: Path, key: str) -> dict:
    """Download through the endpoint, streamed to a file; rows/s and peak RSS."""
    app = _app(workdir)
    client = app.test_client()
    started = time.perf_counter()
    res = client.get(
        "/api/v1/datasets/1/download?format=parquet",
        headers={"Authorization": f"Bearer {key}"},
        buffered=False,
    )
    assert res.status_code == 200, res.status_code
    size = 0
    with open(workdir / "export.parquet", "wb") as out:
        for chunk in res.response:
            out.write(chunk)
            size += len(chunk)
    res.close()
    return {"seconds": time.perf_counter() - started, "bytes": size, "peak_rss_mb": _peak_mb()}


def child_baseline(workdir: Path) -> dict:
    """The same rows in memory (read first, not timed), written by pyarrow in one go."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from server.datasets.export import SCHEMA, WRITE_OPTIONS

    columns = pq.read_table(workdir / "export.parquet").to_pydict()  # the exact same rows
    started = time.perf_counter()
    table = pa.table(columns, schema=SCHEMA)
    pq.write_table(table, workdir / "baseline.parquet", **WRITE_OPTIONS)
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": _peak_mb()}


def _child(kind: str, workdir: Path, key: str = "") -> dict:
    """Run a phase in a fresh interpreter and read its JSON result."""
    command = [sys.executable, "-m", "bench.export", "--child", kind, "--workdir", str(workdir)]
    out = subprocess.run([*command, "--key", key], cwd=ROOT, check=True, capture_output=True)
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def measure(workdir: Path, rows: int) -> dict:
    """Build the snapshot in ``workdir``, run both phases, check the export and report."""
    import pyarrow.parquet as pq

    started = time.perf_counter()
    key = build(workdir, rows)
    print(f"built {rows} rows in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    export, baseline = _child("export", workdir, key), _child("baseline", workdir)
    ids = pq.read_table(workdir / "export.parquet", columns=["pair_id"]).column("pair_id")
    assert ids.to_pylist() == list(range(1, rows + 1)), "export lost or reordered rows"
    report = {
        "rows": rows,
        "export_rows_per_s": round(rows / export["seconds"]),
        "export_peak_rss_mb": round(export["peak_rss_mb"], 1),
        "export_mb": round(export["bytes"] / 2**20, 1),
        "baseline_rows_per_s": round(rows / baseline["seconds"]),
        "baseline_peak_rss_mb": round(baseline["peak_rss_mb"], 1),
    }
    report["ratio"] = round(report["export_rows_per_s"] / report["baseline_rows_per_s"], 3)
    report["rss_ok"] = report["export_peak_rss_mb"] <= 300
    report["speed_ok"] = report["ratio"] >= 0.5
    return report


def main(argv: list[str] | None = None) -> dict:
    """Run a child phase, or the whole benchmark (in a temporary folder unless --workdir)."""
    args = make_parser().parse_args(argv)
    if args.child == "export":
        report = child_export(args.workdir, args.key)
    elif args.child == "baseline":
        report = child_baseline(args.workdir)
    elif args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        report = measure(args.workdir, args.rows)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
            report = measure(Path(tmp), args.rows)
    print(json.dumps(report, indent=None if args.child else 2))
    return report


def make_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="Rows in the snapshot.")
    parser.add_argument("--workdir", type=Path, default=None, help="Keep files here.")
    parser.add_argument("--child", choices=["export", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--key", default="", help=argparse.SUPPRESS)
    return parser


if __name__ == "__main__":
    main()
