"""Tests each page's links for "anything new?" with any() before merging them, so it iterates what get_links
returned twice: with an iterator (a generator), the first pass eats links and pages go missing.

expect-fail: test_crawl_records_the_shortest_depth
expect-words: iterated more than once, read only once
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
        fetched = [get_links(page) for page in level]
        next_level = []
        for links in fetched:
            if not any(link not in depths for link in links):
                continue  # nothing new on this page
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
