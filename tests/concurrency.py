"""Run work in threads released together, for race tests."""

import threading
from collections.abc import Callable
from typing import Any


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
