"""Feedback schemas: what the extension sends, what the API returns, list filters."""

import marshmallow as ma
from marshmallow import ValidationError, validate, validates_schema

from server.auth.models import LICENCES
from server.feedback.models import CHOICES, KINDS, SITES, TAGS

_ID = validate.Length(min=1, max=128)
_TEXT = validate.Length(min=1, max=100_000)


class SpanSchema(ma.Schema):
    """A tagged character range of the answer: ``answer[start:end]``."""

    start = ma.fields.Integer(required=True, validate=validate.Range(min=0))
    end = ma.fields.Integer(required=True, validate=validate.Range(min=1))
    tag = ma.fields.String(required=True, validate=validate.OneOf(TAGS))


class OtherAnswerSchema(ma.Schema):
    """The second answer of a pairwise judgement ("b")."""

    message_id = ma.fields.String(allow_none=True, load_default=None, validate=_ID)
    text = ma.fields.String(required=True, validate=_TEXT)
    model_name = ma.fields.String(allow_none=True, load_default=None, validate=_ID)


class FeedbackIn(ma.Schema):
    """One piece of feedback as the extension captures it."""

    client_id = ma.fields.UUID(required=True)
    site = ma.fields.String(required=True, validate=validate.OneOf(SITES))
    conversation_id = ma.fields.String(allow_none=True, load_default=None, validate=_ID)
    message_id = ma.fields.String(allow_none=True, load_default=None, validate=_ID)
    model_name = ma.fields.String(allow_none=True, load_default=None, validate=_ID)
    prompt = ma.fields.String(required=True, validate=_TEXT)
    answer = ma.fields.String(required=True, validate=_TEXT)
    kind = ma.fields.String(required=True, validate=validate.OneOf(KINDS))
    rating = ma.fields.Integer(allow_none=True, load_default=None, validate=validate.OneOf([-1, 1]))
    tags = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(TAGS)),
        load_default=list,
        validate=validate.Length(max=len(TAGS)),
    )
    spans = ma.fields.List(
        ma.fields.Nested(SpanSchema), load_default=list, validate=validate.Length(max=100)
    )
    comment = ma.fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=5000)
    )
    corrected_text = ma.fields.String(allow_none=True, load_default=None, validate=_TEXT)
    other_answer = ma.fields.Nested(OtherAnswerSchema, allow_none=True, load_default=None)
    choice = ma.fields.String(allow_none=True, load_default=None, validate=validate.OneOf(CHOICES))
    licence = ma.fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(LICENCES)
    )
    captured_at = ma.fields.AwareDateTime(allow_none=True, load_default=None)

    @validates_schema
    def check_kind(self, data: dict, **kwargs) -> None:
        """Each kind carries what it needs; spans lie inside the answer."""
        kind, errors = data.get("kind"), {}
        if kind == "rating" and data.get("rating") is None:
            errors["rating"] = ["required for kind=rating (-1 or 1)"]
        if kind == "correction":
            corrected = data.get("corrected_text")
            if not corrected or not corrected.strip():
                errors["corrected_text"] = ["required for kind=correction"]
            elif corrected.strip() == (data.get("answer") or "").strip():
                errors["corrected_text"] = ["must differ from the answer"]
        if kind == "pairwise":
            if data.get("other_answer") is None:
                errors["other_answer"] = ["required for kind=pairwise"]
            if data.get("choice") is None:
                errors["choice"] = ["required for kind=pairwise (a, b or tie)"]
        elif data.get("choice") is not None or data.get("other_answer") is not None:
            errors["choice"] = ["only pairwise feedback has a choice and another answer"]
        span_errors = _span_errors(data.get("spans") or [], data.get("answer") or "")
        if span_errors:
            errors["spans"] = span_errors
        if errors:
            raise ValidationError(errors)


def _span_errors(spans: list[dict], answer: str) -> dict:
    """Per-span errors for spans that fall outside the answer or are empty."""
    errors = {}
    for index, span in enumerate(spans):
        if span["end"] <= span["start"]:
            errors[index] = ["end must be greater than start"]
        elif span["end"] > len(answer):
            errors[index] = [f"end {span['end']} is past the answer's length {len(answer)}"]
    return errors


class BatchIn(ma.Schema):
    """Up to 500 feedback items; each is validated on its own."""

    items = ma.fields.List(
        ma.fields.Dict(), required=True, validate=validate.Length(min=1, max=500)
    )


class FeedbackOut(ma.Schema):
    """A stored feedback row with its answer."""

    id = ma.fields.Integer()
    client_id = ma.fields.String()
    answer_id = ma.fields.Integer()
    site = ma.fields.String(attribute="answer.site")
    conversation_id = ma.fields.String(attribute="answer.conversation_id", allow_none=True)
    message_id = ma.fields.String(attribute="answer.message_id", allow_none=True)
    model_name = ma.fields.String(attribute="answer.model_name", allow_none=True)
    prompt = ma.fields.String(attribute="answer.prompt_text")
    answer = ma.fields.String(attribute="answer.answer_text")
    kind = ma.fields.String()
    rating = ma.fields.Integer(allow_none=True)
    tags = ma.fields.List(ma.fields.String())
    spans = ma.fields.List(ma.fields.Nested(SpanSchema))
    comment = ma.fields.String(allow_none=True)
    corrected_text = ma.fields.String(allow_none=True)
    other_answer = ma.fields.Function(
        lambda f: (
            None
            if f.other_answer is None
            else {
                "message_id": f.other_answer.message_id,
                "text": f.other_answer.answer_text,
                "model_name": f.other_answer.model_name,
            }
        )
    )
    choice = ma.fields.String(allow_none=True)
    licence = ma.fields.String()
    captured_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    withdrawn_at = ma.fields.DateTime(allow_none=True)
    superseded_at = ma.fields.DateTime(allow_none=True)
    superseded_by = ma.fields.Integer(attribute="superseded_by_id", allow_none=True)
    cluster_id = ma.fields.Integer(allow_none=True)


class BatchResult(ma.Schema):
    """The outcome for one batch item, in request order."""

    client_id = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    id = ma.fields.Integer(allow_none=True)
    errors = ma.fields.Dict(allow_none=True)


class BatchOut(ma.Schema):
    """Results of a batch, one per item."""

    results = ma.fields.List(ma.fields.Nested(BatchResult))


class FeedbackQuery(ma.Schema):
    """Filters for listing one's own feedback."""

    kind = ma.fields.String(validate=validate.OneOf(KINDS))
    site = ma.fields.String(validate=validate.OneOf(SITES))
    since = ma.fields.AwareDateTime()
    until = ma.fields.AwareDateTime()
    include_history = ma.fields.Boolean(load_default=False)


class FeedbackPatch(ma.Schema):
    """Fields a user may edit after sending."""

    rating = ma.fields.Integer(allow_none=True, validate=validate.OneOf([-1, 1]))
    tags = ma.fields.List(ma.fields.String(validate=validate.OneOf(TAGS)))
    spans = ma.fields.List(ma.fields.Nested(SpanSchema), validate=validate.Length(max=100))
    comment = ma.fields.String(allow_none=True, validate=validate.Length(max=5000))
    corrected_text = ma.fields.String(allow_none=True, validate=_TEXT)
    choice = ma.fields.String(validate=validate.OneOf(CHOICES))
    licence = ma.fields.String(validate=validate.OneOf(LICENCES))
