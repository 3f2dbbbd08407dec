"""A lab: the customer organisation that downloads datasets (its keys are credentials)."""

from server.extensions import db
from server.models_base import UtcDateTime, utcnow


class Lab(db.Model):
    """A customer organisation that downloads datasets."""

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), unique=True, nullable=False)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)
