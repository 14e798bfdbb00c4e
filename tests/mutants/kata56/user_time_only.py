"""Counts only the thread's user CPU time (getrusage ru_utime), so the time the thread runs in the kernel (system
time) is counted as waiting.

expect-fail: test_wait_fraction_of_computing_matches_the_thread_cpu_share
expect-words: user cpu time alone, system (kernel) time
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_depth: int) -> dict[str, int]:
    depths = {root: 0}
    level = [root]
    for depth in range(max_depth):
        if not level:
            break
        fetched = [get_links(page) for page in level]  # fan-out
        next_level = []
        for links in fetched:  # fan-in
            for link in links:
                if link not in depths:
                    depths[link] = depth + 1
                    next_level.append(link)
        level = next_level
    return depths


def wait_fraction(func: Callable[..., Any], *args: Any) -> float:
    import resource
    wall0 = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_THREAD).ru_utime
    func(*args)
    cpu = resource.getrusage(resource.RUSAGE_THREAD).ru_utime - cpu0
    wall = time.perf_counter() - wall0
    if wall <= 0:
        return 0.0
    return min(1.0, max(0.0, 1.0 - cpu / wall))
