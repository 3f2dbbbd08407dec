"""Request fields that refuse what the database cannot store, as a 422 naming the field.

A lone UTF-16 surrogate (``"\\ud800"`` in JSON) decodes to a Python string that cannot be
encoded as UTF-8, and PostgreSQL text cannot hold NUL; both are refused on every database so
that SQLite and PostgreSQL accept the same input. A timestamp must be representable in UTC:
``0001-01-01T00:00:00+01:00`` is a valid ISO 8601 string whose UTC instant is before year 1.
"""

import re
from datetime import UTC, datetime

import marshmallow as ma

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, tzinfo=UTC)


def unstorable(text: str) -> bool:
    """Whether the text holds a character the database cannot store (see Text)."""
    return _UNSTORABLE.search(text) is not None


class Text(ma.fields.String):
    """A string without NUL characters or lone surrogates."""

    default_error_messages = {
        "unstorable": "Text must be valid Unicode without NUL characters or lone surrogates "
        "(found {char} at index {index})."
    }

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        """The string, or a ValidationError naming the first unstorable character."""
        text = super()._deserialize(value, attr, data, **kwargs)
        bad = _UNSTORABLE.search(text)
        if bad:
            raise self.make_error("unstorable", char=f"U+{ord(bad.group()):04X}", index=bad.start())
        return text


class Timestamp(ma.fields.AwareDateTime):
    """An ISO 8601 timestamp with a UTC offset, normalised to UTC, between 1970 and 9999."""

    default_error_messages = {
        "range": "Timestamp must lie between 1970-01-01 and 9999-12-31 in UTC.",
    }

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        """The instant in UTC, or a ValidationError when it has none in range."""
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = moment.astimezone(UTC)
        except OverflowError as exc:
            raise self.make_error("range") from exc
        if not EARLIEST <= moment <= LATEST:
            raise self.make_error("range")
        return moment
