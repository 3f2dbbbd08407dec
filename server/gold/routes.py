"""/api/v1/gold: raters are offered gold comparisons, answer them and read their accuracy;
/api/v1/admin/gold: admins import pools and list their versions (never the texts)."""

from flask import current_app, g

from server.auth.identity import auth_required
from server.gold import pools, schemas, services
from server.openapi import Blueprint

blp = Blueprint(
    "gold", __name__, url_prefix="/api/v1/gold", description="Gold comparisons for raters"
)
admin_blp = Blueprint(
    "admin_gold",
    __name__,
    url_prefix="/api/v1/admin/gold",
    description="Gold pools: reference comparisons with known answers",
)


@blp.route("/offer", methods=["POST"])
@auth_required("feedback:write")
@blp.arguments(schemas.OfferIn)
@blp.response(200, schemas.OfferOut)
def offer(body: dict):
    """Ask whether to show a gold comparison now; the server decides (rate and daily cap)."""
    config = current_app.config
    shown = services.offer(
        g.principal.user_id, body["reason"], config["GOLD_OFFER_RATE"], config["GOLD_DAILY_CAP"]
    )
    return {"offer": shown}


@blp.route("/answers", methods=["POST"])
@auth_required("feedback:write")
@blp.arguments(schemas.AnswerIn)
@blp.response(201, schemas.AnswerOut)
@blp.alt_response(200, schema=schemas.AnswerOut, description="The same answer, already stored")
def answer(body: dict):
    """Answer an offered comparison (201; the same answer again 200; another one 409)."""
    stored, created = services.answer(g.principal.user_id, body["item_id"], body["choice"])
    return stored, 201 if created else 200


@blp.route("/accuracy", methods=["GET"])
@auth_required("me:read")
@blp.response(200, schemas.AccuracyOut)
def accuracy():
    """Your accuracy on gold comparisons, with its 95% interval."""
    return services.accuracy(g.principal.user_id)


@admin_blp.route("", methods=["POST"])
@auth_required("admin", kinds=("access",))
@admin_blp.arguments(schemas.PoolIn)
@admin_blp.response(201, schemas.PoolOut)
def import_pool(body: dict):
    """Import a gold pool (a new active version; the same content returns the latest)."""
    summary, _ = pools.import_rows(body["items"], body["pool"], user_id=g.principal.user_id)
    return summary


@admin_blp.route("", methods=["GET"])
@auth_required("admin", kinds=("access",))
@admin_blp.response(200, schemas.PoolOut(many=True))
def list_pools():
    """Every gold pool version: name, version, size, whether active, content hash."""
    return pools.list_pools()
