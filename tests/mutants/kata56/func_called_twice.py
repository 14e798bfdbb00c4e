"""Calls func once to time the wall clock and again to time the CPU, so func runs twice.

expect-fail: test_wait_fraction_calls_func_once_with_its_args
expect-words: once
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
    func(*args)
    wall = time.perf_counter() - wall_start
    cpu_start = time.thread_time()
    func(*args)  # MISTAKE: a second call, with its side effects, just to read the other clock
    cpu = time.thread_time() - cpu_start
    if wall <= 0:
        return 0.0
    return min(1.0, max(0.0, 1.0 - cpu / wall))
