"""A lab (the customer organisation that downloads datasets) and its account's lines.

A lab pays from a balance: an admin credits deposits, each completed priced download is one
charge whose amount equals the royalties it credited, so every royalty has a matching debit.
"""

from server.extensions import db
from server.models_base import UtcDateTime, utcnow
from server.rewards.models import Amount

LAB_TRANSACTION_KINDS = ("deposit", "charge")


class Lab(db.Model):
    """A customer organisation that downloads datasets."""

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), unique=True, nullable=False)
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)


class LabTransaction(db.Model):
    """One line of a lab's account: a deposit an admin credited, or a download's charge
    (at most one per download, so charging is idempotent per download id)."""

    id = db.Column(db.Integer, primary_key=True)
    lab_id = db.Column(db.Integer, db.ForeignKey("lab.id"), nullable=False, index=True)
    kind = db.Column(db.String(8), nullable=False)
    amount = db.Column(Amount(), nullable=False)
    download_id = db.Column(db.Integer, db.ForeignKey("download.id"), unique=True)
    note = db.Column(db.String(200))
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.CheckConstraint("kind IN ('deposit', 'charge')", name="kind"),
        db.CheckConstraint(
            "(kind = 'charge') = (download_id IS NOT NULL)", name="charge_has_download"
        ),
    )
