"""Request and response schemas for proofs, earnings and claims (amounts as decimal strings)."""

import marshmallow as ma
from marshmallow import validate


class AmountField(ma.fields.Field):
    """An integer amount in base units, written as a decimal string (it may exceed 2**53)."""

    def _serialize(self, value, attr, obj, **kwargs):
        """int -> "123"."""
        return None if value is None else str(int(value))


class ProofOut(ma.Schema):
    """A leaf of a round's Merkle tree and the proof for ``claimWithProof``."""

    round_id = ma.fields.Integer()
    address = ma.fields.String()
    cumulative_amount = AmountField()
    root = ma.fields.String()
    proof = ma.fields.List(ma.fields.String())


class EarningsRound(ma.Schema):
    """What one round credited the caller, and the lift behind it."""

    round_id = ma.fields.Integer()
    credited = AmountField()
    lift = ma.fields.Float(allow_none=True)
    reliability = ma.fields.Float(allow_none=True)
    preferences = ma.fields.Integer(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)
    merkle_root = ma.fields.String(allow_none=True)


class EarningsOut(ma.Schema):
    """The caller's credited, claimed and claimable totals, and per-round credits."""

    address = ma.fields.String()
    total_credited = AmountField()
    total_claimed = AmountField()
    claimable = AmountField()
    rounds = ma.fields.List(ma.fields.Nested(EarningsRound))


class ClaimOut(ma.Schema):
    """A claim and its signed EIP-712 voucher."""

    id = ma.fields.Integer()
    status = ma.fields.String()
    amount = AmountField()
    cumulative_amount = AmountField()
    round_id = ma.fields.Integer(allow_none=True)
    nonce = AmountField()
    deadline = ma.fields.Integer()
    voucher = ma.fields.Dict()
    contract = ma.fields.String(allow_none=True)
    chain_id = ma.fields.Integer()
    tx_hash = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    paid_at = ma.fields.DateTime(allow_none=True)


class PaidIn(ma.Schema):
    """The transaction that redeemed a voucher."""

    tx_hash = ma.fields.String(
        required=True,
        validate=validate.Regexp(r"^0x[0-9a-fA-F]{64}$", error="Must be 0x and 64 hex digits."),
    )
