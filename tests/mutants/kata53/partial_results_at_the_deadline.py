"""Returns None for the fetches still running at the deadline instead of raising TimeoutError, on time.

expect-fail: test_the_deadline_is_one_for_the_whole_call
expect-words: at its deadline, should raise timeouterror
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

    if errors:
        raise errors[min(errors)]
    return [results.get(i) for i in range(len(urls))]  # type: ignore[misc]  # MISTAKE: silent None on timeout
