"""Migration 0010_ingest: the trigger linking superseded feedback to its successor exists at
the head (a later SQLite rebuild of the feedback table would drop it) and goes with a
downgrade."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from server import create_app
from server.extensions import db
from tests.factories import app_config

TRIGGERS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'feedback'",
    "postgresql": "SELECT tgname FROM pg_trigger WHERE tgrelid = 'feedback'::regclass"
    " AND NOT tgisinternal",
}


def _triggers() -> list[str]:
    """The feedback table's triggers."""
    return list(db.session.execute(text(TRIGGERS[db.engine.dialect.name])).scalars())


def test_the_history_trigger_is_at_the_head(app):
    with app.app_context():
        assert _triggers() == ["feedback_link_history"]


def test_the_history_trigger_goes_with_a_downgrade(tmp_path, redis_url):
    app = create_app(app_config(f"sqlite:///{tmp_path / 'ingest.db'}", redis_url))
    with app.app_context():
        upgrade()
        downgrade(revision="0012_gold")
        assert _triggers() == []
        upgrade()
        assert _triggers() == ["feedback_link_history"]
