"""The hash-chained ledger: canonical hashes, database-enforced append-only, verify, races."""

import hashlib
import json

import pytest
from sqlalchemy.exc import DatabaseError

from server.auth.models import User
from server.extensions import db
from server.rewards import ledger
from server.rewards.models import LedgerEntry, RoundPool
from server.rewards.triggers import unlocked_ledger
from server.rounds.models import TrainingRound
from tests.concurrency import at_once

BIG = 10**27 + 7


@pytest.fixture
def users(app) -> list[int]:
    """Three users with real-looking addresses."""
    with app.app_context():
        rows = [User(address=f"0x{i:040x}") for i in range(1, 4)]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def _append_some(app, users: list[int]) -> None:
    """Five entries, one of them 1e27-sized; each credit is a round's, within its pool."""
    with app.app_context():
        for i, amount in enumerate([5, BIG, 3, 1, 2]):
            if i == 2:
                ledger.append("claim", users[1], amount)  # within what users[1] was credited
                continue
            round_ = TrainingRound(backbone="tiny", status="finished")
            db.session.add(round_)
            db.session.flush()
            db.session.add(RoundPool(round_id=round_.id, pool=BIG))
            ledger.append("credit", users[i % 3], amount, round_.id)
        db.session.commit()


def test_entries_chain_by_the_documented_encoding(app, users):
    _append_some(app, users)
    with app.app_context():
        entries = db.session.scalars(db.select(LedgerEntry).order_by(LedgerEntry.seq)).all()
        assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
        assert entries[1].amount == BIG  # exact, no float on the way
        prev = "0" * 64
        for e in entries:
            fields = {
                "amount": str(e.amount),
                "created_at": e.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "kind": e.kind,
                "prev_hash": prev,
                "round_id": e.round_id,
                "seq": e.seq,
                "user_id": e.user_id,
            }
            blob = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
            assert e.prev_hash == prev
            assert e.hash == hashlib.sha256(blob).hexdigest()
            prev = e.hash


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entry SET amount = '999' WHERE seq = 2",
        "UPDATE ledger_entry SET user_id = user_id",
        "DELETE FROM ledger_entry WHERE seq = 5",
        "DELETE FROM ledger_entry",
    ],
)
def test_database_refuses_updates_and_deletes(app, users, statement):
    _append_some(app, users)
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(DatabaseError, match="append-only"):
            connection.execute(db.text(statement))
        connection.rollback()
        assert connection.execute(db.text("SELECT count(*) FROM ledger_entry")).scalar() == 5


def test_verify_passes_on_an_intact_ledger(app, users, runner):
    _append_some(app, users)
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert "ledger ok: 5 entries" in result.output


def test_verify_finds_a_claim_beyond_the_claimants_credits(app, users, runner):
    _append_some(app, users)
    with app.app_context():
        ledger.append("claim", users[0], 7)  # users[0] was credited 5 + 1
        db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert f"user {users[0]}: claimed 7 > credited 6" in result.output


def test_verify_on_an_empty_ledger(app, runner):
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0 and "0 entries" in result.output


@pytest.mark.parametrize(
    ("tamper", "bad_seq", "reason"),
    [
        ("UPDATE ledger_entry SET amount = '6' WHERE seq = 3", 3, "hash does not match"),
        ("UPDATE ledger_entry SET user_id = {other} WHERE seq = 4", 4, "hash does not match"),
        ("DELETE FROM ledger_entry WHERE seq = 2", 2, "missing"),
        ("UPDATE ledger_entry SET prev_hash = hash WHERE seq = 5", 5, "prev_hash"),
    ],
)
def test_verify_names_the_first_tampered_entry(app, users, runner, tamper, bad_seq, reason):
    _append_some(app, users)
    with app.app_context(), db.engine.begin() as connection, unlocked_ledger(connection):
        connection.execute(db.text(tamper.format(other=users[2])))
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert f"ledger entry {bad_seq} is bad" in result.output
    assert reason in result.output


def test_rehashed_tampering_breaks_the_next_link(app, users, runner):
    """A forger who also fixes the altered entry's own hash is caught at the next entry."""
    _append_some(app, users)
    with app.app_context():
        entry = db.session.get(LedgerEntry, 2)
        entry.amount = 1
        forged = ledger.entry_hash(entry)
        db.session.rollback()  # end the read before the DDL below takes its table lock
        with db.engine.begin() as connection, unlocked_ledger(connection):
            connection.execute(
                db.text("UPDATE ledger_entry SET amount = :a, hash = :h WHERE seq = 2"),
                {"a": "1" if db.engine.dialect.name != "postgresql" else 1, "h": forged},
            )
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "ledger entry 3 is bad: prev_hash" in result.output


@pytest.mark.parametrize(("kind", "amount"), [("bonus", 1), ("credit", 0), ("credit", 1.5)])
def test_append_refuses_bad_entries(app, users, kind, amount):
    with app.app_context(), pytest.raises(ValueError):
        ledger.append(kind, users[0], amount)


def test_concurrent_appends_keep_one_unbroken_chain(app, users):
    """Sixteen threads, each on its own connection, append 5 entries each."""

    def worker(index: int) -> None:
        with app.app_context():
            for _ in range(5):
                ledger.in_transaction(lambda: ledger.append("credit", users[index % 3], 1))
            db.session.remove()

    assert at_once(16, worker) == [None] * 16  # no thread raised
    with app.app_context():
        seqs = db.session.scalars(db.select(LedgerEntry.seq).order_by(LedgerEntry.seq)).all()
        assert seqs == list(range(1, 81))
        assert ledger.verify() == (80, None)
