"""root is not put in the seen set (it is added to the result at the end), so a link back to root crawls it again.

expect-fail: test_crawl_returns_every_reachable_page
expect-words: root was crawled without being put in the seen set
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable


class _Stop:
    pass


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    if workers < 1:
        raise ValueError(f"workers={workers}: need at least one")
    todo: queue.Queue = queue.Queue()
    state = threading.Condition()
    seen: set[str] = set()
    unfinished = 1
    first_error: BaseException | None = None
    stop = _Stop()

    def run() -> None:
        nonlocal unfinished, first_error
        while True:
            page = todo.get()
            if page is stop:
                return
            with state:
                if first_error is not None:
                    continue  # start no new call once the crawl has failed
            try:
                found = [*get_links(page)]
            except BaseException as exc:
                with state:
                    if first_error is None:
                        first_error = exc
                    unfinished -= 1
                    state.notify_all()
                continue
            with state:
                if first_error is None:
                    for link in found:
                        if link not in seen:
                            seen.add(link)
                            unfinished += 1
                            todo.put(link)
                unfinished -= 1
                if unfinished == 0 or first_error is not None:
                    state.notify_all()

    threads = []
    for _ in range(workers):
        t = threading.Thread(target=run, daemon=True)
        t.start()
        threads.append(t)
    todo.put(root)
    with state:
        state.wait_for(lambda: unfinished == 0 or first_error is not None)
    for _ in threads:
        todo.put(stop)
    for t in threads:
        t.join()
    if first_error is not None:
        raise first_error
    return seen | {root}
