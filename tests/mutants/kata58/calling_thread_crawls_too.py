"""crawl's own thread fetches root itself and takes pages from the queue while it waits: workers + 1 threads fetch.

expect-fail: test_never_more_than_workers_threads_or_calls
expect-words: crawl's own thread called get_links
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    if workers < 1:
        raise ValueError("workers must be >= 1")
    todo: queue.Queue = queue.Queue()
    lock = threading.Lock()
    seen = {root}
    errors: list[BaseException] = []
    stop = object()

    def crawl_one(page: str) -> None:
        if errors:
            return
        try:
            links = list(get_links(page))
        except BaseException as exc:
            with lock:
                errors.append(exc)
            return
        with lock:
            if errors:
                return
            for link in links:
                if link not in seen:
                    seen.add(link)
                    todo.put(link)

    def worker() -> None:
        while True:
            page = todo.get()
            try:
                if page is stop:
                    return
                crawl_one(page)
            finally:
                todo.task_done()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    crawl_one(root)  # the main thread does the first page itself, and helps while it waits
    while True:
        try:
            page = todo.get(timeout=0.05)
        except queue.Empty:
            if todo.unfinished_tasks == 0:
                break
            continue
        try:
            crawl_one(page)
        finally:
            todo.task_done()
    todo.join()
    for _ in threads:
        todo.put(stop)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return seen
