"""/api/v1/claims: vouchers for the caller's claimable balance, and their settlement."""

from flask import g
from flask.views import MethodView

from server.auth.identity import auth_required
from server.openapi import Blueprint
from server.rewards import claims, schemas

blp = Blueprint("claims", __name__, url_prefix="/api/v1/claims", description="Claims")


@blp.route("")
class ClaimCollection(MethodView):
    """The caller's claims."""

    @auth_required("rewards", kinds=("access",))
    @blp.response(201, schemas.ClaimOut)
    def post(self):
        """Get a signed voucher for everything claimable; 409 when nothing is."""
        return claims.create_claim(g.principal.user_id, g.principal.address)

    @auth_required("rewards", kinds=("access",))
    @blp.response(200, schemas.ClaimOut(many=True))
    def get(self):
        """Your claims, newest first."""
        return claims.list_claims(g.principal.user_id)


@blp.route("/<id:claim_id>/paid", methods=["POST"])
@auth_required("rewards", kinds=("access",))
@blp.arguments(schemas.PaidIn)
@blp.response(200, schemas.ClaimOut)
def claim_paid(body: dict, claim_id: int):
    """Record the transaction that redeemed one of your vouchers: checked on chain when the
    service has a node (``paid``), else kept as reported (``unverified``)."""
    p = g.principal
    return claims.mark_paid(p.user_id, p.address, claim_id, body["tx_hash"])
