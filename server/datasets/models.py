"""Dataset snapshots (immutable, versioned), their frozen items, downloads and royalties.

A snapshot copies its items' scrubbed text and provenance at creation, so later edits,
withdrawals or preference rebuilds never change what a version contains or its Merkle root.
"""

from server.extensions import db
from server.labs.models import Lab  # noqa: F401  (the "lab" table these rows reference)
from server.models_base import UtcDateTime, utcnow
from server.rewards.models import Amount


class Dataset(db.Model):
    """One version of a named snapshot: filters, counts, licences, Merkle root, card, price."""

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False)
    version = db.Column(db.Integer, nullable=False)
    lab_id = db.Column(db.Integer, db.ForeignKey("lab.id"), nullable=False, index=True)
    key_id = db.Column(db.Integer, db.ForeignKey("credential.id"))
    filters = db.Column(db.JSON, nullable=False, default=dict)
    row_count = db.Column(db.Integer, nullable=False)
    counts = db.Column(db.JSON, nullable=False, default=dict)
    licences = db.Column(db.JSON, nullable=False, default=dict)
    merkle_root = db.Column(db.String(64), nullable=False)
    # Secret per dataset: contributor pseudonyms are HMAC(salt, address), unlinkable across sets.
    pseudonym_salt = db.Column(db.String(64), nullable=False)
    price = db.Column(Amount(), nullable=False, default=0)
    card = db.Column(db.Text, nullable=False, default="")
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)

    # Names belong to a lab: two labs may each have their own "hh", versions count per lab.
    __table_args__ = (db.UniqueConstraint("lab_id", "name", "version"),)


class DatasetItem(db.Model):
    """One row of a snapshot, frozen: its leaf hash, its authors, and ``record``, the exact
    JSON line it is exported as (scrubbed text, provenance, per-dataset pseudonyms)."""

    dataset_id = db.Column(db.Integer, db.ForeignKey("dataset.id"), primary_key=True)
    position = db.Column(db.Integer, primary_key=True, autoincrement=False)
    preference_id = db.Column(db.Integer, nullable=False)
    item_hash = db.Column(db.String(64), nullable=False)
    author_ids = db.Column(db.JSON, nullable=False, default=list)
    record = db.Column(db.Text, nullable=False)

    __table_args__ = (db.Index("ix_dataset_item_hash", "dataset_id", "item_hash"),)


DOWNLOAD_STATUSES = ("pending", "complete", "aborted")


class Download(db.Model):
    """One download: which lab, with which key, of which dataset, when, at what price.

    ``pending`` while its body streams (its price is held on the lab's balance),
    ``complete`` once the whole body was sent (and charged), ``aborted`` if the transfer
    stopped before the end (never charged).
    """

    id = db.Column(db.Integer, primary_key=True)
    dataset_id = db.Column(db.Integer, db.ForeignKey("dataset.id"), nullable=False, index=True)
    lab_id = db.Column(db.Integer, db.ForeignKey("lab.id"), nullable=False, index=True)
    key_id = db.Column(db.Integer, db.ForeignKey("credential.id"), nullable=False)
    format = db.Column(db.String(16), nullable=False)
    price = db.Column(Amount(), nullable=False, default=0)
    status = db.Column(db.String(8), nullable=False, default="pending")
    created_at = db.Column(UtcDateTime, nullable=False, default=utcnow)
    completed_at = db.Column(UtcDateTime)


class Royalty(db.Model):
    """A contributor's share of one priced download; one per (download, user) at most."""

    download_id = db.Column(db.Integer, db.ForeignKey("download.id"), primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), primary_key=True)
    amount = db.Column(Amount(), nullable=False)
    ledger_seq = db.Column(db.Integer, nullable=False)
