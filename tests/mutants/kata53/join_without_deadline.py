"""Joins every thread with no timeout, so a fetch that hangs makes fetch_all hang forever.

expect-fail: test_a_hung_fetch_raises_timeout_error_at_the_deadline
expect-words: did not return
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], *, timeout: float) -> list[T]:
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
        thread.join()  # MISTAKE: no deadline; `timeout` is never used

    if errors:
        raise errors[min(errors)]
    return [results[i] for i in range(len(urls))]
