"""crawl raises as soon as a worker reports an error, while another worker is still inside get_links.

expect-fail: test_after_an_error_workers_take_no_new_page
expect-words: still inside get_links('a')
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
    seen: set[str] = {root}
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
    if first_error is not None:
        raise first_error  # no point waiting for the others, the crawl failed
    for t in threads:
        t.join()
    return set(seen)
