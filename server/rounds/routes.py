"""/api/v1/rounds (follow rounds, their lift, Merkle proofs, model cards and models) and
/api/v1/admin/rounds (admins start and rerun them)."""

from flask import g, send_file
from flask.views import MethodView

from server.auth.identity import auth_required
from server.openapi import Blueprint
from server.rewards import allocation
from server.rewards import services as rewards
from server.rounds import contributions, schemas, services

blp = Blueprint("rounds", __name__, url_prefix="/api/v1/rounds", description="Training rounds")
admin_blp = Blueprint(
    "admin_rounds", __name__, url_prefix="/api/v1/admin/rounds", description="Start rounds"
)


@admin_blp.route("", methods=["POST"])
@auth_required("admin", kinds=("access",))
@admin_blp.arguments(schemas.RoundRequest)
@admin_blp.response(202, schemas.RoundSchema)
def start_round(options: dict):
    """Snapshot the preferences and enqueue a training round (admins only)."""
    round_ = services.create_round(options, g.principal.user_id)
    return services.round_view(round_.id)


@admin_blp.route("/<id:round_id>/rerun", methods=["POST"])
@auth_required("admin", kinds=("access",))
@admin_blp.response(202, schemas.RoundSchema)
def rerun_round(round_id: int):
    """Run a failed round again on the same snapshot (admins only)."""
    return services.round_view(services.rerun(round_id).id)


@blp.route("")
class Rounds(MethodView):
    """All rounds."""

    @blp.response(200, schemas.RoundSchema(many=True))
    def get(self):
        """List rounds, newest first, with status and metrics."""
        return services.list_rounds()


@blp.route("/<id:round_id>")
class Round(MethodView):
    """One round."""

    @blp.response(200, schemas.RoundSchema)
    def get(self, round_id: int):
        """A round's status, live progress, metrics, calibration and Merkle root."""
        return services.round_view(round_id)


@blp.route("/<id:round_id>/lift-distribution")
class Distribution(MethodView):
    """How a round's lift was spread over authors."""

    @auth_required("me:read")
    @blp.response(200, schemas.DistributionSchema)
    def get(self, round_id: int):
        """Author lift totals of a finished round, and yours."""
        services.get_round(round_id)
        return contributions.distribution(round_id, g.principal.user_id)


@blp.route("/<id:round_id>/proofs/<address>")
@blp.response(200, schemas.ProofOut)
def round_proof(round_id: int, address: str):
    """An address's cumulative amount in a round's Merkle tree, with its proof (public)."""
    return rewards.proof(round_id, address)


@blp.route("/<id:round_id>/card")
@blp.response(200, schemas.CardSchema)
def round_card(round_id: int):
    """A finished round's model card: snapshot and yardstick hashes, config, metrics, the
    contributors' Merkle root (public)."""
    return services.model_card(round_id)


@blp.route("/<id:round_id>/model")
@auth_required("datasets:read", kinds=("lab",))
@blp.response(200, description="The served model and its card, as a .tar.gz")
def download_model(round_id: int):
    """Download a finished round's served model with its model card (labs)."""
    archive = services.model_archive(round_id)
    return send_file(
        archive, mimetype="application/gzip", download_name=f"round-{round_id}-model.tar.gz"
    )


@blp.route("/<id:round_id>/allocation")
@blp.response(200, schemas.AllocationOut)
def round_allocation(round_id: int):
    """Every leaf of a round's Merkle tree and the ledger head it was built from (public)."""
    return allocation.allocation(round_id)
