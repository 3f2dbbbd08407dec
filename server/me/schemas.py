"""Schemas of the caller's own resources: profile, earnings, contributions."""

import marshmallow as ma
from marshmallow import validate

from server.auth.models import LICENCES
from server.fields import Text
from server.openapi import Id
from server.rewards.schemas import AmountField


class MeSchema(ma.Schema):
    """The caller's profile."""

    address = Text()
    role = Text()
    default_licence = Text()
    reliability = ma.fields.Float(allow_none=True)
    created_at = ma.fields.DateTime()


class MePatchSchema(ma.Schema):
    """Profile fields a user may change (the one there is, so it is required)."""

    default_licence = Text(required=True, validate=validate.OneOf(LICENCES))


class EarningsRound(ma.Schema):
    """What one round credited the caller, and the lift behind it."""

    round_id = ma.fields.Integer()
    credited = AmountField()
    lift = ma.fields.Float(allow_none=True)
    reliability = ma.fields.Float(allow_none=True)
    preferences = ma.fields.Integer(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)
    merkle_root = Text(allow_none=True)


class EarningsOut(ma.Schema):
    """The caller's credited, claimed and claimable totals, and per-round credits."""

    address = Text()
    total_credited = AmountField()
    total_claimed = AmountField()
    claimable = AmountField()
    rounds = ma.fields.List(ma.fields.Nested(EarningsRound))


class ContributionQuery(ma.Schema):
    """Which round's contributions."""

    round_id = Id()


class ContributionSchema(ma.Schema):
    """One of my preferences in a round, with its lift and why."""

    round_id = ma.fields.Integer()
    preference_id = ma.fields.Integer()
    lift = ma.fields.Float()
    weight = ma.fields.Float()
    cluster_id = Text(allow_none=True)
    source = Text()
    prompt = Text()
    chosen = Text()
    rejected = Text()
    explanation = Text()
    copy_of = ma.fields.Integer(
        allow_none=True, metadata={"description": "The earlier post this one copies."}
    )
    copy_line = Text(
        allow_none=True, metadata={"description": "Why a copy of an earlier post earns 0."}
    )
    your_lift = Text(metadata={"description": "Your lift per pair, ± its error."})
    rule = Text(metadata={"description": "How lift becomes a payout."})
