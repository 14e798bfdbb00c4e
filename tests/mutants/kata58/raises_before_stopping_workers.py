"""On an error, raises as soon as the caller hears of it, before sending the sentinels, so the workers are left behind.

expect-fail: test_an_error_in_get_links_is_reraised
expect-words: still running
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    pages: queue.Queue[str | None] = queue.Queue()
    seen = {root}
    pending = 1
    errors: list[Exception] = []
    changed = threading.Condition()

    def work() -> None:
        nonlocal pending
        while True:
            page = pages.get()
            if page is None:
                return
            try:
                with changed:
                    stopping = bool(errors)
                if not stopping:
                    for link in get_links(page):
                        with changed:
                            if link in seen:
                                continue
                            seen.add(link)
                            pending += 1
                        pages.put(link)
            except Exception as exc:
                with changed:
                    errors.append(exc)
            finally:
                with changed:
                    pending -= 1
                    changed.notify_all()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    pages.put(root)
    with changed:
        changed.wait_for(lambda: pending == 0 or bool(errors))
    if errors:
        raise errors[0]  # MUTANT: raised before the sentinels are sent, so the workers never leave get()
    for _ in threads:
        pages.put(None)
    for thread in threads:
        thread.join()
    return seen
