"""/api/v1/labs: a lab's own account (balance and charges), read with its API key; and
/api/v1/admin/labs: admins credit a lab's balance."""

from flask import g

from server.auth.identity import auth_required
from server.extensions import db
from server.labs import accounts, schemas
from server.labs.models import Lab
from server.openapi import Blueprint

blp = Blueprint("labs", __name__, url_prefix="/api/v1/labs", description="Lab accounts")
admin_blp = Blueprint(
    "admin_labs", __name__, url_prefix="/api/v1/admin/labs", description="Credit lab balances"
)


@admin_blp.route("/<name>/deposits", methods=["POST"])
@auth_required("admin", kinds=("access",))
@admin_blp.arguments(schemas.DepositIn)
@admin_blp.response(201, schemas.AccountOut)
def deposit(body: dict, name: str):
    """Credit a lab's balance (admins only); the lab's account after it."""
    line = accounts.credit_lab(name, body["amount"], body["note"])
    return {"lab": name, **accounts.account(line.lab_id)}


@blp.route("/me")
@auth_required("datasets:read", kinds=("lab",))
@blp.response(200, schemas.AccountOut)
def my_account():
    """Your lab's balance: deposits, charges, holds of downloads streaming, available."""
    lab_id = g.principal.lab_id
    return {"lab": db.session.get(Lab, lab_id).name, **accounts.account(lab_id)}


@blp.route("/me/charges")
@auth_required("datasets:read", kinds=("lab",))
@blp.response(200, schemas.ChargeOut(many=True))
def my_charges():
    """Your lab's charges, newest first: one per completed priced download."""
    return accounts.charges(g.principal.lab_id)
