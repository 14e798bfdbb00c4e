"""Keeps results in a dict keyed by URL, so a URL listed twice is fetched only once.

expect-fail: test_duplicate_urls_are_fetched_once_per_occurrence
expect-words: once per occurrence, made 2 fetches for 4 urls, one per position
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], *, timeout: float) -> list[T]:
    deadline = time.monotonic() + timeout
    results: dict[str, T] = {}
    errors: dict[str, Exception] = {}

    def work(url: str) -> None:
        try:
            results[url] = fetch(url)
        except Exception as exc:
            errors[url] = exc

    # MISTAKE: one thread per distinct URL, not one per occurrence
    threads = [threading.Thread(target=work, args=(url,), daemon=True) for url in dict.fromkeys(urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))

    running = sum(thread.is_alive() for thread in threads)
    if running:
        raise TimeoutError(f"{running} of {len(urls)} fetches still running after {timeout} s")
    for url in urls:
        if url in errors:
            raise errors[url]
    return [results[url] for url in urls]
