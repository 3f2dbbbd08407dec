"""Claim schemas, and the amount field (amounts are decimal strings)."""

import re

import marshmallow as ma
from marshmallow import validate

from server.fields import Text

# ASCII digits only: `\d` would also take Arabic-Indic and other Unicode digits, which
# int() then reads as numbers nobody typed.
_AMOUNT = re.compile(r"[0-9]{1,78}")


def parse_amount(text: str) -> int:
    """A decimal string of ASCII digits as an int in base units; ValueError otherwise."""
    if not isinstance(text, str) or not _AMOUNT.fullmatch(text):
        raise ValueError("an amount is an integer in base units, written in ASCII digits 0-9")
    value = int(text)
    if value >= 2**256:
        raise ValueError("an amount must fit a uint256")
    return value


class AmountField(ma.fields.Field):
    """An integer amount in base units, written as a decimal string (it may exceed 2**53);
    documented in OpenAPI as the string of ASCII digits that parsing takes."""

    def __init__(self, **kwargs) -> None:
        metadata = {"type": "string", "pattern": f"^{_AMOUNT.pattern}$"}
        super().__init__(**{**kwargs, "metadata": {**metadata, **kwargs.get("metadata", {})}})

    def _serialize(self, value, attr, obj, **kwargs):
        """int -> "123"."""
        return None if value is None else str(int(value))

    def _deserialize(self, value, attr, data, **kwargs):
        """ "123" -> 123 (ASCII digits only)."""
        try:
            return parse_amount(value)
        except ValueError as error:
            raise ma.ValidationError(str(error)) from None


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

    tx_hash = Text(
        required=True,
        validate=validate.Regexp(r"^0x[0-9a-fA-F]{64}$", error="Must be 0x and 64 hex digits."),
    )
