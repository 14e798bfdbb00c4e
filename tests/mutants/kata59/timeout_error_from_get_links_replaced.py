"""Every TimeoutError that leaves the loop is taken for crawl's deadline and replaced by a new one, so a get_links that
raises TimeoutError itself is not re-raised as the same object.

expect-fail: test_a_timeout_error_from_get_links_is_reraised_as_is
expect-words: same object, not crawl's own deadline
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_workers: int, timeout: float) -> set[str]:
    deadline = time.monotonic() + timeout

    def fetch(page: str) -> list[str]:
        return list(get_links(page))

    executor = ThreadPoolExecutor(max_workers)
    seen = {root}
    pending: set[Future[list[str]]] = {executor.submit(fetch, root)}
    try:
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"crawl not finished within {timeout} s")
            done, pending = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
            for future in done:
                for link in future.result():  # re-raises a get_links error
                    if link not in seen:
                        seen.add(link)
                        pending.add(executor.submit(fetch, link))
    except TimeoutError:
        executor.shutdown(wait=False, cancel_futures=True)
        raise TimeoutError(f"crawl of {root!r} did not finish within {timeout} s") from None
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return seen
