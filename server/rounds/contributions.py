"""What each author sees of a round: their preferences' lift, explained in one line."""

from server.extensions import db
from server.rounds.models import AuthorValue, Preference, PreferenceValue, TrainingRound


def explain(lift: float, shared: int) -> str:
    """A one-line reason for a preference's lift."""
    if lift > 0:
        text = f"Removing it would raise held-out loss by {lift:.2e}: it helped the reward model."
    elif lift < 0:
        text = (
            f"Removing it would lower held-out loss by {-lift:.2e}: "
            "it pulled the model away from trusted judgements."
        )
    else:
        text = "It made no measurable difference to held-out loss."
    if shared > 1:
        text += f" Its value is shared with {shared - 1} near-identical submission(s)."
    return text


def contributions(user_id: int, round_id: int | None = None) -> list[dict]:
    """The user's preferences with their lift, newest round first."""
    query = (
        db.select(PreferenceValue, Preference)
        .join(Preference, Preference.id == PreferenceValue.preference_id)
        .join(TrainingRound, TrainingRound.id == PreferenceValue.round_id)
        .where(TrainingRound.status == "finished")
        .order_by(PreferenceValue.round_id.desc(), PreferenceValue.lift.desc())
    )
    if round_id is not None:
        query = query.where(PreferenceValue.round_id == round_id)
    out = []
    for value, pref in db.session.execute(query):
        if user_id not in (pref.author_ids or []):
            continue
        shared = len(pref.author_ids or [])
        out.append(
            {
                "round_id": value.round_id,
                "preference_id": pref.id,
                "lift": value.lift,
                "weight": value.weight,
                "cluster_id": value.cluster_id,
                "source": pref.source,
                "prompt": pref.prompt,
                "chosen": pref.chosen,
                "rejected": pref.rejected,
                "explanation": explain(value.lift, shared),
            }
        )
    return out


def distribution(round_id: int, user_id: int) -> dict:
    """Every author's lift total in a round, and the caller's."""
    rows = db.session.execute(
        db.select(AuthorValue.user_id, AuthorValue.lift).where(AuthorValue.round_id == round_id)
    ).all()
    mine = next((lift for uid, lift in rows if uid == user_id), None)
    return {"round_id": round_id, "lifts": sorted(lift for _, lift in rows), "mine": mine}
