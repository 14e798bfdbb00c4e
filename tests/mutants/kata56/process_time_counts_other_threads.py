"""Measures CPU time with time.process_time(), which also counts the CPU used by the other threads meanwhile.

expect-fail: test_wait_fraction_ignores_other_threads_cpu
expect-words: other threads
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
    cpu_start = time.process_time()  # MISTAKE: the whole process's CPU time, every thread's
    func(*args)
    cpu = time.process_time() - cpu_start
    wall = time.perf_counter() - wall_start
    if wall <= 0:
        return 0.0
    return min(1.0, max(0.0, 1.0 - cpu / wall))
