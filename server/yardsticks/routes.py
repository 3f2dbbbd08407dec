"""/api/v1/admin/yardsticks: admins import yardsticks and list their versions (never pairs)."""

from flask import g

from server.auth.identity import auth_required
from server.openapi import Blueprint
from server.yardsticks import schemas, services

blp = Blueprint(
    "admin_yardsticks",
    __name__,
    url_prefix="/api/v1/admin/yardsticks",
    description="Reference preference sets lift is measured on",
)


@blp.route("", methods=["POST"])
@auth_required("admin", kinds=("access",))
@blp.arguments(schemas.YardstickIn)
@blp.response(201, schemas.YardstickOut)
def import_yardstick(body: dict):
    """Import a yardstick (a new version of its name; the same content returns the latest)."""
    yardstick, _ = services.import_rows(
        body["pairs"], body["name"], lab_id=body["lab_id"], user_id=g.principal.user_id
    )
    return yardstick


@blp.route("", methods=["GET"])
@auth_required("admin", kinds=("access",))
@blp.response(200, schemas.YardstickOut(many=True))
def list_yardsticks():
    """Every yardstick version, newest first: name, version, owner, content hash, size."""
    return services.list_yardsticks()
