"""Scoring with the served model, asked of the scoring process over its unix socket: web
workers never load torch (see ``server.scoring.scorer_service``)."""

from flask import current_app

from server.errors import NotFound, ServiceUnavailable
from server.line_socket import exchange
from server.scoring.scorer_service import socket_of

# The first request after a round loads its model in the scorer: seconds, not milliseconds.
TIMEOUT_S = 60


def score(prompt: str, answer: str) -> dict:
    """The reward of an answer to a prompt under the latest round's model; 404 before any
    round has a model, 503 while the scorer is unreachable."""
    try:
        reply = exchange(socket_of(current_app), {"prompt": prompt, "answer": answer}, TIMEOUT_S)
    except (OSError, ValueError):
        raise ServiceUnavailable(
            "The scorer is not reachable; retry shortly.", headers={"Retry-After": "5"}
        ) from None
    if reply.get("ok"):
        return {"score": reply["score"], "round_id": reply["round_id"]}
    if reply.get("reason") == "no_model":
        raise NotFound(reply.get("message", "No reward model has been trained yet."))
    raise ServiceUnavailable(reply.get("message", "The scorer refused the request."))
