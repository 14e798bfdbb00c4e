"""Fetches the URLs one at a time in a loop (on a single worker thread), so they are never in flight together.

expect-fail: test_every_fetch_is_in_flight_at_the_same_time
expect-words: one at a time
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], *, timeout: float) -> list[T]:
    deadline = time.monotonic() + timeout
    results: dict[int, T] = {}
    errors: dict[int, Exception] = {}

    def work() -> None:
        for index, url in enumerate(urls):  # MISTAKE: one fetch after another
            try:
                results[index] = fetch(url)
            except Exception as exc:
                errors[index] = exc

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))

    if worker.is_alive():
        raise TimeoutError(f"fetches still running after {timeout} s")
    if errors:
        raise errors[min(errors)]
    return [results[i] for i in range(len(urls))]
