"""Adapter health: browsers report anonymously (no sign-in, rate-limited); admins read counts."""

from server.adapter_health import schemas, services
from server.auth.identity import auth_required
from server.extensions import limiter
from server.openapi import Blueprint

blp = Blueprint(
    "adapter_health", __name__, url_prefix="/api/v1", description="Extension adapter health"
)
REPORT_LIMIT = "30 per hour"


@blp.route("/adapter-health", methods=["POST"])
@limiter.limit(REPORT_LIMIT)
@blp.arguments(schemas.HealthEventIn)
@blp.response(204)
def report(event: dict):
    """Report that a supported page no longer fits the extension's adapter (anonymous)."""
    services.record_event(**event)


@blp.route("/admin/adapter-health", methods=["GET"])
@auth_required("admin", kinds=("access",))
@blp.response(200, schemas.HealthCountOut(many=True))
def counts():
    """Event counts per site, adapter version, selector and problem (admins only)."""
    return services.count_events()
