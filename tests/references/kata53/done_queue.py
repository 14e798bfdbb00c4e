"""Kata 53 reference — style: each thread reports on a queue when done; collect a report per URL in time."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], *, timeout: float) -> list[T]:
    deadline = time.monotonic() + timeout
    results: dict[int, T] = {}
    errors: dict[int, Exception] = {}
    finished: queue.SimpleQueue[int] = queue.SimpleQueue()

    def work(index: int, url: str) -> None:
        try:
            results[index] = fetch(url)
        except Exception as exc:
            errors[index] = exc
        finally:
            finished.put(index)

    for index, url in enumerate(urls):
        threading.Thread(target=work, args=(index, url), daemon=True).start()

    for done in range(len(urls)):
        try:
            finished.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            running = len(urls) - done
            raise TimeoutError(f"{running} of {len(urls)} fetches still running after {timeout} s") from None

    if errors:
        raise errors[min(errors)]
    return [results[i] for i in range(len(urls))]
