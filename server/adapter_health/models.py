"""One anonymous event per report: site, adapter version, the failing selector, the problem."""

from server.extensions import db
from server.models_base import UtcDateTime, utcnow

PROBLEMS = ("no-answer", "prompt-without-answer")


class AdapterHealthEvent(db.Model):
    """A browser said a supported page no longer fits its adapter. No user, URL or text."""

    id = db.Column(db.Integer, primary_key=True)
    site = db.Column(db.String(20), nullable=False)
    adapter_version = db.Column(db.String(20), nullable=False)
    selector = db.Column(db.String(200), nullable=False)
    problem = db.Column(db.String(40), nullable=False)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow, index=True)
