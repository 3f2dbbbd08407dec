"""Schemas of adapter-health events and their per-site, per-version counts."""

import marshmallow as ma
from marshmallow import validate

from server.adapter_health.models import PROBLEMS
from server.feedback.models import SITES
from server.fields import Text


class HealthEventIn(ma.Schema):
    """What the extension reports; unknown fields are refused, so nothing personal rides along."""

    class Meta:
        unknown = ma.RAISE

    site = Text(required=True, validate=validate.OneOf(SITES))
    adapter_version = Text(required=True, validate=validate.Length(min=1, max=20))
    selector = Text(required=True, validate=validate.Length(min=1, max=200))
    problem = Text(required=True, validate=validate.OneOf(PROBLEMS))


class HealthCountOut(ma.Schema):
    """Events for one site, adapter version, selector and problem."""

    site = ma.fields.String()
    adapter_version = ma.fields.String()
    selector = ma.fields.String()
    problem = ma.fields.String()
    count = ma.fields.Integer()
    last_seen = ma.fields.DateTime()
