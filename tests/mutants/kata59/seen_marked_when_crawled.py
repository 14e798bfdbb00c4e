"""Marks a page as seen only when its call has finished, so a link found twice before then is submitted twice.

expect-fail: test_get_links_is_called_once_per_page
expect-words: twice
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_workers: int, timeout: float) -> set[str]:
    deadline = time.monotonic() + timeout
    executor = ThreadPoolExecutor(max_workers)

    def fetch(page: str) -> list[str]:
        return list(get_links(page))

    crawled: set[str] = set()
    pending: dict[Future[list[str]], str] = {executor.submit(fetch, root): root}
    while pending:
        done, _ = wait(pending, timeout=max(0.0, deadline - time.monotonic()), return_when=FIRST_COMPLETED)
        if not done:
            executor.shutdown(wait=False, cancel_futures=True)
            raise TimeoutError(f"{len(pending)} page(s) still being crawled after {timeout} s")
        for future in done:
            page = pending.pop(future)
            error = future.exception()
            if error is not None:
                executor.shutdown(wait=False, cancel_futures=True)
                raise error
            crawled.add(page)  # MUTANT: a page counts as seen only once crawled, not when it is submitted
            for link in future.result():
                if link not in crawled:
                    pending[executor.submit(fetch, link)] = link
    executor.shutdown(wait=True)
    return crawled
