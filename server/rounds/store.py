"""Store what a round computed: values per preference, per author (lift with its error and
shrunk quality) and per lab yardstick, and reliabilities (uncommitted: the round job commits
them with the round's metrics, then credits the ledger). Also what the next round loads."""

from server.auth.models import User
from server.extensions import db
from server.rounds.models import AuthorValue, PreferenceValue, TrainingRound
from server.yardsticks.models import YardstickLift


def previous_evidence() -> tuple[dict, dict]:
    """({author: reliability}, {author: (evidence, variance)}) carried over from past rounds:
    reliability from the users, evidence on quality from each author's newest finished round."""
    reliability = dict(
        db.session.execute(
            db.select(User.id, User.reliability).where(User.reliability.is_not(None))
        ).all()
    )
    rows = db.session.execute(
        db.select(AuthorValue.user_id, AuthorValue.evidence, AuthorValue.evidence_var)
        .join(TrainingRound, TrainingRound.id == AuthorValue.round_id)
        .where(TrainingRound.status == "finished", AuthorValue.evidence_var > 0)
        .order_by(AuthorValue.round_id)
    ).all()
    return reliability, {uid: (q, v) for uid, q, v in rows}


def previous_round_time(round_: TrainingRound):
    """When the newest finished round before `round_` was created (None: there is none):
    evidence after it is new to this round."""
    return db.session.execute(
        db.select(db.func.max(TrainingRound.created_at)).where(
            TrainingRound.status == "finished",
            TrainingRound.id != round_.id,
            TrainingRound.created_at < round_.created_at,
        )
    ).scalar()


def store_values(round_: TrainingRound, values, lab_yardsticks: dict[str, int]) -> None:
    """Replace the round's stored values by `values` (a reward_model RoundValues);
    `lab_yardsticks` maps the names used for extra yardsticks to their ids."""
    for model in (PreferenceValue, AuthorValue, YardstickLift):
        db.session.execute(db.delete(model).where(model.round_id == round_.id))
    ids = round_.train_ids
    credited = values.credited or [None] * len(ids)
    first = values.first_post if len(values.first_post) else range(len(ids))
    db.session.execute(
        db.insert(PreferenceValue),
        [
            {"round_id": round_.id, "preference_id": pid, "lift": float(lift),
             "cluster_id": str(int(cluster)), "weight": max(0.0, float(lift)),
             "first_preference_id": ids[int(f)],
             "credited_user_id": author if isinstance(author, int) else None}
            for pid, lift, cluster, f, author in zip(
                ids, values.pair_lift, values.cluster, first, credited, strict=True
            )
        ],
    )  # fmt: skip
    authors = list(values.author_lift)
    if not authors:
        return
    db.session.execute(db.insert(AuthorValue), [_author(round_.id, a, values) for a in authors])
    lifts = [
        {"round_id": round_.id, "yardstick_id": lab_yardsticks[name], "user_id": a, "lift": lift}
        for name, per_author in values.extra_lift.items()
        for a, lift in per_author.items()
    ]
    if lifts:
        db.session.execute(db.insert(YardstickLift), lifts)
    for a in authors:
        db.session.execute(
            db.update(User).where(User.id == a).values(reliability=float(values.reliability[a]))
        )


def _author(round_id: int, author: int, values) -> dict:
    """One AuthorValue row."""
    estimate = values.estimates[author]
    return {
        "round_id": round_id,
        "user_id": author,
        "lift": values.author_lift[author],
        "reliability": float(values.reliability[author]),
        "weight": float(values.payout[author]),
        "preferences": round(values.evidence[author].n_pairs),
        "lift_per_pair": estimate.lift_per_pair,
        "stderr": estimate.stderr,
        "low": estimate.low,
        "high": estimate.high,
        "quality": estimate.quality,
        "quality_var": estimate.quality_var,
        "evidence": estimate.evidence,
        "evidence_var": estimate.evidence_var,
    }
