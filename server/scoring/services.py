"""Scoring with the served model: the latest finished round's, loaded once per process."""

import threading

from server.errors import NotFound
from server.rounds.services import latest_finished

_lock = threading.Lock()
_cache: dict[int, object] = {}


def score(prompt: str, answer: str) -> dict:
    """The reward of an answer to a prompt under the latest round's model."""
    round_ = latest_finished()
    if round_ is None or not round_.artifact_path:
        raise NotFound("No reward model has been trained yet; run a round first.")
    with _lock:
        scorer = _cache.get(round_.id)
        if scorer is None:
            from reward_model.score import load_scorer

            _cache.clear()  # keep one model in memory
            scorer = _cache[round_.id] = load_scorer(round_.artifact_path)
    return {"score": float(scorer.score(prompt, answer)), "round_id": round_.id}
