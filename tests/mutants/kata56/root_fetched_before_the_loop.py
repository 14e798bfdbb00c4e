"""Fetches the root's links before the level loop, so max_depth=0 still calls get_links and adds depth 1.

expect-fail: test_crawl_to_depth_zero_is_the_root_alone
expect-words: root
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_depth: int) -> dict[str, int]:
    depths = {root: 0}
    level = []
    for link in get_links(root):  # MISTAKE: the first level is built whatever max_depth is
        if link not in depths:
            depths[link] = 1
            level.append(link)
    for depth in range(2, max_depth + 1):
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
