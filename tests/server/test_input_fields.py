"""Every string a request can carry is a ``server.fields.Text``, so no database sees NUL.

PostgreSQL text cannot hold U+0000 and SQLite's UTF-8 cannot hold a lone surrogate; a plain
marshmallow ``String`` lets both through to a 500 on one database and a stored row on the
other. This walks every argument schema flask-smorest registered, nested ones included.
"""

import marshmallow as ma
import pytest

from server.fields import Text


def _strings(field: ma.fields.Field, path: str):
    """(path, field) for every String reachable from ``field``."""
    if isinstance(field, ma.fields.Nested):
        schema = field.schema
        for name, inner in schema.fields.items():
            yield from _strings(inner, f"{path}.{name}")
    elif isinstance(field, ma.fields.List):
        yield from _strings(field.inner, f"{path}[]")
    elif isinstance(field, ma.fields.Tuple):
        for i, inner in enumerate(field.tuple_fields):
            yield from _strings(inner, f"{path}[{i}]")
    elif isinstance(field, ma.fields.Dict):
        if field.key_field is not None:
            yield from _strings(field.key_field, f"{path}{{key}}")
        if field.value_field is not None:
            yield from _strings(field.value_field, f"{path}{{value}}")
    elif isinstance(field, ma.fields.String):
        yield path, field


def _argument_schemas(app):
    for endpoint, view in app.view_functions.items():
        for view_func in (view, getattr(view, "view_class", None)):
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


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
def test_adapter_health_refuses_nul_as_422(client, bad):
    response = client.post(
        "/api/v1/adapter-health",
        json={"site": "claude", "adapter_version": "1.0", "selector": bad, "problem": "no-answer"},
    )
    assert response.status_code == 422, response.get_json()
    assert "selector" in str(response.get_json())
