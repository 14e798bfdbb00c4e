"""Takes pages off the deque with pop() instead of popleft(), so the crawl goes depth-first from the last link found
and a page keeps the depth of the first path that reached it, not the shortest.

expect-fail: test_crawl_records_the_shortest_depth
expect-words: shortest, depth-first
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
        page, depth = queue.pop()  # MUTANT: a stack, so the crawl goes depth-first
        if depth >= max_depth:
            continue
        for link in get_links(page):
            if link not in depths:
                depths[link] = depth + 1
                queue.append((link, depth + 1))
    return depths


def wait_fraction(func: Callable[..., Any], *args: Any) -> float:
    start = time.perf_counter(), time.thread_time()
    func(*args)
    wall = time.perf_counter() - start[0]
    cpu = time.thread_time() - start[1]
    return min(1.0, max(0.0, 1.0 - cpu / wall)) if wall > 0 else 0.0
