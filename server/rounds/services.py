"""Rounds: record and enqueue a round (its worker builds the snapshot); follow and rerun it."""

import os
import socket
import tarfile
import tempfile
from pathlib import Path
from typing import BinaryIO

import redis
from flask import current_app
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job

from server.errors import Conflict, NotFound, ServiceUnavailable, Unprocessable
from server.extensions import db, redis_store
from server.feedback.models import Feedback
from server.rewards.services import round_roots
from server.rounds.models import TrainingRound
from server.yardsticks.services import round_yardstick

MIN_PAIRS = 4
JOB_TIMEOUT = 6 * 3600


def _queue() -> Queue:
    """The app's RQ queue."""
    return Queue(current_app.config["RQ_QUEUE"], connection=redis_store.client)


def _enqueue(round_: TrainingRound, attempt: int) -> None:
    """Put the round's job on the queue; 503 when Redis is down."""
    job_id = f"round-{round_.id}-{attempt}"
    try:
        _queue().enqueue(
            "server.jobs.run_round",
            round_.id,
            job_id=job_id,
            job_timeout=JOB_TIMEOUT,
            result_ttl=7 * 24 * 3600,
        )
    except redis.RedisError as exc:
        round_.status, round_.error = "failed", "could not enqueue: Redis is unavailable"
        db.session.commit()
        raise ServiceUnavailable("The job queue is unavailable; rerun the round later.") from exc
    round_.job_id = job_id
    db.session.commit()


def create_round(options: dict, user_id: int | None = None) -> TrainingRound:
    """Record a queued round on a yardstick and enqueue it; the worker builds its snapshot.

    Only a count is read here: a round needs some live feedback (`MIN_PAIRS` rows) to start.
    """
    live = db.session.scalar(
        db.select(db.func.count(Feedback.id)).where(
            Feedback.withdrawn_at.is_(None), Feedback.superseded_at.is_(None)
        )
    )
    if live < MIN_PAIRS:
        raise Unprocessable(
            f"Only {live} live feedback rows exist; a round needs at least {MIN_PAIRS}.",
        )
    yardstick = round_yardstick(options.get("yardstick_id"))
    reserved = ("backbone", "seed", "yardstick_id")
    round_ = TrainingRound(
        status="queued",
        backbone=options.get("backbone", "minilm"),
        seed=options.get("seed", 0),
        config={k: v for k, v in options.items() if k not in reserved},
        train_ids=[],
        heldout_ids=[],
        yardstick_id=yardstick.id,
        yardstick_hash=yardstick.content_hash,
        created_by=user_id,
    )
    db.session.add(round_)
    db.session.commit()
    _enqueue(round_, 1)
    return round_


def rerun(round_id: int) -> TrainingRound:
    """Run a failed round again, on the same snapshot; nothing it wrote is kept or doubled."""
    round_ = get_round(round_id)
    record_death(round_)
    if round_.status not in ("failed",):
        raise Conflict(f"Round {round_id} is {round_.status}; only a failed round can be rerun.")
    attempt = int((round_.job_id or "round-0-0").rsplit("-", 1)[1]) + 1
    round_.status, round_.error, round_.progress = "queued", None, {}
    db.session.commit()
    _enqueue(round_, attempt)
    return round_


def get_round(round_id: int) -> TrainingRound:
    """A round as stored; 404 if unknown."""
    round_ = db.session.get(TrainingRound, round_id)
    if round_ is None:
        raise NotFound(f"No round {round_id}.")
    return round_


def round_views(rounds: list[TrainingRound]) -> list[dict]:
    """What readers are shown of rounds: each with its effective status (a round whose job or
    worker died reads as failed at once, before a writer records it) and its Merkle root,
    looked up for all of them at once. Writes nothing."""
    roots = round_roots([r.id for r in rounds])
    views = []
    for round_ in rounds:
        status, error = round_.status, round_.error
        reason = _job_failure(round_) if _active(round_) else None
        if reason:
            status, error = "failed", reason
        views.append(
            {
                **{c.key: getattr(round_, c.key) for c in TrainingRound.__table__.columns},
                "status": status,
                "error": error,
                "n_train": len(round_.train_ids),
                "merkle_root": roots.get(round_.id),
            }
        )
    return views


def round_view(round_id: int) -> dict:
    """One round as readers see it (see ``round_views``); 404 if unknown."""
    return round_views([get_round(round_id)])[0]


def list_rounds() -> list[dict]:
    """All rounds as readers see them, newest first."""
    query = db.select(TrainingRound).order_by(TrainingRound.id.desc())
    return round_views(list(db.session.scalars(query)))


def _finished(round_id: int) -> TrainingRound:
    """A finished round with its model; 404 otherwise (a card exists only once finished)."""
    round_ = get_round(round_id)
    if round_.status != "finished" or not round_.artifact_path:
        raise NotFound(f"Round {round_id} has no model yet (it is {round_.status}).")
    return round_


def model_card(round_id: int) -> dict:
    """A finished round's model card, as stored with the round."""
    return {"round_id": round_id, **_finished(round_id).card}


def model_archive(round_id: int) -> BinaryIO:
    """The served model's folder (weights, tokenizer, configs, model_card.json) as a
    .tar.gz, rewound, spooled to disk past 64 MB."""
    folder = Path(_finished(round_id).artifact_path)
    spool = tempfile.SpooledTemporaryFile(max_size=64 * 2**20)  # noqa: SIM115 (send_file closes it)
    with tarfile.open(fileobj=spool, mode="w:gz") as tar:
        for item in sorted(folder.iterdir()):
            if item.is_file():  # the feature cache and scratch folders stay behind
                tar.add(item, arcname=f"round-{round_id}/{item.name}")
    spool.seek(0)
    return spool


def latest_finished() -> TrainingRound | None:
    """The newest finished round, whose model is served."""
    return db.session.execute(
        db.select(TrainingRound)
        .where(TrainingRound.status == "finished")
        .order_by(TrainingRound.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _active(round_: TrainingRound) -> bool:
    """Whether the round's job should still be queued or running."""
    return round_.status in ("queued", "running", "crediting") and bool(round_.job_id)


def record_death(round_: TrainingRound) -> None:
    """Mark a queued/running round failed when its job failed or its worker died (writers
    call this before acting on a round's status)."""
    reason = _job_failure(round_) if _active(round_) else None
    if reason:
        round_.status, round_.error = "failed", reason
        db.session.commit()


def _job_failure(round_: TrainingRound) -> str | None:
    """Why the round's job can no longer finish, or None while it may."""
    try:
        job = Job.fetch(round_.job_id, connection=redis_store.client)
        status = job.get_status(refresh=True)
    except NoSuchJobError:
        return "the job disappeared from the queue"
    except redis.RedisError:
        return None  # cannot tell now; look again later
    status = getattr(status, "value", status)  # RQ's JobStatus is an enum of strings
    if status in ("failed", "stopped", "canceled"):
        return f"the job {status}"
    worker = round_.progress.get("worker") or {}
    busy = round_.status in ("running", "crediting")
    local = busy and worker.get("host") == socket.gethostname()
    if local and not _alive(int(worker["pid"])):
        return "the worker running it died"
    return None


def _alive(pid: int) -> bool:
    """Whether a local process runs (a zombie left by a killed parent does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True
