"""What each author sees of a round: their preferences' lift, explained in one line, and their
own lift per pair with its error and the rule that turns it into a payout."""

from server.extensions import db
from server.rounds.models import AuthorValue, Preference, PreferenceValue, TrainingRound

RULE = (
    "Paid on your lift per pair shrunk toward the round's mean by its error (empirical Bayes): "
    "a noisy estimate pays about the mean per accepted pair, a clearly measured one pays itself."
)


def author_line(value: AuthorValue | None, mean: float | None) -> str:
    """One line: the author's lift per pair, ± its standard error, and what it was paid on."""
    if value is None:
        return "No lift measured for you in this round."
    line = (
        f"Your lift {value.lift_per_pair:.2e} ± {value.stderr:.2e} per pair "
        f"(95% interval {value.low:.2e} to {value.high:.2e}, {value.preferences} pairs)"
    )
    if mean is not None and mean > 0:
        line += f"; paid on {value.quality * mean:.2e}, the round's mean being {mean:.2e}"
    return line + "."


def _author_lines(user_id: int, round_ids: set[int]) -> dict[int, str]:
    """round id → the author's one-line lift summary."""
    rows = db.session.execute(
        db.select(AuthorValue, TrainingRound.metrics)
        .join(TrainingRound, TrainingRound.id == AuthorValue.round_id)
        .where(AuthorValue.user_id == user_id, AuthorValue.round_id.in_(round_ids))
    ).all()
    found = {v.round_id: author_line(v, (m or {}).get("mean_lift_per_pair")) for v, m in rows}
    return {rid: found.get(rid, author_line(None, None)) for rid in round_ids}


def explain(lift: float, shared: int) -> str:
    """A one-line reason for a preference's lift."""
    if lift > 0:
        text = f"Removing it would raise yardstick loss by {lift:.2e}: it helped the reward model."
    elif lift < 0:
        text = (
            f"Removing it would lower yardstick loss by {-lift:.2e}: "
            "it pulled the model away from the reference judgements."
        )
    else:
        text = "It made no measurable difference to yardstick loss."
    if shared > 1:
        text += f" {shared - 1} other account(s) posted it too; the first poster keeps its value."
    return text


def copy_line(value: PreferenceValue, pref: Preference, user_id: int) -> str | None:
    """One line when this preference is, for this user, a copy of an earlier post (None
    otherwise): the first post by server receipt keeps a cluster's value."""
    first = value.first_preference_id
    if first is None:
        return None
    if first != pref.id:
        return (
            f"A copy of an earlier post (preference #{first}, received first): the first "
            "poster keeps its value, so this one earns 0."
        )
    if value.credited_user_id is not None and value.credited_user_id != user_id:
        return (
            "Another account posted this judgement before you: the first poster keeps its "
            "value, so your copy earns 0."
        )
    return None


def contributions(user_id: int, round_id: int | None = None) -> list[dict]:
    """The user's preferences with their lift, newest round first; each carries the user's
    lift line for its round and the payout rule."""
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
                "copy_of": value.first_preference_id if copy_line(value, pref, user_id) else None,
                "copy_line": copy_line(value, pref, user_id),
            }
        )
    lines = _author_lines(user_id, {item["round_id"] for item in out})
    for item in out:
        item["your_lift"], item["rule"] = lines[item["round_id"]], RULE
    return out


def distribution(round_id: int, user_id: int) -> dict:
    """Every author's lift total in a round, and the caller's."""
    rows = db.session.execute(
        db.select(AuthorValue.user_id, AuthorValue.lift).where(AuthorValue.round_id == round_id)
    ).all()
    mine = next((lift for uid, lift in rows if uid == user_id), None)
    return {"round_id": round_id, "lifts": sorted(lift for _, lift in rows), "mine": mine}
