"""Adapter health: browsers report anonymously (no sign-in, rate-limited); admins read counts."""

from server.adapter_health import schemas, services
from server.auth.identity import auth_required
from server.extensions import limiter
from server.openapi import Blueprint

blp = Blueprint(
    "adapter_health",
    __name__,
    url_prefix="/api/v1/adapter-health",
    description="Extension adapter health",
)
admin_blp = Blueprint(
    "admin_adapter_health",
    __name__,
    url_prefix="/api/v1/admin/adapter-health",
    description="Adapter health counts",
)
REPORT_LIMIT = "30 per hour"


@blp.route("", methods=["POST"])
@limiter.limit(REPORT_LIMIT)
@blp.arguments(schemas.HealthEventIn)
@blp.response(204)
def report(event: dict):
    """Report that a supported page no longer fits the extension's adapter (anonymous)."""
    services.record_event(**event)


@admin_blp.route("", methods=["GET"])
@auth_required("admin", kinds=("access",))
@admin_blp.response(200, schemas.HealthCountOut(many=True))
def counts():
    """Event counts per site, adapter version, selector and problem (admins only)."""
    return services.count_events()
