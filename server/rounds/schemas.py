"""Round schemas: options, status, lift distribution, Merkle proofs."""

import marshmallow as ma
from marshmallow import validate

from server.fields import Text
from server.rewards.schemas import AmountField


class RoundRequest(ma.Schema):
    """Options of a new round (the rest of reward_model.train.TrainConfig keeps its defaults)."""

    backbone = Text(load_default="minilm", validate=validate.Length(1, 200))
    seed = ma.fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1))
    epochs = ma.fields.Float(validate=validate.Range(min=0.01, max=20))
    learning_rate = ma.fields.Float(validate=validate.Range(min=1e-7, max=1.0))
    batch_size = ma.fields.Integer(validate=validate.Range(1, 512))
    max_length = ma.fields.Integer(validate=validate.Range(16, 512))
    lora = ma.fields.Boolean()
    calibration_groups = ma.fields.Integer(validate=validate.Range(0, 500))
    bootstrap_draws = ma.fields.Integer(validate=validate.Range(2, 2000))
    valuation_pooling = Text(validate=validate.OneOf(["mean", "head"]))
    valuation_backbone = Text(
        validate=validate.OneOf(["base", "previous"]),
        metadata={"description": "Features for valuation: the base model (default) or the "
                  "previous finished round's served model; never this round's."},
    )  # fmt: skip
    yardstick_id = ma.fields.Integer(
        metadata={"description": "The admins' yardstick to value on (default: the newest)."}
    )


class RoundSchema(ma.Schema):
    """A round: status, live progress, metrics, calibration and Merkle root."""

    id = ma.fields.Integer()
    status = ma.fields.String()
    backbone = ma.fields.String()
    seed = ma.fields.Integer()
    config = ma.fields.Dict()
    n_train = ma.fields.Integer()
    yardstick_id = ma.fields.Integer(allow_none=True)
    yardstick_hash = ma.fields.String(allow_none=True)
    card = ma.fields.Dict()
    progress = ma.fields.Dict()
    metrics = ma.fields.Dict()
    calibration = ma.fields.Dict()
    error = ma.fields.String(allow_none=True)
    merkle_root = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)


class DistributionSchema(ma.Schema):
    """Author lift totals of a round and the caller's own."""

    round_id = ma.fields.Integer()
    lifts = ma.fields.List(ma.fields.Float())
    mine = ma.fields.Float(allow_none=True)


class ProofOut(ma.Schema):
    """A leaf of a round's Merkle tree and the proof for ``claimWithProof``."""

    round_id = ma.fields.Integer()
    address = ma.fields.String()
    cumulative_amount = AmountField()
    root = ma.fields.String()
    ledger_seq = ma.fields.Integer(allow_none=True)
    ledger_hash = ma.fields.String(allow_none=True)
    proof = ma.fields.List(ma.fields.String())


class AllocationOut(ma.Schema):
    """A round's allocation file: rebuild ``root`` from ``values`` with OpenZeppelin's
    ``StandardMerkleTree.of(values, leaf_encoding)``."""

    round_id = ma.fields.Integer()
    root = ma.fields.String()
    leaves = ma.fields.Integer()
    total = AmountField()
    ledger_seq = ma.fields.Integer(allow_none=True)
    ledger_hash = ma.fields.String(allow_none=True)
    leaf_encoding = ma.fields.List(ma.fields.String())
    values = ma.fields.List(ma.fields.List(ma.fields.String()))


class CardSchema(ma.Schema):
    """A round's model card."""

    round_id = ma.fields.Integer()
    snapshot_hash = ma.fields.String()
    n_pairs = ma.fields.Integer()
    yardstick_hash = ma.fields.String()
    n_yardstick = ma.fields.Integer()
    train_config = ma.fields.Dict()
    round_config = ma.fields.Dict()
    metrics = ma.fields.Dict()
    contributors_merkle_root = ma.fields.String(allow_none=True)
