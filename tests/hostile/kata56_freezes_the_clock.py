"""Hostile: freezes time.monotonic, time.perf_counter and time.thread_time so that every wait looks free.

expect-kata: 56
expect-words: replaced, time.monotonic
"""

import time

time.monotonic = time.perf_counter = time.thread_time = lambda: 0.0


def crawl(root, get_links, *, max_depth):
    return {root: 0}


def wait_fraction(func, *args):
    func(*args)
    return 1.0
