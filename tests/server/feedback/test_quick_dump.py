"""The feedback responses' quick dump gives exactly marshmallow's dump (key order included),
for rows as written and as read back, and defers to each field where it must."""

from types import SimpleNamespace

import marshmallow as ma

from server.extensions import db
from server.feedback.models import Feedback
from server.feedback.quick_dump import plan
from server.feedback.schemas import FeedbackOut
from tests.factories import make_feedback_payload, qa_items, sign_in

ONE, MANY = FeedbackOut(), FeedbackOut(many=True)


def _same(schema, obj) -> None:
    quick, full = schema.dump(obj), schema.full_dump(obj)
    assert quick == full
    rows = quick if isinstance(quick, list) else [quick]
    assert [list(r) for r in rows] == [
        list(r) for r in (full if isinstance(full, list) else [full])
    ]


def test_rows_as_written_and_as_read_dump_as_marshmallow_dumps_them(app, client):
    user = sign_in(client)
    item = qa_items()[3]
    bodies = [
        make_feedback_payload(3, spans=[{"start": 0, "end": 4, "tag": "factually_wrong"}]),
        make_feedback_payload(
            3, kind="pairwise", rating=None, choice="b", other_answer={"text": item["prediction 2"]}
        ),
        make_feedback_payload(3, kind="correction", corrected_text="Fixed.", comment="Off."),
        make_feedback_payload(3, captured_at="2026-05-01T12:00:00+02:00"),
    ]
    for body in bodies:
        res = client.post("/api/v1/feedback", json=body, headers=user["headers"])
        assert res.status_code == 201, res.get_json()
    with app.app_context():
        rows = db.session.execute(db.select(Feedback).order_by(Feedback.id)).scalars().all()
        assert any(r.superseded_at for r in rows) and any(r.other_answer for r in rows)
        for row in rows:
            _same(ONE, row)
        _same(MANY, rows)
        written = SimpleNamespace(**{c.key: getattr(rows[0], c.key) for c in Feedback.__table__.c})
        written.answer, written.other_answer = rows[0].answer, None
        _same(ONE, written)


def test_missing_values_defaults_and_functions_follow_the_fields():
    class Inner(ma.Schema):
        n = ma.fields.Integer()

    class Odd(ma.Schema):
        a = ma.fields.Integer(dump_default=7)
        b = ma.fields.String(attribute="x.y")
        c = ma.fields.Function(lambda o: "f")
        d = ma.fields.Nested(Inner, allow_none=True)
        e = ma.fields.List(ma.fields.Nested(Inner))
        f = ma.fields.Float()
        g = ma.fields.DateTime(format="%Y")
        h = ma.fields.Integer(data_key="H")

    dump = plan(Odd())
    for obj in [
        {},
        {"x": None, "d": None, "e": [{"n": "3"}], "f": 1, "h": True},
        {"x": {"y": 5}, "d": {"n": 2}, "e": [], "a": None},
        SimpleNamespace(x=SimpleNamespace(y="t"), d=SimpleNamespace(n=1), e=None),
    ]:
        assert dump(obj) == Odd().dump(obj)
        assert list(dump(obj)) == list(Odd().dump(obj))


def test_a_schema_with_hooks_is_left_to_marshmallow():
    class Hooked(ma.Schema):
        a = ma.fields.Integer()

        @ma.post_dump
        def twice(self, data, **kwargs):
            return {"a": data["a"] * 2}

    assert plan(Hooked()) is None


def test_a_batch_result_dumps_as_marshmallow_dumps_it():
    from server.feedback.ingest import ItemResult
    from server.feedback.schemas import BatchOut

    results = [
        ItemResult("a", "created", 1, row={"x": 1}),
        ItemResult("b", "exists", 2),
        ItemResult(None, "invalid", errors={"rating": ["Must be one of: -1, 1."], 0: ["x"]}),
        ItemResult("c", "conflict", 3, errors=None),
    ]
    schema = BatchOut()
    assert schema.dump({"results": results}) == schema.full_dump({"results": results})
