"""Every string a request can carry is a ``server.fields.Text``, so no database sees NUL.

PostgreSQL text cannot hold U+0000 and SQLite's UTF-8 cannot hold a lone surrogate; a plain
marshmallow ``String`` lets both through to a 500 on one database and a stored row on the
other. This walks every argument schema flask-smorest registered, nested ones included.
"""

import marshmallow as ma
import pytest

from server.fields import Text, Timestamp


def _strings(field: ma.fields.Field, path: str, kind: type = ma.fields.String):
    """(path, field) for every field of ``kind`` reachable from ``field``."""
    if isinstance(field, ma.fields.Nested):
        schema = field.schema
        for name, inner in schema.fields.items():
            yield from _strings(inner, f"{path}.{name}", kind)
    elif isinstance(field, ma.fields.List):
        yield from _strings(field.inner, f"{path}[]", kind)
    elif isinstance(field, ma.fields.Tuple):
        for i, inner in enumerate(field.tuple_fields):
            yield from _strings(inner, f"{path}[{i}]", kind)
    elif isinstance(field, ma.fields.Dict):
        if field.key_field is not None:
            yield from _strings(field.key_field, f"{path}{{key}}", kind)
        if field.value_field is not None:
            yield from _strings(field.value_field, f"{path}{{value}}", kind)
    elif isinstance(field, kind):
        yield path, field


def _documented(view):
    """The view and, for a MethodView, each of its HTTP methods (each carries its own doc)."""
    yield view
    view_class = getattr(view, "view_class", None)
    for method in getattr(view_class, "methods", None) or ():
        yield getattr(view_class, method.lower(), None)


def _argument_schemas(app):
    for endpoint, view in app.view_functions.items():
        for view_func in _documented(view):
            doc = getattr(view_func, "_apidoc", None) or {}
            for parameter in doc.get("arguments", {}).get("parameters", []):
                schema = parameter["schema"]
                yield endpoint, schema() if isinstance(schema, type) else schema
    # A batch's items are loaded one by one in the service, so each fails on its own.
    from server.feedback.schemas import FeedbackIn

    yield "feedback.batch items", FeedbackIn()


def test_every_request_string_refuses_unstorable_text(app):
    schemas = list(_argument_schemas(app))
    assert len(schemas) >= 10, "the walk found the app's argument schemas"
    plain = [
        f"{endpoint}: {type(schema).__name__}{path}"
        for endpoint, schema in schemas
        for name, field in schema.fields.items()
        for path, found in _strings(field, f".{name}")
        if not isinstance(found, Text)
    ]
    assert not plain, "plain String in a request schema:\n" + "\n".join(plain)


def test_every_request_timestamp_is_bounded_to_what_utc_can_hold(app):
    found = [
        (f"{endpoint}: {type(schema).__name__}{path}", field)
        for endpoint, schema in _argument_schemas(app)
        for name, top in schema.fields.items()
        for path, field in _strings(top, f".{name}", ma.fields.DateTime)
    ]
    assert len(found) >= 4, "the walk found captured_at, since, until, created_from/to"
    plain = [where for where, field in found if not isinstance(field, Timestamp)]
    assert not plain, "plain DateTime in a request schema:\n" + "\n".join(plain)


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
def test_adapter_health_refuses_nul_as_422(client, bad):
    response = client.post(
        "/api/v1/adapter-health",
        json={"site": "claude", "adapter_version": "1.0", "selector": bad, "problem": "no-answer"},
    )
    assert response.status_code == 422, response.get_json()
    assert "selector" in str(response.get_json())
