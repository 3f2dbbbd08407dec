"""Dataset reads for labs and contributors: list, get, membership proofs, my items; and
the admins' price setting.

Labs are isolated: a lab sees only its own snapshots (another lab's are 404, as if they did
not exist); contributors (``lab_id=None``) reach any snapshot for proofs of their items.
"""

import re

from flask import current_app

from server.datasets import item_merkle
from server.datasets.models import Dataset, DatasetItem
from server.errors import NotFound, Unprocessable
from server.extensions import db

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def list_datasets(lab_id: int) -> list[Dataset]:
    """The lab's snapshots, newest first."""
    query = db.select(Dataset).filter_by(lab_id=lab_id).order_by(Dataset.id.desc())
    return list(db.session.scalars(query))


def get_dataset(dataset_id: int, lab_id: int | None = None) -> Dataset:
    """One snapshot, or 404 (also when ``lab_id`` is given and the snapshot is not its)."""
    dataset = db.session.get(Dataset, dataset_id)
    if dataset is None or (lab_id is not None and dataset.lab_id != lab_id):
        raise NotFound(f"No dataset {dataset_id}.")
    return dataset


def set_price(dataset_id: int, price: int) -> Dataset:
    """Set a snapshot's price in base units (admins only), at most ``DATASET_PRICE_CAP``."""
    cap = current_app.config["DATASET_PRICE_CAP"]
    if isinstance(price, bool) or not isinstance(price, int) or not 0 <= price <= cap:
        raise Unprocessable(
            f"A price is an integer from 0 to the cap, {cap} base units.",
            {"price": [f"must be between 0 and {cap}"]},
        )
    dataset = get_dataset(dataset_id)
    dataset.price = price
    db.session.commit()
    return dataset


def _item_hashes(dataset_id: int):
    """The dataset's item hashes in order, streamed."""
    query = (
        db.select(DatasetItem.item_hash)
        .where(DatasetItem.dataset_id == dataset_id)
        .order_by(DatasetItem.position)
        .execution_options(yield_per=10000)
    )
    return db.session.scalars(query)


def proof(dataset_id: int, item_hash: str, lab_id: int | None = None) -> dict:
    """The Merkle proof that an item (by its hash) is in a snapshot (a lab: of its own)."""
    dataset = get_dataset(dataset_id, lab_id)
    item_hash = item_hash.lower()
    if not _HEX64.match(item_hash):
        raise Unprocessable("An item hash is 64 hex digits.", {"item_hash": ["not a sha256"]})
    position = db.session.scalar(
        db.select(db.func.min(DatasetItem.position)).where(
            DatasetItem.dataset_id == dataset_id, DatasetItem.item_hash == item_hash
        )
    )
    if position is None:
        raise NotFound(f"Item {item_hash} is not in dataset {dataset_id}.")
    steps = item_merkle.proof(list(_item_hashes(dataset_id)), position)
    return {
        "dataset_id": dataset_id,
        "item_hash": item_hash,
        "position": position,
        "leaves": dataset.row_count,
        "root": dataset.merkle_root,
        "proof": steps,
    }


def my_items(dataset_id: int, user_id: int) -> list[dict]:
    """The caller's items in a snapshot: preference id, position and item hash."""
    get_dataset(dataset_id)
    query = (
        db.select(
            DatasetItem.position,
            DatasetItem.preference_id,
            DatasetItem.item_hash,
            DatasetItem.author_ids,
        )
        .where(DatasetItem.dataset_id == dataset_id)
        .order_by(DatasetItem.position)
        .execution_options(yield_per=5000)
    )
    return [
        {"position": pos, "pair_id": pid, "item_hash": item_hash}
        for pos, pid, item_hash, authors in db.session.execute(query)
        if user_id in authors
    ]
