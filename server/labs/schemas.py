"""Lab account schemas: the balance and the charges (amounts are decimal strings)."""

import marshmallow as ma

from server.fields import Text
from server.rewards.schemas import AmountField


class AccountOut(ma.Schema):
    """A lab's account: deposits, charges, balance, what streaming downloads hold."""

    lab = ma.fields.String()
    deposited = AmountField()
    charged = AmountField()
    balance = AmountField()
    held = AmountField()
    available = AmountField()


class ChargeOut(ma.Schema):
    """One completed, charged download."""

    download_id = ma.fields.Integer()
    dataset_id = ma.fields.Integer()
    dataset = ma.fields.String()
    format = ma.fields.String()
    amount = AmountField()
    charged_at = ma.fields.DateTime()


class DepositIn(ma.Schema):
    """An admin's deposit to a lab's balance."""

    amount = AmountField(required=True, metadata={"description": "base units, ASCII digits"})
    note = Text(validate=ma.validate.Length(max=200), load_default=None)
