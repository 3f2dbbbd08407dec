"""/api/v1/reward: score an answer with the latest finished round's reward model."""

from server.auth.identity import auth_required
from server.openapi import Blueprint
from server.scoring import schemas, services

blp = Blueprint("reward", __name__, url_prefix="/api/v1/reward", description="Scoring")


@blp.route("/score", methods=["POST"])
@auth_required()
@blp.arguments(schemas.ScoreRequest)
@blp.response(200, schemas.ScoreResponse)
def score(body: dict):
    """Score an answer with the latest finished round's reward model."""
    return services.score(body["prompt"], body["answer"])
