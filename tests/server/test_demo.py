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
