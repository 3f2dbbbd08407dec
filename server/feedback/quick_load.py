"""A batch item's load without marshmallow's per-field machinery, for plainly valid items.

A 500-item batch spent half its time in ``FeedbackIn.load``: about twenty fields and a nested
schema per span, each through marshmallow's getter, error store and hook lookup. Most items
are plainly valid, so ``quick_load`` checks them directly with the schema's own fields,
validators and defaults, and gives the same dict ``FeedbackIn().load`` would. Anything it is
not sure of (a wrong type, a failed validator, an unknown key, a timestamp) it hands back as
None, and the schema then loads the item and words the errors: error messages have one
source.
"""

import uuid

import marshmallow as ma
from marshmallow import ValidationError

from server.feedback.schemas import FeedbackIn, OtherAnswerSchema, SpanSchema, kind_errors
from server.fields import Text, unstorable

_ITEM = FeedbackIn()
_OTHER = OtherAnswerSchema()
_SPAN = SpanSchema()


class _Unsure(Exception):
    """The item needs the schema's full load (it may be invalid)."""


def _checked(field: ma.fields.Field, value):
    """The field's loaded value for a JSON scalar of the plain kind, or _Unsure."""
    if value is None:
        if not field.allow_none:
            raise _Unsure
        return None
    if isinstance(field, Text):
        if not isinstance(value, str) or unstorable(value):
            raise _Unsure
    elif isinstance(field, ma.fields.Integer) and field.strict:
        if type(value) is not int:  # bool is refused, as marshmallow's strict Integer does
            raise _Unsure
    else:
        raise _Unsure
    return _validated(field, value)


def _validated(field: ma.fields.Field, value):
    """`value` if it passes the field's validators, else _Unsure."""
    try:
        for validator in field.validators:
            validator(value)
    except ValidationError as exc:
        raise _Unsure from exc
    return value


def _flat(schema: ma.Schema, raw, skip: frozenset = frozenset()) -> dict:
    """A flat schema's (Text and strict Integer fields) load of `raw`, or _Unsure."""
    if not isinstance(raw, dict) or not raw.keys() <= schema.load_fields.keys():
        raise _Unsure
    out = {}
    for name, field in schema.load_fields.items():
        if name in skip:
            continue
        if name in raw:
            out[name] = _checked(field, raw[name])
        elif field.required:
            raise _Unsure
        elif field.load_default is not ma.missing:
            default = field.load_default
            out[name] = default() if callable(default) else default
    return out


def _list(field: ma.fields.List, raw, load_one) -> list:
    """A List field's load (items through `load_one`), or _Unsure."""
    if not isinstance(raw, list):
        raise _Unsure
    return _validated(field, [load_one(item) for item in raw])


_NESTED = frozenset({"client_id", "tags", "spans", "other_answer", "captured_at"})
_TAG = _ITEM.load_fields["tags"].inner


def _load(raw) -> dict:
    """The item as FeedbackIn loads it, or _Unsure."""
    flat = _flat(_ITEM, raw, skip=_NESTED)
    fields = _ITEM.load_fields
    if not isinstance(raw.get("client_id"), str):
        raise _Unsure
    try:
        client_id = uuid.UUID(raw["client_id"])
    except ValueError as exc:
        raise _Unsure from exc
    tags = raw.get("tags", [])
    tags = _list(fields["tags"], tags, lambda tag: _checked(_TAG, tag))
    spans = _list(fields["spans"], raw.get("spans", []), lambda span: _flat(_SPAN, span))
    other = raw.get("other_answer")
    if raw.get("captured_at") is not None:
        raise _Unsure  # the Timestamp field's parsing and range: the schema's job
    out = {
        **flat,
        "client_id": client_id,
        "tags": tags,
        "spans": spans,
        "other_answer": None if other is None else _flat(_OTHER, other),
        "captured_at": None,
    }
    if kind_errors(out):
        raise _Unsure
    # The schema's field order, so the loaded dict is the same, key order included.
    return {name: out[name] for name in fields if name in out}


def quick_load(raw) -> dict | None:
    """What ``FeedbackIn().load(raw)`` returns when `raw` is plainly valid, else None (load
    it with the schema: it may be invalid, and the schema says why)."""
    try:
        return _load(raw)
    except _Unsure:
        return None
