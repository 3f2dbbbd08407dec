"""Dataset schemas: snapshot filters, snapshots, download options, proofs, my items."""

import marshmallow as ma
from marshmallow import ValidationError, validate, validates_schema

from server.feedback.models import KINDS, SITES, TAGS
from server.fields import Text, Timestamp
from server.openapi import Id
from server.rewards.schemas import AmountField

TRAINABLE_LICENCES = ("cc-by-4.0", "research-only")
NAME = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$",
    error="1-80 letters, digits, dots, dashes or underscores, starting with a letter or digit.",
)


def _choices(values: tuple[str, ...], what: str) -> ma.fields.List:
    """A non-empty list of distinct known values."""
    return ma.fields.List(
        Text(validate=validate.OneOf(values, error=f"unknown {what}: {{input}}")),
        validate=validate.Length(min=1, max=len(values)),
    )


class Filters(ma.Schema):
    """Which live preferences enter a snapshot (every filter is optional)."""

    sites = _choices(SITES, "site")
    kinds = _choices(KINDS, "kind")
    tags = _choices(TAGS, "tag")
    created_from = Timestamp()
    created_to = Timestamp()
    licences = ma.fields.List(
        Text(
            validate=validate.OneOf(
                TRAINABLE_LICENCES, error="{input} is not a licence datasets may carry"
            )
        ),
        validate=validate.Length(min=1, max=len(TRAINABLE_LICENCES)),
    )
    min_margin = ma.fields.Float(validate=validate.Range(min=0, max=10))
    min_reliability = ma.fields.Float(validate=validate.Range(min=0, max=1))
    exclude_clusters = ma.fields.List(
        Id(strict=True),
        validate=validate.Length(max=10_000),
    )

    @validates_schema
    def _range(self, data: dict, **kwargs) -> None:
        """created_from must come before created_to."""
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start >= end:
            raise ValidationError("must be after created_from", "created_to")


class DatasetIn(ma.Schema):
    """A new snapshot: a name (versions count up per name in the lab) and filters; its price
    is set by admins, never by the lab (an unknown field such as ``price`` is refused)."""

    name = Text(required=True, validate=NAME)
    filters = ma.fields.Nested(Filters, load_default=dict)


class DatasetOut(ma.Schema):
    """A snapshot: what it holds and how to verify it."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    version = ma.fields.Integer()
    filters = ma.fields.Dict()
    row_count = ma.fields.Integer()
    counts = ma.fields.Dict()
    licences = ma.fields.Dict()
    merkle_root = ma.fields.String()
    price = AmountField()
    created_at = ma.fields.DateTime()


class DownloadQuery(ma.Schema):
    """Download options."""

    format = Text(load_default="parquet", validate=validate.OneOf(("jsonl", "parquet")))


class DatasetProofStep(ma.Schema):
    """A sibling on the way up to the root."""

    side = ma.fields.String()
    hash = ma.fields.String()


class DatasetProofOut(ma.Schema):
    """An item's Merkle proof in a snapshot."""

    dataset_id = ma.fields.Integer()
    item_hash = ma.fields.String()
    position = ma.fields.Integer()
    leaves = ma.fields.Integer()
    root = ma.fields.String()
    proof = ma.fields.List(ma.fields.Nested(DatasetProofStep))


class MyItem(ma.Schema):
    """One of the caller's items in a snapshot."""

    position = ma.fields.Integer()
    pair_id = ma.fields.Integer()
    item_hash = ma.fields.String()


class PriceList(ma.Schema):
    """What snapshots cost: per item, and the most any snapshot costs."""

    per_item = AmountField()
    cap = AmountField()
    symbol = ma.fields.String()
    decimals = ma.fields.Integer()


class Quality(ma.Schema):
    """How reliable the contributors behind the offer have measured."""

    measured_contributors = ma.fields.Integer()
    mean_reliability = ma.fields.Float(allow_none=True)


class CatalogueOut(ma.Schema):
    """The public catalogue: live, trainable feedback in aggregate, and the price list."""

    feedback = ma.fields.Integer()
    sites = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    kinds = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    licences = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    contributors = ma.fields.Integer()
    quality = ma.fields.Nested(Quality)
    price = ma.fields.Nested(PriceList)


class PriceIn(ma.Schema):
    """A snapshot's price, set by an admin."""

    price = AmountField(required=True, metadata={"description": "base units, ASCII digits"})
