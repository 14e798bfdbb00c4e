"""Marks a page seen when it is taken off the queue, not when discovered, so a page queued twice is fetched twice.

expect-fail: test_crawl_fetches_each_page_once
expect-words: twice
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_depth: int) -> dict[str, int]:
    depths: dict[str, int] = {}
    queue = deque([(root, 0)])
    while queue:
        page, depth = queue.popleft()
        depths.setdefault(page, depth)  # MISTAKE: seen only now, after it may have been queued again
        if depth >= max_depth:
            continue
        for link in get_links(page):
            if link not in depths:
                queue.append((link, depth + 1))
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
