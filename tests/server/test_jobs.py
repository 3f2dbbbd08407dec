"""Scratch folders of rounds: a killed round's is removed when the next worker starts, a
running round's is left alone (the lock its process holds says which is which)."""

import signal
import subprocess
import sys
import time
from pathlib import Path

from server.jobs import clean_scratch

# A round's process as far as the lock is concerned: lock, make the folder, work, never finish.
HOLDER = """
import fcntl, sys, time
from pathlib import Path
scratch = Path(sys.argv[1])
handle = open(str(scratch) + ".lock", "w")
fcntl.flock(handle, fcntl.LOCK_EX)
scratch.mkdir()
(scratch / "model.safetensors").write_bytes(b"half written")
print("ready", flush=True)
time.sleep(600)
"""


def _holder(scratch: Path) -> subprocess.Popen:
    """A process holding a scratch folder the way a running round does."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(scratch)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def test_only_the_scratch_of_a_killed_round_is_removed(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    killed, running = models / ".tmp-1-aaaa", models / ".tmp-2-bbbb"
    victim, alive = _holder(killed), _holder(running)
    try:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        time.sleep(0.1)
        (models / "3").mkdir()  # a published model is never touched
        assert clean_scratch(models) == [killed, Path(str(killed) + ".lock")]
        assert not killed.exists() and not Path(str(killed) + ".lock").exists()
        assert running.exists() and (models / "3").exists()
    finally:
        alive.kill()
        alive.wait()
    assert clean_scratch(models) == [running, Path(str(running) + ".lock")]
    assert sorted(p.name for p in models.iterdir()) == ["3"]


def test_the_worker_cleans_up_when_it_starts(app, runner):
    models = Path(app.instance_path) / "models"
    models.mkdir(parents=True, exist_ok=True)
    left = models / ".tmp-99-dead"
    victim = _holder(left)
    victim.kill()
    victim.wait()
    result = runner.invoke(args=["worker", "--burst", "--no-fork"])
    assert result.exit_code == 0, result.output
    assert "removed what a killed round left" in result.output and not left.exists()
    assert not list(models.glob(".tmp-99-*"))
