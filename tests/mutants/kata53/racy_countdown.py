"""Threads count down a shared counter without a lock, so a decrement is lost and the Event never fires.

expect-fail: test_no_result_is_lost_when_threads_switch_at_every_step
expect-words: lost, lock
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

T = TypeVar("T")


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], *, timeout: float) -> list[T]:
    deadline = time.monotonic() + timeout
    if not urls:
        return []
    results: list[T | None] = [None] * len(urls)
    errors: list[Exception | None] = [None] * len(urls)
    pending = len(urls)
    all_done = threading.Event()

    def work(index: int, url: str) -> None:
        nonlocal pending
        try:
            results[index] = fetch(url)
        except Exception as exc:
            errors[index] = exc
        finally:
            pending -= 1  # MUTANT: no lock around the read-modify-write
            if pending == 0:
                all_done.set()

    for index, url in enumerate(urls):
        threading.Thread(target=work, args=(index, url), daemon=True).start()

    if not all_done.wait(max(0.0, deadline - time.monotonic())):
        running = pending
        raise TimeoutError(f"{running} of {len(urls)} fetches still running after {timeout} s")
    for error in errors:
        if error is not None:
            raise error
    return cast("list[T]", results)  # no fetch raised, so every slot holds a result
