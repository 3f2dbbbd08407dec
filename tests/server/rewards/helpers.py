"""Rewards test helpers: the signer key, user lookups, crediting in a fresh app context."""

import threading
from collections.abc import Callable
from typing import Any

from eth_account import Account
from eth_utils import keccak

from server.auth.models import User
from server.extensions import db

SIGNER = Account.from_key(keccak(text="liftledger rewards test signer"))
PASSWORD = "rewards-test-password"


def user_id(app, address: str) -> int:
    """The id of the user signed in with ``address``."""
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.address == address))


def credit(app, round_id: int, weights: dict[int, float]) -> list[tuple[int, int]]:
    """Run ``credit_round`` in its own app context; (user id, amount) of the new entries."""
    from server.rewards.services import credit_round

    with app.app_context():
        return [(e.user_id, e.amount) for e in credit_round(round_id, weights)]


def at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(0)`` .. ``work(count - 1)`` in as many threads, released together by a
    barrier; each call's result, or the exception it raised."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except BaseException as error:  # noqa: BLE001  (returned to the caller)
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
