"""After a fetch raised, waits for the other threads with no deadline, so a hung fetch hangs the call.

expect-fail: test_the_deadline_wins_even_after_another_fetch_raised
expect-words: timeout
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
        for thread in threads:
            thread.join()  # MISTAKE: "re-raise once all finished" waits past the deadline
        raise errors[min(errors)]
    running = sum(thread.is_alive() for thread in threads)
    if running:
        raise TimeoutError(f"{running} of {len(urls)} fetches still running after {timeout} s")
    return [results[i] for i in range(len(urls))]
