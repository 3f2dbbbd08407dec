"""Gold schemas: an offer request and the comparison offered, an answer, accuracy, and the
admins' pool import and listing."""

import marshmallow as ma
from marshmallow import validate

from server.fields import Text
from server.gold.models import CHOICES
from server.gold.services import REASONS
from server.openapi import Id
from server.yardsticks.schemas import YardstickRow


class OfferIn(ma.Schema):
    """Why a comparison is asked for: after a rating (the server's rate decides) or on purpose
    from the calibrate card."""

    reason = Text(load_default="rating", validate=validate.OneOf(REASONS))


class GoldComparison(ma.Schema):
    """A gold comparison shown as an ordinary A/B choice."""

    item_id = ma.fields.Integer()
    prompt = ma.fields.String()
    a = ma.fields.String()
    b = ma.fields.String()


class OfferOut(ma.Schema):
    """The comparison to show now, or null."""

    offer = ma.fields.Nested(GoldComparison, allow_none=True)


class AnswerIn(ma.Schema):
    """The rater's choice on an offered comparison."""

    item_id = Id(required=True)
    choice = Text(required=True, validate=validate.OneOf(CHOICES))


class AnswerOut(ma.Schema):
    """A stored answer (whether it was right is not said per item)."""

    item_id = ma.fields.Integer()
    choice = ma.fields.String()
    answered_at = ma.fields.DateTime()


class AccuracyOut(ma.Schema):
    """Accuracy on gold items with its 95% Wilson interval."""

    answered = ma.fields.Integer()
    correct = ma.fields.Integer()
    accuracy = ma.fields.Float(allow_none=True)
    low = ma.fields.Float()
    high = ma.fields.Float()
    confidence = ma.fields.Float()


class PoolIn(ma.Schema):
    """A gold pool to import: its name and its comparisons (`chosen` is the better answer)."""

    pool = Text(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9._-]{0,79}$"))
    items = ma.fields.List(
        ma.fields.Nested(YardstickRow), required=True, validate=validate.Length(2, 100_000)
    )


class PoolOut(ma.Schema):
    """A pool version's metadata (never its texts)."""

    pool = ma.fields.String()
    version = ma.fields.Integer()
    n_items = ma.fields.Integer()
    active = ma.fields.Boolean()
    content_hash = ma.fields.String()
    source = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(allow_none=True)
