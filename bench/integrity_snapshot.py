"""Peak memory of a round's snapshot built by the worker's code on many feedback rows.

A fresh SQLite file gets `rows` pairwise feedback rows (real HH texts, cycled, each row with
its own pair of answers so that every row is a distinct preference), inserted with
SQLAlchemy Core by one process. Then another process — the app without torch, as a worker starts —
runs `server.rounds.snapshot.build_snapshot` and reports its peak resident memory.

    python bench/integrity_snapshot.py [ROWS]
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BATCH = 2000


def _fill(url: str, rows: int) -> None:
    """Create the schema and insert `rows` pairwise feedback rows (Core, batched)."""
    from sqlalchemy import create_engine, insert

    from reward_model.sources import HH_PATH, load_hh
    from server import create_app
    from server.auth.models import User
    from server.extensions import db
    from server.feedback.models import Answer, Feedback

    engine = create_engine(url)
    create_app()  # registers every model's table
    db.metadata.create_all(engine)
    pool = load_hh(HH_PATH, limit=500)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(User), [{"address": f"0x{k:040x}", "created_at": now} for k in range(50)]
        )
    for start in range(0, rows, BATCH):
        answers, feedback = [], []
        for i in range(start, min(rows, start + BATCH)):
            rec = pool[i % len(pool)]
            prompt_hash = hashlib.sha256(f"{i}:{rec['prompt']}".encode()).hexdigest()
            for k, text in enumerate((rec["answer"], rec["other_answer"]["text"])):
                answers.append({"id": 2 * i + k + 1, "site": "generic",
                                "prompt_text": rec["prompt"], "answer_text": f"{text} ({i})",
                                "prompt_hash": prompt_hash,
                                "answer_hash": hashlib.sha256(f"{i}:{k}".encode()).hexdigest(),
                                "created_at": now})  # fmt: skip
            feedback.append({"user_id": i % 50 + 1, "answer_id": 2 * i + 1,
                             "other_answer_id": 2 * i + 2, "client_id": str(uuid.uuid4()),
                             "kind": "pairwise", "choice": rec["choice"], "licence": "cc-by-4.0",
                             "tags": [], "spans": [], "content_hash": f"{i:064x}",
                             "created_at": now, "updated_at": now})  # fmt: skip
        with engine.begin() as conn:
            conn.execute(insert(Answer), answers)
            conn.execute(insert(Feedback), feedback)
    engine.dispose()


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it does not inherit the
    high-water mark of the process that forked and exec'd this one)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(url: str) -> None:
    """In this process: build the snapshot, print its size and this process's peak RSS."""
    os.environ["DATABASE_URL"] = url
    from server import create_app
    from server.rounds.snapshot import build_snapshot

    app = create_app()
    with app.app_context():
        ids = build_snapshot(set())
    print(json.dumps({"pairs": len(ids), "peak_mb": _peak_mb(), "torch": "torch" in sys.modules}))


def snapshot_peak_mb(rows: int) -> float:
    """Peak RSS (MB) of a fresh process building the snapshot of `rows` feedback rows."""
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/snapshot.db"
        env = {**os.environ, "INSTANCE_PATH": scratch, "PYTHONPATH": str(ROOT)}
        filled = subprocess.run(
            [sys.executable, __file__, "--fill", url, str(rows)], env=env, capture_output=True
        )
        if filled.returncode:
            raise RuntimeError(f"filling the database failed:\n{filled.stderr[-1500:]}")
        done = subprocess.run(
            [sys.executable, __file__, "--measure", url],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"snapshot process failed:\n{done.stderr[:1500]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["pairs"] != rows:
        raise RuntimeError(f"snapshot has {result['pairs']} pairs for {rows} rows")
    return float(result["peak_mb"])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        _measure(sys.argv[2])
    elif sys.argv[1:2] == ["--fill"]:
        _fill(sys.argv[2], int(sys.argv[3]))
    else:
        print(f"peak MB: {snapshot_peak_mb(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)}")
