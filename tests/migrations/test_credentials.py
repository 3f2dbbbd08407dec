"""Migration 0005_credentials on a database that already holds keys, devices and datasets:
every issued token keeps working, lab keys keep their ids, and datasets still name them."""

from flask_migrate import upgrade

from server import create_app
from server.extensions import db
from tests.factories import app_config

ROWS = [
    "INSERT INTO user (id, address, role, default_licence, created_at) VALUES "
    "(1, '0x0000000000000000000000000000000000000001', 'contributor', 'cc-by-4.0', "
    "'2026-11-01 10:00:00')",
    "INSERT INTO lab (id, name, created_at) VALUES (1, 'Acme', '2026-11-01 10:00:00')",
    "INSERT INTO lab_key (id, lab_id, key_hash, prefix, scopes, created_at) VALUES "
    "(1, 1, 'lab-hash', 'lld_lab_abcdef', 'datasets:read', '2026-11-01 10:00:00')",
    "INSERT INTO device_token (id, user_id, name, token_hash, prefix, scopes, created_at) "
    "VALUES (1, 1, 'laptop', 'device-hash', 'lld_dev_abcd', 'feedback:write', "
    "'2026-11-01 10:00:00')",
    "INSERT INTO dataset (id, name, version, lab_id, key_id, filters, row_count, counts, "
    "licences, merkle_root, pseudonym_salt, price, card, created_at) VALUES (1, 'hh', 1, 1, 1, "
    "'{}', 0, '{}', '{}', 'root', 'salt', '0', '', '2026-11-01 10:00:00')",
    "INSERT INTO download (id, dataset_id, lab_id, key_id, format, price, created_at) VALUES "
    "(1, 1, 1, 1, 'jsonl', '0', '2026-11-01 10:00:00')",
]


def test_upgrade_moves_every_token_and_keeps_what_references_lab_keys(tmp_path, redis_url):
    app = create_app(app_config(f"sqlite:///{tmp_path / 'credentials.db'}", redis_url))
    with app.app_context():
        upgrade(revision="0004")
        for row in ROWS:
            db.session.execute(db.text(row))
        db.session.commit()
        upgrade(revision="0005")
        # Read as raw rows: later migrations add columns the models already have.
        query = "SELECT token_hash, id, kind, lab_id, user_id, name FROM credential"
        rows = {r[0]: r[1:] for r in db.session.execute(db.text(query))}
        lab, device = rows["lab-hash"], rows["device-hash"]
        assert lab == (1, "lab", 1, None, None)
        assert device[1:] == ("device", None, 1, "laptop") and device[0] != 1
        keys = db.session.execute(
            db.text("SELECT key_id FROM dataset UNION ALL SELECT key_id FROM download")
        )
        assert [k for (k,) in keys] == [1, 1]
        assert db.session.execute(db.text("PRAGMA foreign_key_check")).fetchall() == []
        db.session.remove()
        db.engine.dispose()
