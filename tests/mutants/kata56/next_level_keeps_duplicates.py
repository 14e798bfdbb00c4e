"""Keeps the links not seen before the level as a list, so a link met twice in one level is fetched twice.

expect-fail: test_crawl_fetches_each_page_once
expect-words: twice
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_depth: int) -> dict[str, int]:
    depths = {root: 0}
    level = [root]
    for depth in range(1, max_depth + 1):
        links = [link for page in level for link in get_links(page)]
        level = [link for link in links if link not in depths]  # MISTAKE: duplicates within the level stay
        for link in level:
            depths[link] = depth
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
