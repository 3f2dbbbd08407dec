"""Yardstick schemas: an import of prompt/chosen/rejected rows and a version's metadata."""

import marshmallow as ma
from marshmallow import validate

from reward_model.yardstick import MAX_TEXT
from server.fields import Text


class YardstickRow(ma.Schema):
    """One reference judgement."""

    prompt = Text(required=True, validate=validate.Length(0, MAX_TEXT))
    chosen = Text(required=True, validate=validate.Length(1, MAX_TEXT))
    rejected = Text(required=True, validate=validate.Length(1, MAX_TEXT))


class YardstickIn(ma.Schema):
    """A yardstick to import: its name, its pairs and, for a lab's own, the lab."""

    name = Text(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9._-]{0,79}$"))
    pairs = ma.fields.List(
        ma.fields.Nested(YardstickRow), required=True, validate=validate.Length(2, 100_000)
    )
    lab_id = ma.fields.Integer(load_default=None, allow_none=True)


class YardstickOut(ma.Schema):
    """A yardstick version's metadata (never its pairs)."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    version = ma.fields.Integer()
    lab_id = ma.fields.Integer(allow_none=True)
    content_hash = ma.fields.String()
    n_pairs = ma.fields.Integer()
    source = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
