"""Measures CPU with getrusage(RUSAGE_SELF), the whole process's CPU time, so the CPU other threads use during the
call is counted as the calling thread's.

expect-fail: test_wait_fraction_ignores_other_threads_cpu
expect-words: process time counts every thread
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

    def cpu_now() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    wall0 = time.perf_counter()
    cpu0 = cpu_now()
    func(*args)
    cpu = cpu_now() - cpu0
    wall = time.perf_counter() - wall0
    if wall <= 0:
        return 0.0
    return min(1.0, max(0.0, 1.0 - cpu / wall))
