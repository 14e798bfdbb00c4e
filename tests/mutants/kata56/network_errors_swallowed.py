"""Catches OSError around get_links (network errors, the realistic thing to catch in a crawler) and treats the page
as one without links, so a ConnectionError never reaches the caller.

expect-fail: test_crawl_propagates_errors_from_get_links
expect-words: must propagate
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_depth: int) -> dict[str, int]:
    depths = {root: 0}
    level = [root]
    for depth in range(max_depth):
        if not level:
            break
        fetched = []
        for page in level:  # fan-out
            try:
                fetched.append(get_links(page))
            except OSError:
                fetched.append(())  # an unreachable page has no links
        next_level = []
        for links in fetched:  # fan-in
            for link in links:
                if link not in depths:
                    depths[link] = depth + 1
                    next_level.append(link)
        level = next_level
    return depths


def wait_fraction(func: Callable[..., Any], *args: Any) -> float:
    wall0 = time.perf_counter()
    cpu0 = time.thread_time()
    func(*args)
    cpu = time.thread_time() - cpu0
    wall = time.perf_counter() - wall0
    if wall <= 0:
        return 0.0
    return min(1.0, max(0.0, 1.0 - cpu / wall))
