"""The demo's adversaries among honest contributors, and everyone's gold answers.

- a **copier** reposts an honest author's pairwise judgements, alternately verbatim and
  lightly edited (case, spacing, final punctuation), after the author posted them;
- a **random clicker** picks A or B by a coin flip;
- a **flipper** reverses every judgement it was given.

The clicker and the flipper judge pairs of their own (the HH dialogues just after the honest
contributors' share), so the only copies in the demo are the copier's. Gold answers follow
each one's behaviour: honest raters and the copier (who copies feedback, not judgement) are
right 90% of the time, the clicker 50%, the flipper 10%.
"""

import random
import uuid
from datetime import timedelta

from server.extensions import db
from server.gold.models import GoldAnswer
from server.gold.services import seed_answers
from server.models_base import utcnow

_NAMESPACE = uuid.UUID("0b6f6a2e-8a53-4c1e-9a57-3f2d8e61c0aa")
GOLD_ACCURACY = {"honest": 0.9, "copier": 0.9, "clicker": 0.5, "flipper": 0.1}
GOLD_DAYS = 5


def light_edit(text: str) -> str:
    """The same text with a trivial change a copier might make to pass as its own."""
    text = text.strip()
    edited = text[:-1] if text.endswith((".", "!", "?")) else text + "."
    return edited.replace(", ", " ,  ", 1) if ", " in edited else edited.lower()


def copies(records: list[dict]) -> list[dict]:
    """The copier's reposts of an author's pairwise records: verbatim, then lightly edited, in
    turn, each with its own client id."""
    out = []
    for n, record in enumerate(r for r in records if r["kind"] == "pairwise"):
        copy = {**record, "client_id": str(uuid.uuid5(_NAMESPACE, f"copy:{record['client_id']}"))}
        if n % 2:
            copy["answer"] = light_edit(record["answer"])
            copy["other_answer"] = {**record["other_answer"],
                                    "text": light_edit(record["other_answer"]["text"])}  # fmt: skip
        out.append(copy)
    return out


def random_clicks(records: list[dict], seed: str) -> list[dict]:
    """The records with each A/B choice drawn by a coin flip."""
    rng = random.Random(f"clicker:{seed}")
    return [{**r, "choice": rng.choice(("a", "b"))} for r in records]


def flipped(records: list[dict]) -> list[dict]:
    """The records with every A/B choice reversed."""
    return [{**r, "choice": {"a": "b", "b": "a"}.get(r["choice"], r["choice"])} for r in records]


def seed_gold_answers(user_ids: dict[int, str], seed: str, per_day: int) -> int:
    """Gold answers for each demo user (`{user id: behaviour}`), `per_day` a day over the
    last `GOLD_DAYS` days, right as often as its behaviour says; users who already answered
    are left alone, so a second run adds nothing. How many answers were stored."""
    start = utcnow() - timedelta(days=GOLD_DAYS + 1)
    stored = 0
    for uid, behaviour in user_ids.items():
        if db.session.scalar(db.select(GoldAnswer.id).where(GoldAnswer.user_id == uid).limit(1)):
            continue
        rng = random.Random(f"gold:{seed}:{uid}:{behaviour}")
        rights = [rng.random() < GOLD_ACCURACY[behaviour] for _ in range(GOLD_DAYS * per_day)]
        stored += seed_answers(uid, rights, start, per_day)
    return stored
