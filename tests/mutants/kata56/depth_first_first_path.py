"""Crawls depth-first by recursion and records each page at the depth of the first path that reaches it.

expect-fail: test_crawl_records_the_shortest_depth
expect-words: shortest, depth-first
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_depth: int) -> dict[str, int]:
    depths = {root: 0}

    def visit(page: str, depth: int) -> None:
        if depth >= max_depth:
            return
        for link in get_links(page):
            if link not in depths:
                depths[link] = depth + 1  # MISTAKE: the first path found, not the shortest
                visit(link, depth + 1)

    visit(root, 0)
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
