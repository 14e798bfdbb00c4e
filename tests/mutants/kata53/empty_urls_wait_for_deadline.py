"""With no URLs no worker ever sets the Event that fetch_all waits on, so fetch_all([]) times out.

expect-fail: test_fetch_all_of_nothing_is_an_empty_list
expect-words: timeouterror
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

T = TypeVar("T")


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], *, timeout: float) -> list[T]:
    deadline = time.monotonic() + timeout
    # MISTAKE: no special case for an empty list, and the Event is only ever set by a worker
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
        raise TimeoutError(f"fetches still running after {timeout} s")
    for error in errors:
        if error is not None:
            raise error
    return cast("list[T]", results)
