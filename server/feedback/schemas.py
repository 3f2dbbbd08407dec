"""Feedback schemas: what the extension sends, what the API returns, list filters."""

import marshmallow as ma
from marshmallow import ValidationError, validate, validates_schema

from server.auth.models import LICENCES
from server.feedback.models import CHOICES, KINDS, SITES, TAGS
from server.feedback.quick_dump import QuickDump
from server.fields import Text, Timestamp
from server.openapi import MAX_ID

_ID = validate.Length(min=1, max=128)
_TEXT = validate.Length(min=1, max=100_000)


class SpanSchema(ma.Schema):
    """A tagged character range of the answer: ``answer[start:end]``."""

    # Strict: 4.5 is refused, not truncated to 4. Offsets count Unicode code points.
    start = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    end = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    tag = Text(required=True, validate=validate.OneOf(TAGS))


class OtherAnswerSchema(ma.Schema):
    """The second answer of a pairwise judgement ("b")."""

    message_id = Text(allow_none=True, load_default=None, validate=_ID)
    text = Text(required=True, validate=_TEXT)
    model_name = Text(allow_none=True, load_default=None, validate=_ID)


class FeedbackIn(ma.Schema):
    """One piece of feedback as the extension captures it."""

    client_id = ma.fields.UUID(required=True)
    site = Text(required=True, validate=validate.OneOf(SITES))
    conversation_id = Text(allow_none=True, load_default=None, validate=_ID)
    message_id = Text(allow_none=True, load_default=None, validate=_ID)
    model_name = Text(allow_none=True, load_default=None, validate=_ID)
    prompt = Text(required=True, validate=_TEXT)
    answer = Text(required=True, validate=_TEXT)
    kind = Text(required=True, validate=validate.OneOf(KINDS))
    rating = ma.fields.Integer(
        allow_none=True, load_default=None, strict=True, validate=validate.OneOf([-1, 1])
    )
    tags = ma.fields.List(
        Text(validate=validate.OneOf(TAGS)),
        load_default=list,
        validate=validate.Length(max=len(TAGS)),
    )
    spans = ma.fields.List(
        ma.fields.Nested(SpanSchema), load_default=list, validate=validate.Length(max=100)
    )
    comment = Text(allow_none=True, load_default=None, validate=validate.Length(max=5000))
    corrected_text = Text(allow_none=True, load_default=None, validate=_TEXT)
    other_answer = ma.fields.Nested(OtherAnswerSchema, allow_none=True, load_default=None)
    choice = Text(allow_none=True, load_default=None, validate=validate.OneOf(CHOICES))
    licence = Text(allow_none=True, load_default=None, validate=validate.OneOf(LICENCES))
    captured_at = Timestamp(allow_none=True, load_default=None)

    def load(self, data, *, many=None, partial=None, unknown=None):
        """The schema's load, through ``quick_load`` first when the call is a plain one: it
        returns the same dict for a plainly valid item at a fraction of the cost, and None for
        anything else, which the full load then loads (and words the errors of)."""
        if many is None and partial is None and unknown is None and not self.many:
            # Imported here: quick_load reads this schema's fields, so it imports this module.
            from server.feedback.quick_load import quick_load

            loaded = quick_load(data)
            if loaded is not None:
                return loaded
        return super().load(data, many=many, partial=partial, unknown=unknown)

    def full_load(self, data) -> dict:
        """marshmallow's own load, field by field: what ``quick_load`` must agree with."""
        return super().load(data)

    @validates_schema
    def check_kind(self, data: dict, **kwargs) -> None:
        """Each kind carries what it needs; spans lie inside the answer."""
        errors = kind_errors(data)
        if errors:
            raise ValidationError(errors)


def kind_errors(data: dict) -> dict:
    """What a loaded item lacks for its kind, or spans outside its answer (by field)."""
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
    return errors


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


class FeedbackOut(QuickDump, ma.Schema):
    """A stored feedback row with its answer."""

    id = ma.fields.Integer()
    client_id = Text()
    answer_id = ma.fields.Integer()
    site = Text(attribute="answer.site")
    conversation_id = Text(attribute="answer.conversation_id", allow_none=True)
    message_id = Text(attribute="answer.message_id", allow_none=True)
    model_name = Text(attribute="answer.model_name", allow_none=True)
    prompt = Text(attribute="answer.prompt_text")
    answer = Text(attribute="answer.answer_text")
    kind = Text()
    rating = ma.fields.Integer(allow_none=True)
    tags = ma.fields.List(Text())
    spans = ma.fields.List(ma.fields.Nested(SpanSchema))
    comment = Text(allow_none=True)
    corrected_text = Text(allow_none=True)
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
    choice = Text(allow_none=True)
    licence = Text()
    captured_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    withdrawn_at = ma.fields.DateTime(allow_none=True)
    superseded_at = ma.fields.DateTime(allow_none=True)
    superseded_by = ma.fields.Integer(attribute="superseded_by_id", allow_none=True)
    cluster_id = ma.fields.Integer(allow_none=True)


class BatchResult(ma.Schema):
    """The outcome for one batch item, in request order."""

    client_id = Text(allow_none=True)
    status = Text()
    id = ma.fields.Integer(allow_none=True)
    errors = ma.fields.Dict(allow_none=True)


class BatchOut(QuickDump, ma.Schema):
    """Results of a batch, one per item."""

    results = ma.fields.List(ma.fields.Nested(BatchResult))


class FeedbackQuery(ma.Schema):
    """Filters for listing one's own feedback."""

    kind = Text(validate=validate.OneOf(KINDS))
    site = Text(validate=validate.OneOf(SITES))
    since = Timestamp()
    until = Timestamp()
    include_history = ma.fields.Boolean(load_default=False)
    # Keyset paging: a page costs the same however deep it is, and no count is taken.
    cursor = ma.fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "The X-Next-Cursor of the previous page (omit for the first)."},
    )
    page_size = ma.fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))


NEXT_CURSOR_HEADER = {
    "X-Next-Cursor": {
        "description": "Pass as `cursor` for the next page; absent on the last page.",
        "schema": {"type": "integer", "minimum": 1},
    }
}


class FeedbackPatch(ma.Schema):
    """Fields a user may edit after sending; at least one."""

    OPENAPI_EXTRAS = {"minProperties": 1}

    rating = ma.fields.Integer(allow_none=True, strict=True, validate=validate.OneOf([-1, 1]))
    tags = ma.fields.List(Text(validate=validate.OneOf(TAGS)))
    spans = ma.fields.List(ma.fields.Nested(SpanSchema), validate=validate.Length(max=100))
    comment = Text(allow_none=True, validate=validate.Length(max=5000))
    corrected_text = Text(allow_none=True, validate=_TEXT)
    choice = Text(validate=validate.OneOf(CHOICES))
    licence = Text(validate=validate.OneOf(LICENCES))

    @validates_schema
    def check_not_empty(self, data: dict, **kwargs) -> None:
        """An edit changes something: an empty body is refused, not a silent no-op."""
        if not data:
            raise ValidationError("Send at least one field to change.", "_schema")
