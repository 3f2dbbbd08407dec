"""What a round reads of gold: each author's answers since the previous finished round, up to
the round's own start, so evidence carried in reliability is never counted twice."""

from datetime import timedelta

from server.gold.services import gold_record
from server.models_base import utcnow
from server.rounds.store import previous_round_time
from tests.factories import make_account, make_gold_answer, make_training_round


def test_gold_record_counts_answers_in_the_window(app):
    with app.app_context():
        now = utcnow()
        user, other, silent = make_account(), make_account(), make_account()
        for hours, correct in ((-30, True), (-5, True), (-4, False), (-3, True), (2, False)):
            make_gold_answer(user_id=user.id, correct=correct,
                             answered_at=now + timedelta(hours=hours))  # fmt: skip
        make_gold_answer(user_id=other.id, correct=False, answered_at=now - timedelta(hours=1))
        record = gold_record(
            [user.id, other.id, silent.id], until=now, since=now - timedelta(hours=24)
        )
        assert record == {user.id: (2, 3), other.id: (0, 1), silent.id: (0, 0)}
        assert gold_record([user.id])[user.id] == (3, 5)


def test_previous_round_time_is_the_newest_finished_round_before(app):
    with app.app_context():
        now = utcnow()
        assert previous_round_time(make_training_round(created_at=now)) is None
        older = make_training_round(status="finished", created_at=now - timedelta(days=2))
        make_training_round(status="finished", created_at=now - timedelta(days=1))
        make_training_round(status="failed", created_at=now - timedelta(hours=1))
        make_training_round(status="finished", created_at=now + timedelta(hours=1))
        this = make_training_round(status="running", created_at=now)
        assert previous_round_time(this) == now - timedelta(days=1)
        assert previous_round_time(older) is None
