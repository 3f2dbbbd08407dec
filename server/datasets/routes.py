"""Dataset endpoints: labs snapshot, list, read cards and download their own snapshots;
anyone reads the public catalogue; contributors get proofs."""

from flask import Response, current_app, g, request, stream_with_context
from flask.views import MethodView

from server.auth.identity import auth_required
from server.datasets import catalogue, export, royalties, schemas, services, snapshots
from server.extensions import limiter
from server.openapi import Blueprint

blp = Blueprint(
    "datasets", __name__, url_prefix="/api/v1/datasets", description="Datasets for labs"
)
admin_blp = Blueprint(
    "admin_datasets", __name__, url_prefix="/api/v1/admin/datasets", description="Price datasets"
)
LAB = ("lab",)
ANYONE = ("access", "device", "lab")


def _lab_limit() -> str:
    """Per-key limit on lab endpoints (the principal's address names the key)."""
    return current_app.config["RATELIMIT_LABS"]


@blp.route("")
class Datasets(MethodView):
    """Snapshots."""

    @auth_required("datasets:write", kinds=LAB)
    @limiter.limit(_lab_limit)
    @blp.arguments(schemas.DatasetIn)
    @blp.response(201, schemas.DatasetOut)
    def post(self, body: dict):
        """Freeze the live preferences matching the filters as a new immutable version."""
        p = g.principal
        return snapshots.create_snapshot(p.lab_id, p.key_id, body["name"], body["filters"])

    @auth_required("datasets:read", kinds=LAB)
    @limiter.limit(_lab_limit)
    @blp.response(200, schemas.DatasetOut(many=True))
    def get(self):
        """Your lab's snapshots, newest first."""
        return services.list_datasets(g.principal.lab_id)


@blp.route("/catalogue")
@blp.response(200, schemas.CatalogueOut)
def offer():
    """What is on offer (public): live feedback by site, kind and licence, quality, prices."""
    return catalogue.catalogue()


@blp.route("/<id:dataset_id>")
@auth_required("datasets:read", kinds=LAB)
@limiter.limit(_lab_limit)
@blp.response(200, schemas.DatasetOut)
def get_dataset(dataset_id: int):
    """One of your lab's snapshots: filters, counts, licences, Merkle root, price."""
    return services.get_dataset(dataset_id, g.principal.lab_id)


@blp.route("/<id:dataset_id>/card")
@auth_required("datasets:read", kinds=LAB)
@limiter.limit(_lab_limit)
@blp.response(200, content_type="text/markdown")
def card(dataset_id: int):
    """The dataset card (README.md in Hugging Face's format)."""
    text = services.get_dataset(dataset_id, g.principal.lab_id).card
    return Response(text, mimetype="text/markdown")


@blp.route("/<id:dataset_id>/download")
@auth_required("datasets:read", kinds=LAB)
@limiter.limit(_lab_limit)
@blp.arguments(schemas.DownloadQuery, location="query")
@blp.response(200, content_type="application/octet-stream")
def download(query: dict, dataset_id: int):
    """Stream the snapshot as JSONL or Parquet; it is charged to the lab's balance once the
    whole body was sent (402 first when the balance cannot cover it; HEAD costs nothing)."""
    p, fmt = g.principal, query["format"]
    dataset = services.get_dataset(dataset_id, p.lab_id)
    name = f"{dataset.name}-v{dataset.version}.{fmt}"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Price": str(dataset.price),
    }
    if request.method == "HEAD":  # Flask answers HEAD with the GET view: send no body
        return Response(mimetype=export.FORMATS[fmt], headers=headers)
    log = royalties.start_download(dataset, p.lab_id, p.key_id, fmt)
    body = royalties.paid_stream(log.id, export.stream(dataset, fmt))
    headers["X-Download-Id"] = str(log.id)
    return Response(stream_with_context(body), mimetype=export.FORMATS[fmt], headers=headers)


@blp.route("/<id:dataset_id>/proofs/<item_hash>")
@auth_required(kinds=ANYONE)
@blp.response(200, schemas.DatasetProofOut)
def proof(dataset_id: int, item_hash: str):
    """The Merkle proof that an item is in a snapshot (contributors; labs, of their own)."""
    return services.proof(dataset_id, item_hash, g.principal.lab_id)


@blp.route("/<id:dataset_id>/mine")
@auth_required("me:read")
@blp.response(200, schemas.MyItem(many=True))
def mine(dataset_id: int):
    """Your items in a snapshot, each with its item hash (ask for its proof next)."""
    return services.my_items(dataset_id, g.principal.user_id)


@admin_blp.route("/<id:dataset_id>/price", methods=["PUT"])
@auth_required("admin", kinds=("access",))
@admin_blp.arguments(schemas.PriceIn)
@admin_blp.response(200, schemas.DatasetOut)
def set_price(body: dict, dataset_id: int):
    """Set a snapshot's price (admins only), at most DATASET_PRICE_CAP."""
    return services.set_price(dataset_id, body["price"])
