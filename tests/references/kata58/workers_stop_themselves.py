"""Kata 58 reference — style: a crawl object whose workers count pending pages and send the sentinels themselves."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable

STOP = object()


class _Crawl:
    """The shared state of one crawl: the queue, the seen set, the pending count and the first error."""

    def __init__(self, root: str, get_links: Callable[[str], Iterable[str]], workers: int) -> None:
        self.get_links = get_links
        self.workers = workers
        self.pages: queue.Queue[object] = queue.Queue()
        self.seen = {root}
        self.pending = 1
        self.error: Exception | None = None
        self.stopped = False
        self.lock = threading.Lock()
        self.pages.put(root)

    def _stop(self) -> None:
        """Called under the lock: wake every worker once, whoever noticed the end first."""
        if not self.stopped:
            self.stopped = True
            for _ in range(self.workers):
                self.pages.put(STOP)

    def _discover(self, link: str) -> None:
        with self.lock:
            if link in self.seen or self.stopped:
                return
            self.seen.add(link)
            self.pending += 1
        self.pages.put(link)

    def run_worker(self) -> None:
        while True:
            page = self.pages.get()
            if page is STOP:
                return
            with self.lock:
                if self.stopped:
                    continue  # skip what is left; a STOP for this worker is further down the queue
            assert isinstance(page, str)
            try:
                for link in self.get_links(page):
                    self._discover(link)
            except Exception as exc:
                with self.lock:
                    if self.error is None and not self.stopped:
                        self.error = exc
                    self._stop()
            else:
                with self.lock:
                    self.pending -= 1
                    if self.pending == 0:
                        self._stop()


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, workers: int) -> set[str]:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    state = _Crawl(root, get_links, workers)
    threads = [threading.Thread(target=state.run_worker, name=f"crawler-{i}", daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if state.error is not None:
        raise state.error
    return state.seen
