"""Catches the exception inside the thread and stores None as the result, so the caller never sees it.

expect-fail: test_the_first_failing_url_in_input_order_is_reraised
expect-words: lost
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

    def work(index: int, url: str) -> None:
        try:
            results[index] = fetch(url)
        except Exception:
            results[index] = None  # MISTAKE: the exception is swallowed

    threads = [threading.Thread(target=work, args=(i, url), daemon=True) for i, url in enumerate(urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))

    running = sum(thread.is_alive() for thread in threads)
    if running:
        raise TimeoutError(f"{running} of {len(urls)} fetches still running after {timeout} s")
    return results  # type: ignore[return-value]
