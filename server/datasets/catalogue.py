"""The public catalogue: what a lab could snapshot, in aggregate, and what it would cost.

It counts live, trainable feedback (not withdrawn, not superseded, not ``no-training``) by
site, kind and licence, with the contributors' measured reliability as the quality figure;
it lists no snapshot and no item, so no lab learns what another lab bought.
"""

from collections import Counter

from flask import current_app

from server.auth.models import User
from server.extensions import db
from server.feedback.models import Answer, Feedback

LIVE = (
    Feedback.withdrawn_at.is_(None),
    Feedback.superseded_at.is_(None),
    Feedback.licence != "no-training",
)


def _counts() -> dict[str, Counter]:
    """Live, trainable feedback counted by site, kind and licence."""
    rows = db.session.execute(
        db.select(Answer.site, Feedback.kind, Feedback.licence, db.func.count())
        .join(Answer, Answer.id == Feedback.answer_id)
        .where(*LIVE)
        .group_by(Answer.site, Feedback.kind, Feedback.licence)
    )
    counts = {"sites": Counter(), "kinds": Counter(), "licences": Counter()}
    for site, kind, licence, n in rows:
        counts["sites"][site] += n
        counts["kinds"][kind] += n
        counts["licences"][licence] += n
    return counts


def catalogue() -> dict:
    """Counts by site, kind and licence, contributors, reliability, and the price list."""
    counts = _counts()
    sites, kinds, licences = counts["sites"], counts["kinds"], counts["licences"]
    authors = db.select(Feedback.user_id).where(*LIVE).distinct().subquery()
    contributors = db.session.scalar(db.select(db.func.count()).select_from(authors))
    measured = list(
        db.session.scalars(
            db.select(User.reliability).where(
                User.id.in_(db.select(authors.c.user_id)), User.reliability.is_not(None)
            )
        )
    )
    config = current_app.config
    return {
        "feedback": sum(sites.values()),
        "sites": dict(sites),
        "kinds": dict(kinds),
        "licences": dict(licences),
        "contributors": contributors,
        "quality": {
            "measured_contributors": len(measured),
            "mean_reliability": sum(measured) / len(measured) if measured else None,
        },
        "price": {
            "per_item": config["DATASET_PRICE_PER_ITEM"],
            "cap": config["DATASET_PRICE_CAP"],
            "symbol": config["TOKEN_SYMBOL"],
            "decimals": config["TOKEN_DECIMALS"],
        },
    }
