"""A worker killed mid-round leaves the round failed, with nothing half written; the rerun
finishes it once, credits each author once and the ledger still verifies."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from server.extensions import db
from server.rewards.models import LedgerEntry
from server.rounds.models import PreferenceValue, TrainingRound
from tests.factories import import_yardstick_file, sign_in
from tests.live import ROOT


def _worker(app) -> subprocess.Popen:
    """A real `flask worker` process on the test database and Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "INSTANCE_PATH": app.instance_path,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_for_training(client, round_id: int, timeout: float = 120) -> dict:
    """Poll the round until training has made a few steps."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.get(f"/api/v1/rounds/{round_id}").get_json()
        progress = info["progress"]
        if progress.get("phase") == "train" and progress.get("step", 0) >= 2:
            return info
        assert info["status"] in ("queued", "running"), info
        time.sleep(0.2)
    raise AssertionError("training never started")


@pytest.mark.slow
def test_killed_worker_fails_the_round_and_rerun_is_safe(app, client, runner, tmp_path):
    import_yardstick_file(runner, tmp_path)
    seeded = runner.invoke(args=["demo", "seed", "--contributors", "4", "--hh", "60", "--qa", "12"])
    assert seeded.exit_code == 0, seeded.output
    admin = sign_in(client)
    runner.invoke(args=["users", "set-role", admin["address"], "admin"])
    admin = sign_in(client, admin["account"])
    options = {"backbone": "tiny", "seed": 3, "epochs": 3, "batch_size": 2, "calibration_groups": 0}
    round_id = client.post(
        "/api/v1/admin/rounds", json=options, headers=admin["headers"]
    ).get_json()["id"]

    artifact = os.path.join(app.instance_path, "models", str(round_id))
    shutil.rmtree(artifact, ignore_errors=True)  # ids restart per test; the instance is shared
    worker = _worker(app)
    try:
        info = _wait_for_training(client, round_id)
        # The worker and its work-horse (RQ gives the horse a process group of its own).
        os.killpg(worker.pid, signal.SIGKILL)
        os.kill(info["progress"]["worker"]["pid"], signal.SIGKILL)
        worker.wait()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert info["progress"]["worker"]["pid"] != worker.pid  # the horse did the work

    # The kernel tears the horse down asynchronously: the next looks must see the round fail.
    deadline = time.monotonic() + 15
    while (failed := client.get(f"/api/v1/rounds/{round_id}").get_json())["status"] != "failed":
        assert time.monotonic() < deadline, failed
        time.sleep(0.2)
    assert "died" in failed["error"], failed["error"]
    with app.app_context():
        assert db.session.query(PreferenceValue).filter_by(round_id=round_id).count() == 0
    assert not os.path.exists(artifact)  # nothing half written
    models = Path(app.instance_path) / "models"
    # What the killed round left: its lock file (released by the kernel), and its scratch
    # folder if training had written one yet.
    left = list(models.glob(f".tmp-{round_id}-*"))
    assert left, sorted(models.iterdir())

    rerun = client.post(f"/api/v1/admin/rounds/{round_id}/rerun", headers=admin["headers"])
    assert rerun.status_code == 202
    assert runner.invoke(args=["worker", "--burst", "--no-fork"]).exit_code == 0
    assert not any(p.exists() for p in left), (
        left,
        sorted(models.iterdir()),
    )  # removed when the next worker started
    done = client.get(f"/api/v1/rounds/{round_id}").get_json()
    assert done["status"] == "finished", done
    with app.app_context():
        assert (
            db.session.query(PreferenceValue).filter_by(round_id=round_id).count()
            == done["n_train"]
        )
    again = client.post(f"/api/v1/admin/rounds/{round_id}/rerun", headers=admin["headers"])
    assert again.status_code == 409
    credits = _round_credits(app, round_id)
    assert credits and sum(credits.values()) == app.config["REWARD_POOL_PER_ROUND"]
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0

    # A worker that dies after the ledger committed but before the round was marked finished
    # leaves it failed; its rerun trains again and credits nobody a second time.
    with app.app_context():
        db.session.get(TrainingRound, round_id).status = "failed"
        db.session.commit()
    rerun = client.post(f"/api/v1/admin/rounds/{round_id}/rerun", headers=admin["headers"])
    assert rerun.status_code == 202
    assert runner.invoke(args=["worker", "--burst", "--no-fork"]).exit_code == 0
    assert client.get(f"/api/v1/rounds/{round_id}").get_json()["status"] == "finished"
    assert _round_credits(app, round_id) == credits  # one credit per author, amounts unchanged
    verified = runner.invoke(args=["ledger", "verify"])
    assert verified.exit_code == 0, verified.output


def _round_credits(app, round_id: int) -> dict[int, int]:
    """user id -> amount of the round's credit entries; fails on a second entry for a user."""
    with app.app_context():
        rows = db.session.execute(
            db.select(LedgerEntry.user_id, LedgerEntry.amount).where(
                LedgerEntry.round_id == round_id, LedgerEntry.kind == "credit"
            )
        ).all()
    credits = dict(rows)
    assert len(credits) == len(rows), rows  # nobody credited twice
    return credits
