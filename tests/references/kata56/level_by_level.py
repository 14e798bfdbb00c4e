"""Kata 56 reference — style: explicit levels (a list per level) and a set of the pages seen."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any


def crawl(root: str, get_links: Callable[[str], Iterable[str]], *, max_depth: int) -> dict[str, int]:
    levels: list[list[str]] = [[root]]
    seen = {root}
    while len(levels) <= max_depth and levels[-1]:
        fetched = [get_links(page) for page in levels[-1]]  # fan-out: every page of the level
        next_level: list[str] = []
        for links in fetched:  # fan-in: merge the new links into the next level
            for link in links:
                if link not in seen:
                    seen.add(link)
                    next_level.append(link)
        levels.append(next_level)
    return {page: depth for depth, level in enumerate(levels) for page in level}


def wait_fraction(func: Callable[..., Any], *args: Any) -> float:
    wall_start = time.perf_counter()
    cpu_start = time.thread_time()
    func(*args)
    cpu = time.thread_time() - cpu_start
    wall = time.perf_counter() - wall_start
    if wall <= 0:
        return 0.0
    return min(1.0, max(0.0, 1.0 - cpu / wall))
