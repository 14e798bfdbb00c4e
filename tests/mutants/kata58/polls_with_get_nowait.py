"""Idle workers poll the queue with get_nowait() and a short sleep instead of blocking in get().

expect-fail: test_idle_workers_block_instead_of_polling
expect-words: polling
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    pages: queue.Queue[str] = queue.Queue()
    seen = {root}
    errors: list[Exception] = []
    lock = threading.Lock()
    finished = threading.Event()

    def work() -> None:
        while not finished.is_set():
            try:
                page = pages.get_nowait()
            except queue.Empty:
                time.sleep(0.01)  # MUTANT: busy waiting for the next page
                continue
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

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    pages.put(root)
    pages.join()
    finished.set()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return seen
