"""Scans the errors in input order without stopping, so the last failing URL's exception is raised.

expect-fail: test_the_first_failing_url_in_input_order_is_reraised
expect-words: first
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

    threads = [threading.Thread(target=work, args=(i, url), daemon=True) for i, url in enumerate(urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))

    running = sum(thread.is_alive() for thread in threads)
    if running:
        raise TimeoutError(f"{running} of {len(urls)} fetches still running after {timeout} s")
    error: Exception | None = None
    for index in range(len(urls)):
        if index in errors:
            error = errors[index]  # MISTAKE: no break, so a later failure overwrites the first
    if error is not None:
        raise error
    return [results[i] for i in range(len(urls))]
