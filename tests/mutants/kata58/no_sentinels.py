"""Returns once join() says every page is done, without sending the workers a sentinel: they stay blocked in get().

expect-fail: test_every_worker_has_exited_when_crawl_returns
expect-words: still running
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    pages: queue.Queue[str] = queue.Queue()
    seen = {root}
    errors: list[Exception] = []
    lock = threading.Lock()

    def work() -> None:
        while True:
            page = pages.get()
            try:
                with lock:
                    stopping = bool(errors)
                if stopping:
                    continue
                for link in get_links(page):
                    with lock:
                        if link in seen:
                            continue
                        seen.add(link)
                    pages.put(link)
            except Exception as exc:
                with lock:
                    errors.append(exc)
            finally:
                pages.task_done()

    for _ in range(workers):
        threading.Thread(target=work, daemon=True).start()
    pages.put(root)
    pages.join()  # MUTANT: the workers are never told to stop, nor joined
    if errors:
        raise errors[0]
    return seen
