"""Dataset reads for labs and contributors: list, get, membership proofs, my items."""

import re

from server.datasets import item_merkle
from server.datasets.models import Dataset, DatasetItem
from server.errors import NotFound, Unprocessable
from server.extensions import db

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def list_datasets() -> list[Dataset]:
    """Every snapshot, newest first."""
    return list(db.session.scalars(db.select(Dataset).order_by(Dataset.id.desc())))


def get_dataset(dataset_id: int) -> Dataset:
    """One snapshot, or 404."""
    dataset = db.session.get(Dataset, dataset_id)
    if dataset is None:
        raise NotFound(f"No dataset {dataset_id}.")
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


def proof(dataset_id: int, item_hash: str) -> dict:
    """The Merkle proof that an item (by its hash) is in a snapshot."""
    dataset = get_dataset(dataset_id)
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
