"""Guards only the get_links call itself; an error while iterating its result hits the worker's catch-all and is lost.

expect-fail: test_an_error_while_iterating_links_is_reraised
expect-words: re-raise
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
                    continue
                try:
                    links = get_links(page)
                except Exception as exc:
                    with lock:
                        errors.append(exc)
                    continue
                for link in links:  # MUTANT: iterating can raise too, outside the try that records errors
                    with lock:
                        if link in seen:
                            continue
                        seen.add(link)
                    pages.put(link)
            except Exception:
                pass  # keep the worker alive whatever happens
            finally:
                pages.task_done()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    pages.put(root)
    pages.join()
    for _ in threads:
        pages.put(None)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return seen
