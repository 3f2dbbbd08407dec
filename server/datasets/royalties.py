"""Pay per use: a download is charged to the lab's balance once its body was sent in full,
and the charge is credited to the dataset's contributors as royalties.

A download starts ``pending`` with its price held on the lab's balance (402 before any byte
is sent when the balance cannot cover it); when the stream ends, one transaction writes the
lab's charge (one per download id) and the contributors' ``royalty`` ledger entries of the
same total, so every royalty has a matching lab debit. A transfer that stops early is
``aborted`` and costs nothing.

The price is split over the contributors of the dataset's items in proportion to each
item's latest lift (its value in the most recent finished round that valued it; negative
lift counts as zero), an item's weight shared equally by its authors. When no item has
positive lift yet, every item weighs the same. Shares are integers (largest remainder).
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator

from server.datasets.models import Dataset, DatasetItem, Download, Royalty
from server.errors import NotFound, PaymentRequired
from server.extensions import db
from server.labs import accounts
from server.labs.models import LabTransaction
from server.models_base import utcnow
from server.rewards import ledger
from server.rewards.models import LedgerEntry
from server.rewards.services import split_pool
from server.rounds.models import PreferenceValue, TrainingRound

logger = logging.getLogger(__name__)


def start_download(dataset: Dataset, lab_id: int, key_id: int, fmt: str) -> Download:
    """Log a pending download, holding its price; 402 when the lab cannot pay for it."""

    def work() -> Download:
        ledger.lock_ledger()
        available = accounts.account(lab_id)["available"]
        if dataset.price > available:
            raise PaymentRequired(
                f"This snapshot costs {dataset.price} base units and the lab has {available} "
                "available; ask an admin to credit the lab's balance.",
                {"price": str(dataset.price), "available": str(available)},
            )
        download = Download(
            dataset_id=dataset.id,
            lab_id=lab_id,
            key_id=key_id,
            format=fmt,
            price=dataset.price,
            status="pending",
        )
        db.session.add(download)
        db.session.flush()
        return download

    return ledger.in_transaction(work)


def paid_stream(download_id: int, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Yield the body; charge the download after its last chunk, abort it if cut short."""
    finished = False
    try:
        yield from chunks
        finished = True
    finally:
        if not finished:
            abort_download(download_id)
    try:
        complete_download(download_id)
    except Exception:  # the body is out; the error must not reach the client as a cut stream
        logger.exception("download %s was sent in full but could not be charged", download_id)


def abort_download(download_id: int) -> None:
    """Mark a download whose transfer stopped early as aborted (it is never charged)."""
    db.session.rollback()  # the interrupted export may have left a read open
    db.session.execute(
        db.update(Download)
        .where(Download.id == download_id, Download.status == "pending")
        .values(status="aborted")
    )
    db.session.commit()
    logger.info("download %s aborted before its end: not charged", download_id)


def complete_download(download_id: int) -> list[Royalty]:
    """Charge a fully sent download and credit its royalties; again, it charges nothing."""
    download = db.session.get(Download, download_id)
    if download is None:
        raise NotFound(f"No download {download_id}.")
    allocation = split_pool(download.price, author_weights(download.dataset_id))

    def work() -> list[Royalty]:
        ledger.lock_ledger()
        row = db.session.get(Download, download_id, populate_existing=True)
        if row.status == "complete":
            return []
        row.status, row.completed_at = "complete", utcnow()
        total = sum(allocation.values())
        if total:
            db.session.add(
                LabTransaction(
                    lab_id=row.lab_id, kind="charge", amount=total, download_id=download_id
                )
            )
        added = []
        for user_id, amount in sorted(allocation.items()):
            entry = ledger.append("royalty", user_id, amount)
            added.append(
                Royalty(
                    download_id=download_id, user_id=user_id, amount=amount, ledger_seq=entry.seq
                )
            )
        db.session.add_all(added)
        db.session.flush()
        return added

    added = ledger.in_transaction(work)
    logger.info("download %s: charged, %d royalty entries", download_id, len(added))
    return added


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


def verify_royalties() -> list[str]:
    """Books per source: each download's royalties equal its lab charge, and every royalty
    ledger entry belongs to a download. Returns what does not balance (empty: all do)."""
    problems = []
    paid = dict(
        db.session.execute(db.select(LabTransaction.download_id, LabTransaction.amount)).all()
    )
    paid.pop(None, None)
    credited: dict[int, int] = defaultdict(int)
    for download_id, amount in db.session.execute(db.select(Royalty.download_id, Royalty.amount)):
        credited[download_id] += amount
    for download_id in sorted(set(paid) | set(credited)):
        if paid.get(download_id, 0) != credited.get(download_id, 0):
            problems.append(
                f"download {download_id}: royalties {credited.get(download_id, 0)} "
                f"!= lab charge {paid.get(download_id, 0)}"
            )
    linked = set(db.session.scalars(db.select(Royalty.ledger_seq)))
    entries = db.session.scalars(db.select(LedgerEntry.seq).filter_by(kind="royalty"))
    problems += [f"royalty entry {seq} has no download" for seq in entries if seq not in linked]
    return problems
