"""Kata 58 reference — style: queue.Queue with task_done()/join() to know when the crawl is done, then sentinels."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    pages: queue.Queue[str | None] = queue.Queue()
    seen = {root}
    errors: list[Exception] = []
    lock = threading.Lock()

    def work() -> None:
        while True:
            page = pages.get()
            if page is None:
                return
            try:
                with lock:
                    stopping = bool(errors)
                if stopping:
                    continue  # drain: after an error no page is crawled (task_done still runs below)
                for link in get_links(page):
                    with lock:
                        if link in seen or errors:
                            continue
                        seen.add(link)
                    pages.put(link)  # before this page's task_done, so join() cannot return early
            except Exception as exc:
                with lock:
                    errors.append(exc)
            finally:
                pages.task_done()

    threads = [threading.Thread(target=work, name=f"crawler-{i}", daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    pages.put(root)
    pages.join()  # every page put has been taken and finished (crawled, failed or skipped)
    for _ in threads:
        pages.put(None)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return seen
