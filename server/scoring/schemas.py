"""Score request and response."""

import marshmallow as ma
from marshmallow import validate

from server.fields import Text


class ScoreRequest(ma.Schema):
    """A prompt and an answer to score."""

    prompt = Text(required=True, validate=validate.Length(1, 100_000))
    answer = Text(required=True, validate=validate.Length(1, 100_000))


class ScoreResponse(ma.Schema):
    """The reward the latest round's model gives."""

    score = ma.fields.Float()
    round_id = ma.fields.Integer()
