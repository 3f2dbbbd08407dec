"""A schema's dump without marshmallow's per-field machinery, for the feedback responses.

Dumping one stored row through ``FeedbackOut`` walks some thirty fields, each through
marshmallow's accessor, missing-value and formatting hooks: about a tenth of a single write's
time. ``plan`` reads a schema's own fields once and turns each into a getter and a converter;
the kinds it knows (integers, text, ISO date-times, lists and nested schemas of those) are
converted as marshmallow converts them, and every other field is dumped by the field itself.
A value the getter does not find goes to the field too, so a missing attribute is handled by
marshmallow's own rules. Tests pin the output to ``Schema.dump``'s, key order included.
"""

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow.utils import missing

_Convert = Callable[[Any], Any]


def _get(obj, key: str):
    """The value at `key` (dotted for nested objects) as marshmallow's accessor finds it, or
    `missing` where it would not find one (an absent attribute, a None on the way)."""
    for part in key.split("."):
        if obj is None or obj is missing:
            return missing
        obj = obj.get(part, missing) if isinstance(obj, dict) else getattr(obj, part, missing)
    return obj


def _converter(field: ma.fields.Field) -> _Convert | None:
    """A converter giving what `field` dumps a found value as, or None for a kind of field
    left to marshmallow."""
    kind = type(field)
    if kind is ma.fields.Integer and not field.as_string:
        return lambda v: None if v is None else int(v)
    if isinstance(field, ma.fields.String) and kind._serialize is ma.fields.String._serialize:
        return lambda v: None if v is None else str(v)
    if kind is ma.fields.DateTime and field.format in (None, "iso"):
        return lambda v: None if v is None else v.isoformat()
    if kind is ma.fields.List:
        inner = _converter(field.inner)
        if inner is not None:
            return lambda v: None if v is None else [inner(item) for item in v]
    if (
        kind is ma.fields.Nested
        and isinstance(field.nested, type)
        and not (field.many or field.only or field.exclude)
    ):
        nested = plan(field.nested())
        if nested is not None:
            return lambda v: None if v is None else nested(v)
    return None


def plan(schema: ma.Schema) -> Callable[[Any], dict] | None:
    """A function dumping one object as `schema` would dump it (as one of many, when the
    schema is a many one), or None when the schema has options (only, exclude) or hooks
    (pre/post-dump processors) that this does not follow."""
    if schema.only or schema.exclude or any(schema._hooks.values()):
        return None
    steps = []
    for name, field in schema.dump_fields.items():
        convert = _converter(field) if field._CHECK_ATTRIBUTE else None
        steps.append((field.data_key or name, name, field.attribute or name, convert, field))

    def dump(obj) -> dict:
        out = {}
        for key, name, attribute, convert, field in steps:
            value = missing if convert is None else _get(obj, attribute)
            if value is missing:  # the field's own rules: defaults, omission, Function fields
                value = field.serialize(name, obj, accessor=schema.get_attribute)
                if value is not missing:
                    out[key] = value
            else:
                out[key] = convert(value)
        return out

    return dump


class QuickDump:
    """Schema mixin: ``dump`` through the schema's quick plan (the same output), and
    ``full_dump``, marshmallow's own, which tests hold the plan to."""

    def dump(self, obj, *, many=None):
        """The schema's dump through its quick plan, or marshmallow's where it has none."""
        quick = self.__dict__.get("_quick")
        if quick is None:
            quick = self.__dict__["_quick"] = plan(self) or False
        if quick is False:
            return super().dump(obj, many=many)
        return [quick(o) for o in obj] if (self.many if many is None else many) else quick(obj)

    def full_dump(self, obj, *, many=None):
        """marshmallow's own dump, field by field: what the quick plan must agree with."""
        return super().dump(obj, many=many)
