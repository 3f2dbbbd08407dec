"""Dashboard pages: the landing page, the expert's earnings and a round's lift, claims."""

import json
from functools import lru_cache
from pathlib import Path

from eth_utils import keccak
from flask import Blueprint, abort, current_app, jsonify, render_template

bp = Blueprint(
    "dashboard",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/dashboard/static",
)

CLAIMS_ARTIFACT = Path(__file__).resolve().parents[2] / "chain" / "artifacts" / "LiftClaims.json"
CLAIM_FUNCTION = "claimWithVoucher"


def page_config() -> dict:
    """What the pages' scripts need from the server (no secrets)."""
    return {
        "extension_id": current_app.config.get("EXTENSION_ID") or None,
        "token": {
            "symbol": current_app.config.get("TOKEN_SYMBOL", "LIFT"),
            "decimals": int(current_app.config.get("TOKEN_DECIMALS", 18)),
        },
    }


@bp.get("/")
def landing():
    """What Liftledger is, and the sign-in button."""
    return render_template("dashboard/landing.html", page_config=page_config())


@bp.get("/dashboard")
def dashboard():
    """The expert's dashboard: earnings per round, lift per round, claims, extension link."""
    return render_template("dashboard/dashboard.html", page_config=page_config())


@bp.get("/dashboard/rounds/<id:round_id>")
def round_page(round_id: int):
    """One round: the expert's contributions with their lift, and where they stand."""
    return render_template("dashboard/round.html", page_config=page_config(), round_id=round_id)


@bp.get("/admin/rounds")
def admin_rounds():
    """Admins: start a training round and watch every round's live progress."""
    return render_template("dashboard/admin_rounds.html", page_config=page_config())


@lru_cache(maxsize=1)
def claim_function(path: Path = CLAIMS_ARTIFACT) -> dict | None:
    """The ABI fragment of ``claimWithVoucher`` and its 4-byte selector, or None without it."""
    if not path.is_file():
        return None
    abi = json.loads(path.read_text(encoding="utf-8"))["abi"]
    for item in abi:
        if item.get("type") == "function" and item.get("name") == CLAIM_FUNCTION:
            signature = f"{CLAIM_FUNCTION}({','.join(i['type'] for i in item['inputs'])})"
            return {
                "abi": [item],
                "signature": signature,
                "selector": "0x" + keccak(text=signature)[:4].hex(),
            }
    return None


@bp.get("/dashboard/contract.json")
def contract():
    """The part of LiftClaims' ABI that the claim button needs."""
    fragment = claim_function()
    if fragment is None:
        abort(404)
    return jsonify(fragment)
