"""The scoring process: the one process that loads torch and the served reward model, scoring
answers for the web workers over a unix socket.

    python -m server.scoring.scorer_service      (``make run`` and compose start it)

Each web worker loading torch and a model would cost every worker hundreds of megabytes; one
process holds them instead. It reads the latest finished round itself: the web sends only
texts, never a path, so a web-tier breach cannot make it load files of its choosing. One
model stays in memory and is replaced when a newer round finishes.

Protocol: one JSON object per line each way. Request ``{"prompt": str, "answer": str}``;
answer ``{"ok": true, "score": float, "round_id": int}`` or ``{"ok": false, "reason":
"no_model" | "invalid", "message": "..."}``. Connections are served on threads, scoring one at
a time (torch uses every core for one call anyway).
"""

import contextlib
import json
import logging
import signal
import socketserver
import sys
import threading
from pathlib import Path

from flask import Flask

from server.line_socket import PrivateLineServer

logger = logging.getLogger(__name__)
# Two texts of up to 100,000 characters each, JSON-escaped.
MAX_REQUEST = 2 * 1024 * 1024


class NoModel(Exception):
    """No finished round has a model to score with."""


class Scorer:
    """Scores with the latest finished round's model, read through ``app``'s database."""

    def __init__(self, app: Flask) -> None:
        """Nothing is loaded until the first request."""
        self.app = app
        self._lock = threading.Lock()
        self._round_id: int | None = None
        self._model = None

    def _latest(self) -> tuple[int, str]:
        """(id, artifact path) of the round whose model is served."""
        from server.extensions import db
        from server.rounds.services import latest_finished

        with self.app.app_context():
            try:
                round_ = latest_finished()
                found = None if round_ is None else (round_.id, round_.artifact_path)
            finally:
                db.session.remove()  # no transaction stays open between requests
        if found is None or not found[1]:
            raise NoModel("No reward model has been trained yet; run a round first.")
        return found

    def score(self, prompt: str, answer: str) -> dict:
        """The reward of an answer to a prompt under the latest round's model."""
        round_id, artifact = self._latest()
        with self._lock:
            if self._round_id != round_id:
                from reward_model.score import load_scorer

                self._model = None  # keep one model in memory
                self._model = load_scorer(artifact)
                self._round_id = round_id
                logger.info("scoring with round %d's model", round_id)
            return {"score": float(self._model.score(prompt, answer)), "round_id": round_id}

    def answer(self, line: bytes) -> dict:
        """The reply to one request line."""
        try:
            request = json.loads(line)
            prompt, answer = request["prompt"], request["answer"]
            if not isinstance(prompt, str) or not isinstance(answer, str):
                raise TypeError("prompt and answer must be strings")
        except (ValueError, KeyError, TypeError) as error:
            return {"ok": False, "reason": "invalid", "message": f"Not a score request: {error}"}
        try:
            return {"ok": True, **self.score(prompt, answer)}
        except NoModel as missing:
            return {"ok": False, "reason": "no_model", "message": str(missing)}


class ScorerServer(socketserver.ThreadingMixIn, PrivateLineServer):
    """The scorer's socket; a slow client holds only its own thread."""

    daemon_threads = True
    max_request = MAX_REQUEST
    connection_timeout = 30.0

    def __init__(self, path: Path, scorer: Scorer) -> None:
        """Bind ``path`` for ``scorer``."""
        super().__init__(path, scorer)
        self.scorer = scorer


def socket_of(app: Flask) -> Path:
    """Where the scorer listens: ``SCORER_SOCKET`` or ``<instance>/scorer.sock``."""
    configured = app.config.get("SCORER_SOCKET")
    return Path(configured or Path(app.instance_path) / "scorer.sock")


def main() -> int:
    """Serve until interrupted."""
    from server import create_app

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # close the socket on the way out
    app = create_app()
    path = socket_of(app)
    with ScorerServer(path, Scorer(app)) as server:
        logger.info("scorer on %s", path)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
