"""Kata 59 reference — style: as_completed() re-entered on each batch of new futures, no `with` block."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed


def _fetch(get_links: Callable[[str], Iterable[str]], page: str) -> list[str]:
    return list(get_links(page))  # iterate in the worker: an error while iterating is the call's error


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_workers: int, timeout: float) -> set[str]:
    deadline = time.monotonic() + timeout
    executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="crawl")
    seen = {root}
    new: set[Future[list[str]]] = {executor.submit(_fetch, get_links, root)}
    try:
        while new:
            batch, new = new, set()
            finished = as_completed(batch, timeout=max(0.0, deadline - time.monotonic()))
            while True:
                try:
                    future = next(finished)
                except StopIteration:
                    break
                except TimeoutError:  # only the deadline: a get_links TimeoutError comes out of result() below
                    raise TimeoutError(f"the crawl of {root!r} did not finish within {timeout} s") from None
                for link in future.result():  # re-raises the call's exception, the same object
                    if link not in seen:
                        seen.add(link)
                        new.add(executor.submit(_fetch, get_links, link))
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)  # do not wait for calls in flight
        raise
    executor.shutdown()  # nothing is in flight: the workers exit at once
    return seen
