"""Dataset endpoints: labs snapshot, list, read cards and download; contributors get proofs."""

from flask import Response, current_app, g, stream_with_context
from flask.views import MethodView

from server.auth.identity import auth_required
from server.datasets import export, royalties, schemas, services, snapshots
from server.extensions import limiter
from server.openapi import Blueprint

blp = Blueprint(
    "datasets", __name__, url_prefix="/api/v1/datasets", description="Datasets for labs"
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
        return snapshots.create_snapshot(
            p.lab_id, p.key_id, body["name"], body["filters"], int(body["price"])
        )

    @auth_required("datasets:read", kinds=LAB)
    @limiter.limit(_lab_limit)
    @blp.response(200, schemas.DatasetOut(many=True))
    def get(self):
        """Every snapshot, newest first."""
        return services.list_datasets()


@blp.route("/<id:dataset_id>")
@auth_required("datasets:read", kinds=LAB)
@limiter.limit(_lab_limit)
@blp.response(200, schemas.DatasetOut)
def get_dataset(dataset_id: int):
    """One snapshot: filters, counts, licences, Merkle root, price."""
    return services.get_dataset(dataset_id)


@blp.route("/<id:dataset_id>/card")
@auth_required("datasets:read", kinds=LAB)
@limiter.limit(_lab_limit)
@blp.response(200, content_type="text/markdown")
def card(dataset_id: int):
    """The dataset card (README.md in Hugging Face's format)."""
    text = services.get_dataset(dataset_id).card
    return Response(text, mimetype="text/markdown")


@blp.route("/<id:dataset_id>/download")
@auth_required("datasets:read", kinds=LAB)
@limiter.limit(_lab_limit)
@blp.arguments(schemas.DownloadQuery, location="query")
@blp.response(200, content_type="application/octet-stream")
def download(query: dict, dataset_id: int):
    """Stream the snapshot as JSONL or Parquet; the download is logged (and paid for)."""
    dataset = services.get_dataset(dataset_id)
    fmt = query["format"]
    log = royalties.record_download(dataset, g.principal.lab_id, g.principal.key_id, fmt)
    name = f"{dataset.name}-v{dataset.version}.{fmt}"
    body = stream_with_context(export.stream(dataset, fmt))
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Download-Id": str(log.id),
    }
    return Response(body, mimetype=export.FORMATS[fmt], headers=headers)


@blp.route("/<id:dataset_id>/proofs/<item_hash>")
@auth_required(kinds=ANYONE)
@blp.response(200, schemas.DatasetProofOut)
def proof(dataset_id: int, item_hash: str):
    """The Merkle proof that an item is in a snapshot (contributors and labs)."""
    return services.proof(dataset_id, item_hash)


@blp.route("/<id:dataset_id>/mine")
@auth_required("me:read")
@blp.response(200, schemas.MyItem(many=True))
def mine(dataset_id: int):
    """Your items in a snapshot, each with its item hash (ask for its proof next)."""
    return services.my_items(dataset_id, g.principal.user_id)
