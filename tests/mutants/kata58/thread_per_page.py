"""Starts a new thread for every page it finds instead of a fixed set of workers taking pages from a queue.

expect-fail: test_never_more_than_workers_threads_or_calls
expect-words: threads
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    seen = {root}
    pending = 0
    errors: list[Exception] = []
    threads: list[threading.Thread] = []
    changed = threading.Condition()

    def start(page: str) -> None:  # called with `changed` held
        nonlocal pending
        pending += 1
        thread = threading.Thread(target=visit, args=(page,), daemon=True)  # MUTANT: one thread per page
        threads.append(thread)
        thread.start()

    def visit(page: str) -> None:
        nonlocal pending
        try:
            for link in get_links(page):
                with changed:
                    if link not in seen and not errors:
                        seen.add(link)
                        start(link)
        except Exception as exc:
            with changed:
                errors.append(exc)
        finally:
            with changed:
                pending -= 1
                changed.notify_all()

    with changed:
        start(root)
        changed.wait_for(lambda: pending == 0)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return seen
