"""Round, score and contribution schemas."""

import marshmallow as ma
from marshmallow import validate

from server.openapi import Id


class RoundRequest(ma.Schema):
    """Options of a new round (the rest of reward_model.train.TrainConfig keeps its defaults)."""

    backbone = ma.fields.String(load_default="minilm", validate=validate.Length(1, 200))
    seed = ma.fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1))
    epochs = ma.fields.Float(validate=validate.Range(min=0.01, max=20))
    learning_rate = ma.fields.Float(validate=validate.Range(min=1e-7, max=1.0))
    batch_size = ma.fields.Integer(validate=validate.Range(1, 512))
    max_length = ma.fields.Integer(validate=validate.Range(16, 512))
    lora = ma.fields.Boolean()
    eval_fraction = ma.fields.Float(validate=validate.Range(min=0.05, max=0.5))
    calibration_groups = ma.fields.Integer(validate=validate.Range(0, 500))


class RoundSchema(ma.Schema):
    """A round: status, live progress, metrics, calibration and Merkle root."""

    id = ma.fields.Integer()
    status = ma.fields.String()
    backbone = ma.fields.String()
    seed = ma.fields.Integer()
    config = ma.fields.Dict()
    n_train = ma.fields.Function(lambda r: len(r.train_ids))
    n_heldout = ma.fields.Function(lambda r: len(r.heldout_ids))
    progress = ma.fields.Dict()
    metrics = ma.fields.Dict()
    calibration = ma.fields.Dict()
    error = ma.fields.String(allow_none=True)
    merkle_root = ma.fields.Method("_root")
    created_at = ma.fields.DateTime()
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)

    def _root(self, round_) -> str | None:
        """The round's published Merkle root of cumulative balances."""
        from server.rewards.services import round_root

        return round_root(round_.id)


class ScoreRequest(ma.Schema):
    """A prompt and an answer to score."""

    prompt = ma.fields.String(required=True, validate=validate.Length(1, 100_000))
    answer = ma.fields.String(required=True, validate=validate.Length(1, 100_000))


class ScoreResponse(ma.Schema):
    """The reward the latest round's model gives."""

    score = ma.fields.Float()
    round_id = ma.fields.Integer()


class ContributionQuery(ma.Schema):
    """Which round's contributions."""

    round_id = Id()


class ContributionSchema(ma.Schema):
    """One of my preferences in a round, with its lift and why."""

    round_id = ma.fields.Integer()
    preference_id = ma.fields.Integer()
    lift = ma.fields.Float()
    weight = ma.fields.Float()
    cluster_id = ma.fields.String(allow_none=True)
    source = ma.fields.String()
    prompt = ma.fields.String()
    chosen = ma.fields.String()
    rejected = ma.fields.String()
    explanation = ma.fields.String()


class DistributionSchema(ma.Schema):
    """Author lift totals of a round and the caller's own."""

    round_id = ma.fields.Integer()
    lifts = ma.fields.List(ma.fields.Float())
    mine = ma.fields.Float(allow_none=True)
