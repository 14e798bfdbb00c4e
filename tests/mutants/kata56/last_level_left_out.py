"""Loops over range(1, max_depth), one level short, so the pages at max_depth are missing from the result.

expect-fail: test_crawl_never_fetches_pages_at_max_depth
expect-words: max_depth
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_depth: int) -> dict[str, int]:
    depths = {root: 0}
    level = [root]
    for depth in range(1, max_depth):  # MISTAKE: off by one, the level at max_depth is never built
        next_level = []
        for page in level:
            for link in get_links(page):
                if link not in depths:
                    depths[link] = depth
                    next_level.append(link)
        level = next_level
    return depths


def wait_fraction(func: Callable[..., Any], *args: Any) -> float:
    wall_start = time.perf_counter()
    cpu_start = time.thread_time()
    func(*args)
    cpu = time.thread_time() - cpu_start
    wall = time.perf_counter() - wall_start
    if wall <= 0:
        return 0.0
    return min(1.0, max(0.0, 1.0 - cpu / wall))
