"""Puts every link into the next level, seen or not, so only max_depth bounds the crawl: cycles are walked forever.

expect-fail: test_crawl_ends_on_cycles
expect-words: endless loop, more than 1000 times
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_depth: int) -> dict[str, int]:
    depths = {root: 0}
    frontier = [root]
    depth = 0
    while frontier and depth < max_depth:
        depth += 1
        next_frontier = []
        for page in frontier:
            for link in get_links(page):
                depths.setdefault(link, depth)
                next_frontier.append(link)  # MISTAKE: no seen check, so known pages are crawled again
        frontier = next_frontier
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
