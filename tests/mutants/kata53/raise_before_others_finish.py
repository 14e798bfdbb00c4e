"""Re-raises a fetch's exception as soon as its thread is joined, while later fetches are still running.

expect-fail: test_an_exception_is_reraised_only_after_every_fetch_finished
expect-words: still running
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
    for index, thread in enumerate(threads):
        thread.join(max(0.0, deadline - time.monotonic()))
        if index in errors:
            raise errors[index]  # MISTAKE: the threads after this one may still be running

    running = sum(thread.is_alive() for thread in threads)
    if running:
        raise TimeoutError(f"{running} of {len(urls)} fetches still running after {timeout} s")
    return [results[i] for i in range(len(urls))]
