"""A batch item's load without marshmallow's per-field machinery, for plainly valid items.

A 500-item batch spent half its time in ``FeedbackIn.load``: about twenty fields and a nested
schema per span, each through marshmallow's getter, error store and hook lookup. Most items
are plainly valid, so ``quick_load`` checks them directly with the schema's own fields,
validators and defaults, and gives the same dict ``FeedbackIn().load`` would. Anything it is
not sure of (a wrong type, a failed validator, an unknown key, a timestamp) it hands back as
None, and the schema then loads the item and words the errors: error messages have one
source.
"""

import functools
import uuid
from collections.abc import Callable

import marshmallow as ma
from marshmallow import ValidationError, validate

from server.feedback.schemas import FeedbackIn, OtherAnswerSchema, SpanSchema, kind_errors
from server.fields import Text, unstorable

_ITEM = FeedbackIn()
_OTHER = OtherAnswerSchema()
_SPAN = SpanSchema()


class _Unsure(Exception):
    """The item needs the schema's full load (it may be invalid)."""


def _validator_check(validator) -> Callable[[object], bool]:
    """A test equal to one of marshmallow's validators (True: passes): Length, OneOf and
    Range are read once and tested inline, any other validator is called."""
    kind = type(validator)
    if kind is validate.Length and validator.equal is None:
        low, high = validator.min, validator.max
        return lambda v: (low is None or len(v) >= low) and (high is None or len(v) <= high)
    if kind is validate.OneOf:
        try:
            choices = frozenset(validator.choices)
        except TypeError:  # unhashable choices: ask the validator
            choices = None
        if choices is not None:
            return lambda v: v in choices
    if kind is validate.Range and validator.min_inclusive and validator.max_inclusive:
        low, high = validator.min, validator.max
        return lambda v: (low is None or v >= low) and (high is None or v <= high)

    def call(v) -> bool:
        try:
            validator(v)
        except ValidationError:
            return False
        return True

    return call


@functools.cache
def _checker(field: ma.fields.Field) -> Callable[[object], object]:
    """For one field, a function giving the field's loaded value for a JSON scalar of the
    plain kind (Text, strict Integer), raising _Unsure for anything else: built once per
    field, with its validators read once."""
    tests = [_validator_check(v) for v in field.validators]
    allow_none = field.allow_none
    if isinstance(field, Text):

        def plain(value) -> bool:
            return type(value) is str and not unstorable(value)
    elif isinstance(field, ma.fields.Integer) and field.strict:

        def plain(value) -> bool:
            return type(value) is int  # bool is refused, as strict Integer refuses it
    else:

        def plain(value) -> bool:
            return False

    def check(value):
        if value is None:
            if not allow_none:
                raise _Unsure
            return None
        if not plain(value):
            raise _Unsure
        for test in tests:
            if not test(value):
                raise _Unsure
        return value

    return check


def _checked(field: ma.fields.Field, value):
    """The field's loaded value for a JSON scalar of the plain kind, or _Unsure."""
    return _checker(field)(value)


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
    loaded = [load_one(item) for item in raw]
    try:
        for validator in field.validators:
            validator(loaded)
    except ValidationError as exc:
        raise _Unsure from exc
    return loaded


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
