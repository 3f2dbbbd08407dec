"""Rewards endpoints: Merkle proofs, the caller's earnings, claims and their settlement."""

from flask import g
from flask.views import MethodView

from server.auth.identity import auth_required
from server.openapi import Blueprint
from server.rewards import schemas, services

blp = Blueprint("rewards", __name__, url_prefix="/api/v1", description="Rewards and claims")


@blp.route("/rounds/<id:round_id>/proofs/<address>")
@blp.response(200, schemas.ProofOut)
def round_proof(round_id: int, address: str):
    """An address's cumulative amount in a round's Merkle tree, with its proof (public)."""
    return services.proof(round_id, address)


@blp.route("/me/earnings")
@auth_required("me:read")
@blp.response(200, schemas.EarningsOut)
def my_earnings():
    """Your credited, claimed and claimable totals, and what each round credited you."""
    return services.earnings(g.principal.user_id)


@blp.route("/claims")
class ClaimCollection(MethodView):
    """The caller's claims."""

    @auth_required("rewards", kinds=("access",))
    @blp.response(201, schemas.ClaimOut)
    def post(self):
        """Get a signed voucher for everything claimable; 409 when nothing is."""
        return services.create_claim(g.principal.user_id, g.principal.address)

    @auth_required("rewards", kinds=("access",))
    @blp.response(200, schemas.ClaimOut(many=True))
    def get(self):
        """Your claims, newest first."""
        return services.list_claims(g.principal.user_id)


@blp.route("/claims/<id:claim_id>/paid", methods=["POST"])
@auth_required("rewards", kinds=("access",))
@blp.arguments(schemas.PaidIn)
@blp.response(200, schemas.ClaimOut)
def claim_paid(body: dict, claim_id: int):
    """Record the transaction that redeemed one of your vouchers."""
    return services.mark_paid(g.principal.user_id, claim_id, body["tx_hash"])
