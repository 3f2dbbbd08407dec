"""flask-smorest's Blueprint with our OpenAPI documentation fixes."""

import flask_smorest
import marshmallow as ma
from apispec import BasePlugin
from flask import Flask
from flask_smorest import Api
from werkzeug.routing import IntegerConverter, Map


class Blueprint(flask_smorest.Blueprint):
    """Documents the X-Pagination header as the JSON object it is: a header `schema` means
    OpenAPI's `simple` (comma-separated) style, so clients and fuzzers would misread it."""

    def _document_pagination_metadata(self, spec, resp_doc):
        ref = {"$ref": "#/components/schemas/PaginationMetadata"}
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = {
            "description": "Pagination metadata, a JSON object",
            "content": {"application/json": {"schema": ref}},
        }


class SchemaExtras(BasePlugin):
    """Adds a schema class's ``OPENAPI_EXTRAS`` (e.g. ``minProperties``) to its component, for
    rules a schema-level validator enforces that marshmallow fields cannot express."""

    def schema_helper(self, name, definition, **kwargs) -> dict:
        schema = kwargs.get("schema")
        cls = schema if isinstance(schema, type) else type(schema)
        return dict(getattr(cls, "OPENAPI_EXTRAS", {}))


MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32-bit signed in PostgreSQL


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a database id, 1 to 2^31-1. Anything else is a 404 before the
    view runs, never an integer the database cannot hold."""

    def __init__(self, map: Map, *args, **kwargs) -> None:
        super().__init__(map, min=1, max=MAX_ID)


class Id(ma.fields.Integer):
    """A database id in a request body or query: 1 to MAX_ID, else a 422 (not a 500 from a
    database that cannot hold the number)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


def register_converters(app: Flask, api: Api) -> None:
    """Make `<id:...>` available to routes and document it in the OpenAPI spec."""
    app.url_map.converters["id"] = IdConverter
    api.register_converter(
        IdConverter, lambda _: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
