"""Round endpoints: admins start rounds; anyone signed in follows them and scores answers."""

from flask import g
from flask.views import MethodView

from server.auth.identity import auth_required
from server.openapi import Blueprint
from server.rounds import contributions, schemas, scoring, services

blp = Blueprint("rounds", __name__, url_prefix="/api/v1", description="Training rounds")


@blp.route("/admin/rounds", methods=["POST"])
@auth_required("admin", kinds=("access",))
@blp.arguments(schemas.RoundRequest)
@blp.response(202, schemas.RoundSchema)
def start_round(options: dict):
    """Snapshot the preferences and enqueue a training round (admins only)."""
    return services.create_round(options, g.principal.user_id)


@blp.route("/admin/rounds/<id:round_id>/rerun", methods=["POST"])
@auth_required("admin", kinds=("access",))
@blp.response(202, schemas.RoundSchema)
def rerun_round(round_id: int):
    """Run a failed round again on the same snapshot (admins only)."""
    return services.rerun(round_id)


@blp.route("/rounds")
class Rounds(MethodView):
    """All rounds."""

    @blp.response(200, schemas.RoundSchema(many=True))
    def get(self):
        """List rounds, newest first, with status and metrics."""
        return services.list_rounds()


@blp.route("/rounds/<id:round_id>")
class Round(MethodView):
    """One round."""

    @blp.response(200, schemas.RoundSchema)
    def get(self, round_id: int):
        """A round's status, live progress, metrics, calibration and Merkle root."""
        return services.get_round(round_id)


@blp.route("/rounds/<id:round_id>/lift-distribution")
class Distribution(MethodView):
    """How a round's lift was spread over authors."""

    @auth_required("me:read")
    @blp.response(200, schemas.DistributionSchema)
    def get(self, round_id: int):
        """Author lift totals of a finished round, and yours."""
        services.get_round(round_id)
        return contributions.distribution(round_id, g.principal.user_id)


@blp.route("/me/contributions")
class Contributions(MethodView):
    """The caller's preferences and what each was worth."""

    @auth_required("me:read")
    @blp.arguments(schemas.ContributionQuery, location="query")
    @blp.response(200, schemas.ContributionSchema(many=True))
    def get(self, query: dict):
        """Your preferences' lift per round, each with a one-line explanation."""
        return contributions.contributions(g.principal.user_id, query.get("round_id"))


@blp.route("/reward/score", methods=["POST"])
@auth_required()
@blp.arguments(schemas.ScoreRequest)
@blp.response(200, schemas.ScoreResponse)
def score(body: dict):
    """Score an answer with the latest finished round's reward model."""
    return scoring.score(body["prompt"], body["answer"])
