"""Sets a page's depth every time a link to it is met, so a later, longer path overwrites the shortest depth.

expect-fail: test_crawl_records_the_shortest_depth
expect-words: shortest
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_depth: int) -> dict[str, int]:
    depths = {root: 0}
    seen = {root}
    level = [root]
    for depth in range(1, max_depth + 1):
        next_level = []
        for page in level:
            for link in get_links(page):
                depths[link] = depth  # MISTAKE: also for pages already seen at a smaller depth
                if link not in seen:
                    seen.add(link)
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
