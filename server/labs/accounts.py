"""Lab accounts: deposits an admin credits, charges for completed downloads, the balance.

``available`` is the balance less the prices of downloads still streaming (a hold), so two
parallel downloads cannot spend the same balance; a hold lapses after ``DOWNLOAD_HOLD_S``,
when a worker died mid-stream and its download will never complete.
"""

from datetime import timedelta

from flask import current_app

from server.errors import Unprocessable
from server.extensions import db
from server.labs.models import LabTransaction
from server.labs.services import get_lab
from server.models_base import utcnow
from server.rewards import ledger


def credit_lab(name: str, amount: int, note: str | None = None) -> LabTransaction:
    """Add ``amount`` base units to the lab's balance (admins, from the command line)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise Unprocessable("A deposit is a positive amount.", {"amount": ["must be > 0"]})
    lab = get_lab(name)

    def work() -> LabTransaction:
        ledger.lock_ledger()  # balances are read under the same lock downloads take
        line = LabTransaction(lab_id=lab.id, kind="deposit", amount=amount, note=note)
        db.session.add(line)
        db.session.flush()
        return line

    return ledger.in_transaction(work)


def _sum(lab_id: int, kind: str) -> int:
    """The total of one kind of line in a lab's account (amounts are exact ints)."""
    query = db.select(LabTransaction.amount).filter_by(lab_id=lab_id, kind=kind)
    return sum(db.session.scalars(query), 0)


def held(lab_id: int) -> int:
    """The prices of this lab's downloads that are still streaming (and not yet lapsed)."""
    from server.datasets.models import Download

    since = utcnow() - timedelta(seconds=current_app.config["DOWNLOAD_HOLD_S"])
    query = db.select(Download.price).where(
        Download.lab_id == lab_id, Download.status == "pending", Download.created_at > since
    )
    return sum(db.session.scalars(query), 0)


def account(lab_id: int) -> dict:
    """The lab's deposits, charges, balance, holds and what it can still spend."""
    deposited, charged = _sum(lab_id, "deposit"), _sum(lab_id, "charge")
    holds = held(lab_id)
    return {
        "deposited": deposited,
        "charged": charged,
        "balance": deposited - charged,
        "held": holds,
        "available": deposited - charged - holds,
    }


def charges(lab_id: int, limit: int = 500) -> list[dict]:
    """The lab's charges, newest first: which snapshot, which download, how much, when."""
    from server.datasets.models import Dataset, Download

    rows = db.session.execute(
        db.select(LabTransaction, Download, Dataset)
        .join(Download, Download.id == LabTransaction.download_id)
        .join(Dataset, Dataset.id == Download.dataset_id)
        .where(LabTransaction.lab_id == lab_id, LabTransaction.kind == "charge")
        .order_by(LabTransaction.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "download_id": download.id,
            "dataset_id": dataset.id,
            "dataset": f"{dataset.name}-v{dataset.version}",
            "format": download.format,
            "amount": line.amount,
            "charged_at": line.created_at,
        }
        for line, download, dataset in rows
    ]
