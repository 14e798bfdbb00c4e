"""Appends each result to a shared list when its fetch finishes, so results come back in completion order.

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
    results: list[T] = []
    errors: dict[int, Exception] = {}
    lock = threading.Lock()

    def work(index: int, url: str) -> None:
        try:
            result = fetch(url)
        except Exception as exc:
            errors[index] = exc
        else:
            with lock:
                results.append(result)  # MISTAKE: completion order, not the order of urls

    threads = [threading.Thread(target=work, args=(i, url), daemon=True) for i, url in enumerate(urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))

    running = sum(thread.is_alive() for thread in threads)
    if running:
        raise TimeoutError(f"{running} of {len(urls)} fetches still running after {timeout} s")
    if errors:
        raise errors[min(errors)]
    return results
