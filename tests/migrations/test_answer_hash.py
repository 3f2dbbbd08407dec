"""Migration 0013_rev14: answers are keyed by the hash of their exact text. Rows stored with
the whitespace-collapsed hash get the exact one (only texts whose whitespace was not already
collapsed change), a key another row already holds is left alone rather than fail, and a
downgrade restores the collapsed hashes."""

import hashlib

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from server import create_app
from server.extensions import db
from tests.conftest import app_config

INSERT = text(
    "INSERT INTO answer (id, site, message_id, prompt_text, answer_text, prompt_hash, "
    "answer_hash, created_at) VALUES (:id, 'chatgpt', :mid, 'Why?', :text, 'p', :hash, "
    "'2026-11-30 10:00:00')"
)
PADDED = "  Because.\n\nIt is."


def _sha(value: str) -> str:
    """sha256 hex of a text."""
    return hashlib.sha256(value.encode()).hexdigest()


def _collapsed(value: str) -> str:
    """The hash answers had before: of the text with whitespace collapsed."""
    return _sha(" ".join(value.split()))


def _hashes() -> dict[int, str]:
    """Answer id -> stored answer hash."""
    return dict(db.session.execute(text("SELECT id, answer_hash FROM answer")).all())


def test_answer_hashes_become_exact_and_come_back(tmp_path, redis_url):
    app = create_app(app_config(f"sqlite:///{tmp_path / 'answers.db'}", redis_url))
    with app.app_context():
        upgrade(revision="0010_ingest")
        rows = [
            (1, "m1", "Plain text.", _collapsed("Plain text.")),  # unchanged either way
            (2, "m2", PADDED, _collapsed(PADDED)),
            (3, None, PADDED, _collapsed(PADDED)),
            (4, "m4", PADDED, _collapsed(PADDED)),
            (5, "m4", PADDED, _sha(PADDED)),  # holds 4's new key already
        ]
        for answer_id, mid, body, digest in rows:
            db.session.execute(INSERT, {"id": answer_id, "mid": mid, "text": body, "hash": digest})
        db.session.commit()
        upgrade()
        assert _hashes() == {
            1: _sha("Plain text."),
            2: _sha(PADDED),
            3: _sha(PADDED),
            4: _collapsed(PADDED),  # its key was taken: left as it was, no failure
            5: _sha(PADDED),
        }
        db.session.remove()
        downgrade(revision="0010_ingest")
        restored = _hashes()
        assert (restored[2], restored[3], restored[1]) == (
            _collapsed(PADDED),
            _collapsed(PADDED),
            _collapsed("Plain text."),
        )
        db.session.remove()
        db.engine.dispose()
