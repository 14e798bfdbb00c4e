"""Kata 53 reference — style: a Thread subclass that keeps its own result or exception."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class FetchThread(threading.Thread, Generic[T]):
    """Fetches one URL; afterwards holds either `result` or `error`."""

    result: T
    error: Exception | None = None

    def __init__(self, url: str, fetch: Callable[[str], T]) -> None:
        super().__init__(name=f"fetch {url}", daemon=True)
        self.url = url
        self._fetch = fetch

    def run(self) -> None:
        try:
            self.result = self._fetch(self.url)
        except Exception as exc:
            self.error = exc


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], *, timeout: float) -> list[T]:
    deadline = time.monotonic() + timeout
    threads = [FetchThread(url, fetch) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))

    still_running = [thread.url for thread in threads if thread.is_alive()]
    if still_running:
        raise TimeoutError(f"still fetching {still_running!r} after {timeout} s")
    for thread in threads:
        if thread.error is not None:
            raise thread.error
    return [thread.result for thread in threads]
