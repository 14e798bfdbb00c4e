"""Returns the thread's CPU time divided by the wall time, the busy share, instead of the waiting share.

expect-fail: test_wait_fraction_of_sleeping_is_near_one
expect-words: sleep, busy share
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
        if depth >= max_depth:
            continue
        for link in get_links(page):
            if link not in depths:
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
    return min(1.0, max(0.0, cpu / wall))  # MISTAKE: the share of time computing, not waiting
