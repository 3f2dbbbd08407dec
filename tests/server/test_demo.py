"""`flask demo seed` posts real data through the real sign-in and batch endpoints."""

import pytest

from server.auth.models import User
from server.extensions import db
from server.feedback.models import Feedback


def test_seed_posts_real_feedback_once(app, runner):
    args = ["demo", "seed", "--contributors", "3", "--hh", "30", "--qa", "10"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "created" in first.output and "invalid" not in first.output
    with app.app_context():
        users = db.session.query(User).count()
        kinds = {k for (k,) in db.session.query(Feedback.kind).distinct()}
        stored = db.session.query(Feedback).count()
    assert users == 3 and kinds == {"rating", "pairwise", "correction"}
    again = runner.invoke(args=args)
    assert again.exit_code == 0 and "created" not in again.output
    with app.app_context():
        assert db.session.query(Feedback).count() == stored


def test_seed_rejects_zero_contributors(runner):
    result = runner.invoke(args=["demo", "seed", "--contributors", "0"])
    assert result.exit_code != 0 and "contributor" in result.output


@pytest.mark.parametrize(("flag", "value"), [("--hh", "1547"), ("--qa", "341")])
def test_seed_refuses_to_post_yardstick_pairs(runner, flag, value):
    """The default yardstick is the tail of each file: the demo never posts it."""
    result = runner.invoke(args=["demo", "seed", flag, value])
    assert result.exit_code != 0 and "default yardstick" in result.output


def test_adversaries_post_among_honest_contributors_with_gold_answers(app, runner):
    from server.demo import adversary_wallets, wallet
    from server.feedback.models import Answer
    from server.gold.models import GoldAnswer
    from server.gold.services import gold_record

    args = ["demo", "seed", "--contributors", "3", "--hh", "24", "--qa", "2", "--adversaries"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "default gold pool imported" in first.output and "gold answers" in first.output
    bad = adversary_wallets("0")
    with app.app_context():
        ids = {u.address: u.id for u in db.session.query(User)}
        copier, clicker, flipper = (ids[bad[k].address] for k in ("copier", "clicker", "flipper"))
        victim = ids[wallet("0", 0).address]

        def texts(uid):
            rows = (
                db.session.query(Answer.prompt_text, Answer.answer_text)
                .join(Feedback, Feedback.answer_id == Answer.id)
                .filter(Feedback.user_id == uid, Feedback.kind == "pairwise")
            )
            return list(rows)

        victim_pairs, copied = texts(victim), texts(copier)
        assert len(copied) == len(victim_pairs) > 2
        exact = set(copied) & set(victim_pairs)
        assert 0 < len(exact) < len(copied)  # verbatim and lightly edited reposts
        assert {p for p, _ in copied} <= {p for p, _ in victim_pairs}
        for uid in (clicker, flipper):
            assert db.session.query(Feedback).filter(Feedback.user_id == uid).count() == 8
        record = gold_record(list(ids.values()))
        assert all(answered == 15 for _, answered in record.values())
        honest = [record[ids[wallet("0", i).address]][0] for i in range(3)]
        assert min(honest) > record[clicker][0] > record[flipper][0]
        stored = (db.session.query(Feedback).count(), db.session.query(GoldAnswer).count())
    again = runner.invoke(args=args)
    assert again.exit_code == 0 and "created" not in again.output, again.output
    with app.app_context():
        assert (db.session.query(Feedback).count(), db.session.query(GoldAnswer).count()) == stored
