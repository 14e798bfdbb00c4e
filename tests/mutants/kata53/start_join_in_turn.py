"""Starts each URL's thread and joins it before starting the next, so the fetches run one at a time.

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

    def work(index: int, url: str) -> None:
        try:
            results[index] = fetch(url)
        except Exception as exc:
            errors[index] = exc

    for index, url in enumerate(urls):
        thread = threading.Thread(target=work, args=(index, url), daemon=True)
        thread.start()
        thread.join(max(0.0, deadline - time.monotonic()))  # MISTAKE: waits before starting the next
        if thread.is_alive():
            raise TimeoutError(f"{url!r} still running after {timeout} s")

    if errors:
        raise errors[min(errors)]
    return [results[i] for i in range(len(urls))]
