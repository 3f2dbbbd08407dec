"""RQ job entry points: the worker runs these; they call the pure `reward_model` library.

A round writes nothing visible until it has fully succeeded: the model is trained into a
scratch folder that is renamed into place; metrics and values are committed with the status
`crediting`, the ledger is credited (idempotent per round and author), and only then is the
round `finished`. A worker that dies leaves the round `failed` (see `server.rounds.services`)
and rerunning it is safe: values are replaced and nobody is credited twice.

A scratch folder ``models/.tmp-<round>-<random>`` is held under an exclusive lock on
``<folder>.lock`` while its round runs; the kernel drops the lock when the process dies, even
by SIGKILL, so a worker starting later removes exactly the folders no live round holds.
"""

import fcntl
import json
import logging
import os
import shutil
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, has_app_context
from rq import get_current_job

from server.extensions import db
from server.models_base import utcnow
from server.rounds.models import TrainingRound
from server.rounds.services import MIN_PAIRS

logger = logging.getLogger(__name__)
PROGRESS_EVERY_S = 1.0


def run_round(round_id: int) -> dict:
    """Train, evaluate and value a round (in the worker's app context, or a new app)."""
    if has_app_context():
        return _run(round_id)
    from server import create_app

    with create_app().app_context():
        return _run(round_id)


class _Progress:
    """Writes training progress to the RQ job's meta and to the round, throttled."""

    def __init__(self, round_id: int) -> None:
        """Remember where to write."""
        self.round_id, self.last, self.job = round_id, 0.0, get_current_job()
        self.worker = {"host": socket.gethostname(), "pid": os.getpid()}

    def __call__(self, update: dict) -> None:
        """Record an update (step, total_steps, loss, eta_s, phase)."""
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_S and update.get("phase") not in ("done", "save"):
            return
        self.last = now
        payload = {**update, "worker": self.worker, "at": utcnow().isoformat()}
        if self.job is not None:
            self.job.meta["progress"] = payload
            self.job.save_meta()
        # Its own connection: the session's transaction holds results until they all commit.
        with db.engine.begin() as connection:
            connection.execute(
                db.update(TrainingRound)
                .where(TrainingRound.id == self.round_id)
                .values(progress=payload)
            )


def _run(round_id: int) -> dict:
    """The round's steps; on any error the round is marked failed and the error re-raised."""
    db.engine.dispose(close=False)  # a forked work-horse must not share the parent's sockets
    round_ = db.session.get(TrainingRound, round_id)
    if round_ is None or round_.status == "finished":
        return {"skipped": True}
    progress = _Progress(round_id)
    round_.status, round_.started_at, round_.error = "running", utcnow(), None
    db.session.commit()
    progress({"phase": "start"})
    try:
        return _train_value_credit(round_, progress)
    except Exception as exc:
        db.session.rollback()
        round_ = db.session.get(TrainingRound, round_id)
        round_.status, round_.error, round_.finished_at = (
            "failed",
            f"{type(exc).__name__}: {exc}",
            utcnow(),
        )
        db.session.commit()
        logger.exception("round %s failed", round_id)
        raise


def _snapshot(round_: TrainingRound, progress: _Progress) -> None:
    """Build the round's snapshot here, in the worker (a rerun keeps the one it has)."""
    from server.rounds.snapshot import build_snapshot
    from server.yardsticks.services import reserved_keys

    if round_.train_ids:
        return
    progress({"phase": "snapshot"})
    ids = build_snapshot(reserved_keys())
    if len(ids) < MIN_PAIRS:
        raise ValueError(f"only {len(ids)} preference pairs; a round needs at least {MIN_PAIRS}")
    round_.train_ids = ids
    db.session.commit()


def _train_value_credit(round_: TrainingRound, progress: _Progress) -> dict:
    """Snapshot, then one call into reward_model into a scratch folder, then publish."""
    from reward_model.pipeline import RoundConfig, compute_round
    from reward_model.train import TrainConfig
    from server.gold.services import gold_record
    from server.rewards.services import credit_round
    from server.rounds import preferences, store
    from server.yardsticks import services as yardsticks

    _snapshot(round_, progress)
    pairs = preferences.load_pairs(round_.train_ids)
    labs = {f"yardstick-{y.id}": y.id for y in yardsticks.lab_yardsticks()}
    reliability, quality = store.previous_evidence()
    authors = {a for pair in pairs for a in pair.author_ids}
    gold = gold_record(authors, until=round_.created_at, since=store.previous_round_time(round_))
    train_config = _config(TrainConfig, round_, backbone=round_.backbone, seed=round_.seed)
    models = Path(current_app.instance_path) / "models"
    scratch = models / f".tmp-{round_.id}-{uuid.uuid4().hex[:8]}"
    final = models / str(round_.id)
    with _held(scratch):
        try:
            outcome = compute_round(
                pairs,
                yardsticks.load_pairs(round_.yardstick_id),
                train_config,
                scratch,
                config=_valuation_config(RoundConfig, round_),
                previous=reliability,
                quality=quality,
                gold=gold,
                extra_yardsticks={name: yardsticks.load_pairs(i) for name, i in labs.items()},
                cache_dir=models / "features",
                progress=progress,
            )
            if final.exists():
                shutil.rmtree(final)
            scratch.rename(final)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    store.store_values(round_, outcome.values, labs)
    round_.metrics = outcome.metrics
    round_.calibration = {
        "spearman": outcome.metrics["calibration_spearman"],
        "table": outcome.values.calibration,
    }
    round_.card, round_.artifact_path = outcome.card, str(final)
    round_.status = "crediting"  # values are in; the round is not finished until credited
    db.session.commit()
    progress({"phase": "credit"})
    credit_round(round_.id, outcome.values.payout)  # idempotent per (round, author); commits
    _finish(round_, final)
    progress({"phase": "done"})
    return {"round_id": round_.id, "metrics": round_.metrics}


def _config(kind, round_: TrainingRound, **fixed):
    """A TrainConfig or RoundConfig from the round's options (unknown keys are ignored)."""
    known = set(kind.__dataclass_fields__)
    return kind(**{k: v for k, v in round_.config.items() if k in known}, **fixed)


def _valuation_config(kind, round_: TrainingRound):
    """The RoundConfig, with "previous" resolved to the last finished round's model folder
    (the base model when there is none) and "base" to the round's own base backbone."""
    from server.rounds.services import latest_finished

    choice = round_.config.get("valuation_backbone", "base")
    config = _config(kind, round_)
    previous = latest_finished() if choice == "previous" else None
    config.valuation_backbone = previous.artifact_path if previous else None
    return config


def _finish(round_: TrainingRound, final: Path) -> None:
    """Add the ledger's Merkle root of the round to its model card; mark it finished."""
    from reward_model.pipeline import CARD
    from server.rewards.services import round_root

    card = {**round_.card, "contributors_merkle_root": round_root(round_.id)}
    (final / CARD).write_text(json.dumps(card, indent=2, default=str))
    round_.card, round_.status, round_.finished_at = card, "finished", utcnow()
    db.session.commit()


def _lock_of(scratch: Path) -> Path:
    """The lock file beside a scratch folder."""
    return scratch.with_name(scratch.name + ".lock")


@contextmanager
def _held(scratch: Path) -> Iterator[None]:
    """Hold the scratch folder's lock (taken before the folder exists) while a round runs."""
    scratch.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock_of(scratch)
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)


def _round_running(scratch_name: str) -> bool:
    """Whether the round a scratch folder (``.tmp-<round>-<random>``) belongs to is recorded
    as running or crediting (or cannot be told)."""
    try:
        round_id = int(scratch_name.split("-")[1])
    except (IndexError, ValueError):
        return True
    if not has_app_context():
        return True
    round_ = db.session.get(TrainingRound, round_id)
    return round_ is None or round_.status in ("running", "crediting")


def clean_scratch(models: Path) -> list[Path]:
    """Remove the scratch folders and lock files that no live round holds: those of rounds
    whose process was killed (before or after its folder appeared). Returns what it removed."""
    removed = []
    for name in sorted({p.name.removesuffix(".lock") for p in models.glob(".tmp-*")}):
        scratch, lock = models / name, _lock_of(models / name)
        with open(lock, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                # Held: a running round's, unless the round is recorded as not running (a
                # process its killed worker left behind may still hold the descriptor).
                if _round_running(name):
                    continue
            if scratch.exists():
                shutil.rmtree(scratch, ignore_errors=True)
                removed.append(scratch)
            lock.unlink(missing_ok=True)
            removed.append(lock)
    return removed
