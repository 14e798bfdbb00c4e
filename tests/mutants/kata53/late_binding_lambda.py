"""Starts each thread with a lambda that reads the loop variables late, so every thread fetches the last URL.

expect-fail: test_results_come_back_in_the_order_of_urls
expect-words: order
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], *, timeout: float) -> list[T]:
    deadline = time.monotonic() + timeout
    results: list[T | None] = [None] * len(urls)
    errors: list[Exception | None] = [None] * len(urls)

    def work(index: int, url: str) -> None:
        try:
            results[index] = fetch(url)
        except Exception as exc:
            errors[index] = exc

    # MISTAKE: the lambdas see i and url as they are after the loop, not as they were for each thread
    threads = [threading.Thread(target=lambda: work(i, url), daemon=True) for i, url in enumerate(urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))

    running = sum(thread.is_alive() for thread in threads)
    if running:
        raise TimeoutError(f"{running} of {len(urls)} fetches still running after {timeout} s")
    for error in errors:
        if error is not None:
            raise error
    return results  # type: ignore[return-value]
