"""Pay per use: every download is logged; a priced one credits royalties to contributors.

A download's price is split over the contributors of the dataset's items in proportion to
each item's latest lift (its value in the most recent finished round that valued it; negative
lift counts as zero), an item's weight shared equally by its authors. When no item has
positive lift yet, every item weighs the same. Shares are integers (largest remainder) and
land in the ledger as ``royalty`` entries, at most one per (download, contributor).
"""

import logging
from collections import defaultdict

from server.datasets.models import Dataset, DatasetItem, Download, Royalty
from server.errors import NotFound
from server.extensions import db
from server.rewards import ledger
from server.rewards.services import split_pool
from server.rounds.models import PreferenceValue, TrainingRound

logger = logging.getLogger(__name__)


def record_download(dataset: Dataset, lab_id: int, key_id: int, fmt: str) -> Download:
    """Log a download (lab, key, dataset, time, price) and credit its royalties."""
    download = Download(
        dataset_id=dataset.id, lab_id=lab_id, key_id=key_id, format=fmt, price=dataset.price
    )
    db.session.add(download)
    db.session.commit()
    if download.price:
        credit_royalties(download.id)
    return download


def latest_lifts(dataset_id: int) -> dict[int, float]:
    """Each item's preference's lift in the latest finished round that valued it."""
    items = db.select(DatasetItem.preference_id).where(DatasetItem.dataset_id == dataset_id)
    rows = db.session.execute(
        db.select(PreferenceValue.preference_id, PreferenceValue.lift)
        .join(TrainingRound, TrainingRound.id == PreferenceValue.round_id)
        .where(TrainingRound.status == "finished", PreferenceValue.preference_id.in_(items))
        .order_by(PreferenceValue.round_id)
    )
    return dict(rows.all())  # later rounds overwrite earlier ones


def author_weights(dataset_id: int) -> dict[int, float]:
    """Each contributor's weight in the dataset's royalties."""
    lifts = latest_lifts(dataset_id)
    use_lift = any(lift > 0 for lift in lifts.values())
    weights: dict[int, float] = defaultdict(float)
    query = (
        db.select(DatasetItem.preference_id, DatasetItem.author_ids)
        .where(DatasetItem.dataset_id == dataset_id)
        .execution_options(yield_per=5000)
    )
    for preference_id, authors in db.session.execute(query):
        value = max(0.0, lifts.get(preference_id, 0.0)) if use_lift else 1.0
        for author in authors:
            weights[author] += value / len(authors)
    return dict(weights)


def credit_royalties(download_id: int) -> list[Royalty]:
    """Credit a download's price to contributors; running it again credits nothing twice."""
    download = db.session.get(Download, download_id)
    if download is None:
        raise NotFound(f"No download {download_id}.")
    allocation = split_pool(download.price, author_weights(download.dataset_id))

    def work() -> list[Royalty]:
        ledger.lock_ledger()
        done = set(
            db.session.scalars(db.select(Royalty.user_id).filter_by(download_id=download_id))
        )
        added = []
        for user_id, amount in sorted(allocation.items()):
            if user_id in done:
                continue
            entry = ledger.append("royalty", user_id, amount)
            royalty = Royalty(
                download_id=download_id, user_id=user_id, amount=amount, ledger_seq=entry.seq
            )
            db.session.add(royalty)
            added.append(royalty)
        db.session.flush()
        return added

    added = ledger.in_transaction(work)
    logger.info("download %s: %d royalty entries", download_id, len(added))
    return added
