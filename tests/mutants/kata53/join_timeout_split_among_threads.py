"""Joins each thread with timeout / n instead of one deadline for the call, so TimeoutError comes early although every fetch would finish in time.

expect-fail: test_the_deadline_is_one_for_the_whole_call
expect-words: before its deadline, timeout / n
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], *, timeout: float) -> list[T]:
    deadline = time.monotonic() + timeout
    n = len(urls)
    results: list = [None] * n
    errors: list[BaseException | None] = [None] * n

    def work(i: int, url: str) -> None:
        try:
            results[i] = fetch(url)
        except Exception as exc:  # handed to the caller below
            errors[i] = exc

    threads = [threading.Thread(target=work, args=(i, url), daemon=True) for i, url in enumerate(urls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout / len(threads))
        if t.is_alive():
            raise TimeoutError(f"fetch_all: not every fetch finished within {timeout} s")
    for exc in errors:
        if exc is not None:
            raise exc
    return results
