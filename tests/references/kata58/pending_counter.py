"""Kata 58 reference — style: a count of pending pages under a threading.Condition that the caller waits on."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    pages: queue.Queue[str | None] = queue.Queue()
    seen = {root}
    pending = 1  # pages put on the queue and not finished yet
    errors: list[Exception] = []
    changed = threading.Condition()

    def work() -> None:
        nonlocal pending
        while True:
            page = pages.get()
            if page is None:
                return
            with changed:
                if errors:
                    return  # take no new page after an error; the caller sends sentinels to the others
            try:
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
                    changed.notify_all()
                return
            with changed:
                pending -= 1
                if pending == 0:
                    changed.notify_all()

    threads = [threading.Thread(target=work, name=f"crawler-{i}", daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    pages.put(root)
    with changed:
        changed.wait_for(lambda: pending == 0 or bool(errors))
    for _ in threads:
        pages.put(None)  # one per worker: the ones blocked in get() wake up and leave
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return seen
