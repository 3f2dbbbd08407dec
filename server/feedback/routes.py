"""Feedback endpoints: ingest (single, batch), list, read, edit, withdraw."""

from flask import current_app, g, request
from flask.views import MethodView

from server.auth.identity import auth_required
from server.feedback import schemas, services
from server.feedback.write_gate import gated
from server.openapi import Blueprint

blp = Blueprint("feedback", __name__, url_prefix="/api/v1/feedback", description="Feedback")
# Instances, not classes: webargs builds a new schema (deep-copying every field) per request
# when handed a class, which cost the single write about a tenth of its time.
FEEDBACK_IN = schemas.FeedbackIn()
BATCH_IN = schemas.BatchIn()


@blp.route("")
class FeedbackCollection(MethodView):
    """The caller's feedback."""

    @auth_required("feedback:write")
    @gated
    @blp.arguments(FEEDBACK_IN)
    @blp.response(201, schemas.FeedbackOut)
    @blp.alt_response(200, schema=schemas.FeedbackOut, description="Already stored (a retry)")
    def post(self, body: dict):
        """Send feedback; a retry with the same client_id returns the stored row with 200."""
        row, created = services.submit_one(g.principal.user_id, body, g.idempotency)
        return row, 201 if created else 200

    @auth_required("feedback:read")
    @blp.arguments(schemas.FeedbackQuery, location="query")
    @blp.response(200, schemas.FeedbackOut(many=True), headers=schemas.NEXT_CURSOR_HEADER)
    def get(self, filters: dict):
        """List your own feedback, newest first, a page at a time (follow X-Next-Cursor);
        history of replaced items on request."""
        items, next_cursor = services.list_page(g.principal.user_id, filters)
        return items, 200, {"X-Next-Cursor": str(next_cursor)} if next_cursor else {}


@blp.route("/batch", methods=["POST"])
@auth_required("feedback:write")
@gated
@blp.arguments(BATCH_IN)
@blp.response(200, schemas.BatchOut)
def batch(body: dict):
    """Send up to 500 items; each gets its own result (created, exists, conflict, invalid)."""
    results = services.submit_batch(g.principal.user_id, body["items"], g.idempotency)
    return {"results": results}


@blp.route("/<id:feedback_id>")
class FeedbackItem(MethodView):
    """One of the caller's feedback rows."""

    @auth_required("feedback:read")
    @blp.response(200, schemas.FeedbackOut)
    def get(self, feedback_id: int):
        """Read one of your feedback rows."""
        return services.get_own(g.principal.user_id, feedback_id)

    @auth_required("feedback:write")
    @blp.arguments(schemas.FeedbackPatch)
    @blp.response(200, schemas.FeedbackOut)
    def patch(self, changes: dict, feedback_id: int):
        """Edit tags, spans, comment, correction, rating, choice or licence."""
        return services.edit(g.principal.user_id, feedback_id, changes)

    @auth_required("feedback:write")
    @blp.response(200, schemas.FeedbackOut)
    def delete(self, feedback_id: int):
        """Withdraw: a tombstone is kept; it leaves training and datasets."""
        return services.withdraw(g.principal.user_id, feedback_id)


def batch_body_limit() -> None:
    """before_request: a batch may be larger than a single item's 256 KB."""
    if request.endpoint == "feedback.batch":
        request.max_content_length = current_app.config["MAX_BATCH_CONTENT_LENGTH"]
