"""Kata 53 reference — style: threads count down under a Lock and set an Event; wait on it by the deadline."""

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
    lock = threading.Lock()
    all_done = threading.Event()

    def work(index: int, url: str) -> None:
        nonlocal pending
        try:
            results[index] = fetch(url)
        except Exception as exc:
            errors[index] = exc
        finally:
            with lock:
                pending -= 1
                if pending == 0:
                    all_done.set()

    for index, url in enumerate(urls):
        threading.Thread(target=work, args=(index, url), daemon=True).start()

    if not all_done.wait(max(0.0, deadline - time.monotonic())):
        with lock:
            running = pending
        raise TimeoutError(f"{running} of {len(urls)} fetches still running after {timeout} s")
    for error in errors:
        if error is not None:
            raise error
    return cast("list[T]", results)  # no fetch raised, so every slot holds a result
