"""Fetches every page taken off the queue and only drops links beyond max_depth, so the last level is fetched.

expect-fail: test_crawl_never_fetches_pages_at_max_depth
expect-words: max_depth
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_depth: int) -> dict[str, int]:
    depths = {root: 0}
    queue = deque([(root, 0)])
    while queue:
        page, depth = queue.popleft()
        for link in get_links(page):  # MISTAKE: fetched even at max_depth, only to throw its links away
            if depth < max_depth and link not in depths:
                depths[link] = depth + 1
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
