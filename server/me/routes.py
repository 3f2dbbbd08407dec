"""/api/v1/me: the caller's profile, earnings and contributions."""

from flask import g
from flask.views import MethodView

from server.auth.identity import auth_required
from server.me import schemas, services
from server.openapi import Blueprint
from server.rewards.services import earnings
from server.rounds.contributions import contributions

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The caller's own")


@blp.route("")
class Me(MethodView):
    """The signed-in user's profile."""

    @auth_required("me:read")
    @blp.response(200, schemas.MeSchema)
    def get(self):
        """Who am I: address, role, default licence, reliability."""
        return services.get_user(g.principal.user_id)

    @auth_required("me:write", kinds=("access",))
    @blp.arguments(schemas.MePatchSchema)
    @blp.response(200, schemas.MeSchema)
    def patch(self, body: dict):
        """Change the default licence applied to feedback sent without one."""
        return services.update_user(g.principal.user_id, body)


@blp.route("/earnings")
@auth_required("me:read")
@blp.response(200, schemas.EarningsOut)
def my_earnings():
    """Your credited, claimed and claimable totals, and what each round credited you."""
    return earnings(g.principal.user_id)


@blp.route("/contributions")
@auth_required("me:read")
@blp.arguments(schemas.ContributionQuery, location="query")
@blp.response(200, schemas.ContributionSchema(many=True))
def my_contributions(query: dict):
    """Your preferences' lift per round, each with a one-line explanation."""
    return contributions(g.principal.user_id, query.get("round_id"))
